/* main.c - pgopt-query-rewriter: the query rewriter agent on the shared
 * worker runtime (workers/runtime/runtime.h). The analysis lives in the
 * pgopt_query_rewriter library (query_rewriter.h) so tests can call it.
 *
 * Verify and offline mode are opt-in through the snapshot's options
 * (snapshot.options.verify, set by the coordinator's --verify, and
 * snapshot.options.rewriter_offline, set by its --offline): the worker
 * reads nothing from its environment, so a remote worker does what a local
 * one does. */
#include "workers/query_rewriter/query_rewriter.h"
#include "workers/runtime/runtime.h"

/* The runtime's entry (workers/agent.h): options from the snapshot only. */
static int run_query_rewriter(const json_t *snapshot, progress_fn progress, void *progress_user,
                              json_t **result, err_t *err)
{
    if (progress(progress_user, "start", 0, 1))
        return err_set(err, "cancelled before start");
    int rc = query_rewriter_analyze(snapshot, NULL, progress, progress_user, result, err);
    progress(progress_user, "done", 1, 1);
    return rc;
}

static const agent_def_t query_rewriter_agent = {
    .agent = "query_rewriter",
    .executable = "pgopt-query-rewriter",
    .description = "proposes SQL rewrites proven safe from the catalog and measured with EXPLAIN, "
                   "and N+1 patterns seen in pg_stat_statements",
    .run = run_query_rewriter,
};

int main(int argc, char **argv)
{
    return worker_main(argc, argv, &query_rewriter_agent);
}
