/*
 * progress.h - the progress callback every long-running loop of an agent
 * calls, so the worker can forward PROGRESS and the coordinator can tell a
 * busy agent from a hung one (proto/PROTOCOL.md 8.4: silence past the hang
 * window means dead, and a healthy agent silenced by a long loop gets killed
 * and re-run elsewhere).
 *
 * The rule: any loop whose length grows with the input (files of the code
 * section, statements, candidates, database round trips, history points)
 * beats once per item or per batch. A beat is cheap (two atomics and a short
 * lock in the worker runtime), so per item is fine.
 *
 * Agents take a progress_fn explicitly. Shared library code that does not
 * know its caller (the Python code scanners in common/python) beats through
 * the calling thread's sink instead: the worker runtime sets it on each job
 * thread, so a scan deep inside an agent beats without every API in between
 * carrying a callback. With no sink set (tests, tools), progress_beat() does
 * nothing and returns 0.
 */
#ifndef PGOPT_COMMON_PROGRESS_H
#define PGOPT_COMMON_PROGRESS_H

#include <stdint.h>

/* A beat: done of total units of work in stage (total 0 = unknown).
 * Returns 1 when the work has been cancelled and the loop should stop. */
typedef int (*progress_fn)(void *user, const char *stage, int64_t done, int64_t total);

/* Sets the calling thread's sink (NULL clears it). */
void progress_set_thread(progress_fn fn, void *user);

/* Beats through the calling thread's sink: its return value, or 0 without
 * a sink. */
int progress_beat(const char *stage, int64_t done, int64_t total);

/* A beat that changes neither the stage nor the counts (the sink is called
 * with stage NULL and done = total = -1): for code under an agent's stage
 * that only knows it made progress, e.g. each database round trip of a
 * what-if session. Same return value as progress_beat. */
int progress_alive(void);

#endif
