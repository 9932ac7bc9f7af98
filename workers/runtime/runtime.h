/*
 * runtime.h - the worker runtime shared by all four agents.
 *
 * A worker process binds one ROUTER socket (--bind, tcp:// or ipc://) and
 * serves any number of coordinators (PROTOCOL.md): PING -> PONG with its
 * agent and load; JOB -> a slot of a bounded pool (--jobs) runs the agent on
 * the decoded snapshot, or BUSY when every slot is taken; RESULT or ERROR
 * goes back to the coordinator that sent the JOB. While a job runs, the
 * runtime sends PROGRESS only when the job loop itself has called
 * job_progress() since the last beat, so a hung job falls silent and the
 * coordinator moves it elsewhere even though this process still answers.
 * At the job's deadline (or on CANCEL) job_progress() starts returning 1 and
 * the coordinator is told "cancelled". SIGTERM/SIGINT: stop taking jobs,
 * answer the ones in flight, exit.
 *
 * An agent plugs in with one function, agent_def_t.run (workers/agent.h):
 * snapshot in, result map out, with the job's beat as its progress callback.
 */
#ifndef PGOPT_WORKERS_RUNTIME_H
#define PGOPT_WORKERS_RUNTIME_H

#include <jansson.h>
#include <stdint.h>

#include "common/error.h"
#include "workers/agent.h"

typedef struct job_ctx job_ctx_t;

/* The job's beat, which agents receive as their progress callback
 * (agent_def_t.run, workers/agent.h): records a beat (done of total units
 * of work, in stage) that the runtime forwards as PROGRESS; stage NULL with
 * done < 0 keeps the stage and counts (common/progress.h, progress_alive).
 * Returns 1 when the
 * job has been cancelled (CANCEL, deadline passed, shutdown deadline): the
 * agent should stop and return -1 promptly. Thread-safe, cheap (atomics). */
int job_progress(job_ctx_t *ctx, const char *stage, int64_t done, int64_t total);

/* 1 when cancelled, without recording a beat. */
int job_cancelled(const job_ctx_t *ctx);

/* Milliseconds left before the job's deadline (may be negative); INT64_MAX when
 * the JOB carried no deadline (deadline_ms 0). */
int64_t job_remaining_ms(const job_ctx_t *ctx);

/* Parses the common worker options (--bind, --jobs, --log-level, ...; see
 * --help), serves until SIGTERM/SIGINT, returns the process exit status. */
int worker_main(int argc, char **argv, const agent_def_t *def);

#endif
