/*
 * progress.h - progress lines on standard error for the coordinator's long
 * steps: collection, what-if analysis per statement, waiting for agents.
 *
 * One line, redrawn in place ("\r" + erase to end of line), with counts and
 * elapsed time:
 *
 *   [  4.2s] waiting for agents 2/4: index_advisor what-if 12/28, ai_tuning ...
 *
 * Silent unless enabled: the caller passes isatty(stderr) && !--quiet (see
 * progress_wanted), so logs and pipes never see carriage returns. Redraws are
 * throttled (at most every 100 ms) because a PROGRESS arrives per job beat.
 * Not thread-safe: call it from the coordinator's own thread.
 */
#ifndef PGOPT_COORDINATOR_PROGRESS_H
#define PGOPT_COORDINATOR_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct progress progress_t;

/* 1 when progress lines belong on stderr: a terminal, and not quiet. */
int progress_wanted(int quiet);

/* enabled = 0 gives an object whose calls do nothing (so callers need no
 * ifs). out NULL means stderr. */
progress_t *progress_new(int enabled);
progress_t *progress_new_to(int enabled, FILE *out);
void progress_destroy(progress_t **p);

/* A step: "collecting", "what-if", "waiting for agents". total <= 0 when
 * unknown. Starting another step ends the previous one's line. */
void progress_step(progress_t *p, const char *step, int64_t done, int64_t total);

/* Per-task detail within the current step (e.g. one agent: its stage and
 * counts from PROGRESS). Up to 8 tasks are tracked; status NULL while
 * running, else a final word: "ok" takes the task off the line (the step's
 * done/total counts it), any other ("timeout", "error") stays on it. */
void progress_task(progress_t *p, const char *task, const char *stage, int64_t done, int64_t total,
                   const char *status);

/* Ends the current line with a final summary ("collected in 1.2 s"), or just
 * clears it when message is NULL. */
void progress_done(progress_t *p, const char *message);

/* Milliseconds since progress_new (for the caller's summary). */
int64_t progress_elapsed_ms(const progress_t *p);

#endif
