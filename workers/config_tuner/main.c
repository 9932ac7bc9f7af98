/* main.c - pgopt-config-tuner: the config tuner agent on the shared worker
 * runtime (workers/runtime/runtime.h). The analysis itself lives in the
 * pgopt_config_tuner library (config_tuner.h) so tests can call it. */
#include "workers/config_tuner/config_tuner.h"
#include "workers/runtime/runtime.h"

static int run_config_tuner(const json_t *snapshot, job_ctx_t *ctx, json_t **result, err_t *err)
{
    /* The analysis is a single pass over the snapshot (milliseconds), so
     * one beat before and one after is all the progress there is. */
    if (job_progress(ctx, "analyze", 0, 1))
        return err_set(err, "cancelled before start");
    int rc = config_tuner_analyze(snapshot, NULL, result, err);
    job_progress(ctx, "done", 1, 1);
    return rc;
}

static const agent_def_t config_tuner_agent = {
    .agent = "config_tuner",
    .executable = "pgopt-config-tuner",
    .description = "recommends postgresql.conf, autovacuum, SQLAlchemy pool, PgBouncer and "
                   "TimescaleDB settings from a snapshot",
    .run = run_config_tuner,
};

int main(int argc, char **argv)
{
    return worker_main(argc, argv, &config_tuner_agent);
}
