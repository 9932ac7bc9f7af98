/* main.c - pgopt-query-rewriter: the query rewriter agent on the shared
 * worker runtime (workers/runtime/runtime.h). The analysis lives in the
 * pgopt_query_rewriter library (query_rewriter.h) so tests can call it.
 *
 * Verify mode is opt-in: snapshot.options.verify == true (set by the
 * coordinator's --verify), or PGOPT_REWRITER_VERIFY=1 in the worker's
 * environment. PGOPT_REWRITER_OFFLINE=1 never connects to target.dsn. */
#include <stdlib.h>
#include <string.h>

#include "workers/query_rewriter/query_rewriter.h"
#include "workers/runtime/runtime.h"

static int beat(void *user, int64_t done, int64_t total)
{
    return job_progress((job_ctx_t *)user, "rewrite", done, total);
}

static int env_on(const char *name)
{
    const char *v = getenv(name);
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "on") == 0);
}

static int run_query_rewriter(const json_t *snapshot, job_ctx_t *ctx, json_t **result, err_t *err)
{
    query_rewriter_opts_t o;
    query_rewriter_opts_init(&o);
    o.verify = env_on("PGOPT_REWRITER_VERIFY");
    o.offline = env_on("PGOPT_REWRITER_OFFLINE");
    o.progress = beat;
    o.progress_user = ctx;
    if (job_progress(ctx, "start", 0, 1))
        return err_set(err, "cancelled before start");
    int rc = query_rewriter_analyze(snapshot, &o, result, err);
    job_progress(ctx, "done", 1, 1);
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
