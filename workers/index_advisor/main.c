/* main.c - pgopt-index-advisor: the index advisor agent on the shared worker
 * runtime (workers/runtime/runtime.h). The analysis lives in the
 * pgopt_index_advisor library (index_advisor.h) so tests can call it. */
#include "workers/index_advisor/index_advisor.h"
#include "workers/runtime/runtime.h"

static int beat(void *user, const char *stage, int64_t done, int64_t total)
{
    return job_progress((job_ctx_t *)user, stage, done, total);
}

static int run_index_advisor(const json_t *snapshot, job_ctx_t *ctx, json_t **result, err_t *err)
{
    if (job_progress(ctx, "start", 0, 1))
        return err_set(err, "cancelled before start");
    ia_options_t opts;
    ia_options_init(&opts);
    int rc = index_advisor_run(snapshot, &opts, beat, ctx, result, err);
    job_progress(ctx, "done", 1, 1);
    return rc;
}

static const agent_def_t index_advisor_agent = {
    .agent = "index_advisor",
    .executable = "pgopt-index-advisor",
    .description = "recommends indexes to create (what-if verified with hypopg when the target is "
                   "reachable) and indexes to drop (unused, duplicate, invalid) from a snapshot",
    .run = run_index_advisor,
};

int main(int argc, char **argv)
{
    return worker_main(argc, argv, &index_advisor_agent);
}
