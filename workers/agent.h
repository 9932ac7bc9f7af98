/*
 * agent.h - the one contract between an agent and whatever runs it: the
 * worker runtime (workers/runtime), tests, benchmarks and tools.
 *
 * Entry point. Every agent <agent> (index_advisor, query_rewriter,
 * config_tuner, ai_tuning) exports, in workers/<agent>/<agent>.h:
 *
 *   typedef struct {...} <agent>_options_t;
 *   void <agent>_options_init(<agent>_options_t *o);      the defaults
 *   int  <agent>_analyze(const json_t *snapshot, const <agent>_options_t *opts,
 *                        progress_fn progress, void *progress_user,
 *                        json_t **result, err_t *err);
 *
 *  - snapshot: read-only, validated or not (docs/SNAPSHOT.md); a missing
 *    section degrades to a note in the result, never to an error.
 *  - opts: NULL = the defaults. The snapshot's `options` section applies on
 *    top of them, as the agent's header says per key. The worker always
 *    passes NULL: every option a worker honours travels in snapshot.options
 *    (set from the coordinator's flags), never in the worker's environment
 *    or command line, so a remote worker analyses exactly what a local one
 *    does. opts is for in-process callers (tests, benchmarks, tools). The
 *    worker process's own settings (PGOPT_BIND, PGOPT_JOBS, CURVE keys:
 *    workers/runtime) say where and how it serves, never what it answers.
 *  - progress, progress_user: the agent's heartbeat (below); may be NULL.
 *  - result: on success a new reference to a map shaped like the agent's
 *    seed JSON (docs/RESULTS.md).
 *  - returns 0, or -1 with err set: bad arguments, a snapshot that is not
 *    a map, or cancelled ("cancelled" in the message).
 *
 * Progress. There is one callback type, progress_fn (common/progress.h):
 * (user, stage, done, total) -> 1 when the caller wants the work stopped.
 * The agent calls it explicitly from every loop whose length grows with the
 * input. common/progress.h also keeps a per-thread sink of the same type
 * for shared library code that does not know its caller (the Python
 * scanners): the worker runtime installs the same (function, user) pair in
 * both places, so an explicit beat and a sink beat are the same beat.
 * Agents take the callback explicitly; they never read the thread sink.
 *
 * The runtime calls an agent through agent_def_t (below): a few lines of
 * glue in workers/<agent>/main.c that call <agent>_analyze with NULL opts.
 * tests/agent checks the contract: every agent beats with a stage name and
 * stops on a cancel (test_contract.c), and options set on the coordinator
 * reach the agents over the wire (test_options.c).
 */
#ifndef PGOPT_WORKERS_AGENT_H
#define PGOPT_WORKERS_AGENT_H

#include <jansson.h>

#include "common/error.h"
#include "common/progress.h"

/* How the runtime calls an agent: the entry point above with the options
 * fixed to NULL (snapshot.options only). progress is the runtime's beat
 * (PROGRESS to the coordinator, cancel at the deadline), progress_user its
 * job. */
typedef int (*agent_run_fn)(const json_t *snapshot, progress_fn progress, void *progress_user,
                            json_t **result, err_t *err);

/* An agent as the runtime sees it. */
typedef struct {
    const char *agent;       /* "index_advisor", "query_rewriter", "config_tuner", "ai_tuning" */
    const char *executable;  /* "pgopt-index-advisor", ... (for --help and logs) */
    const char *description; /* one line for --help */
    agent_run_fn run;
} agent_def_t;

#endif
