/* main.c - pgopt-config-tuner: the config tuner agent on the shared worker
 * runtime (workers/runtime/runtime.h). The analysis itself lives in the
 * pgopt_config_tuner library (config_tuner.h) so tests can call it. */
#include "workers/config_tuner/config_tuner.h"
#include "workers/runtime/runtime.h"

static int beat(void *user, const char *stage, int64_t done, int64_t total)
{
    return job_progress((job_ctx_t *)user, stage, done, total);
}

static int run_config_tuner(const json_t *snapshot, job_ctx_t *ctx, json_t **result, err_t *err)
{
    /* Milliseconds on a small snapshot, seconds on a large code section or
     * thousands of tables: the analysis beats per stage, table and file. */
    if (job_progress(ctx, "analyze", 0, 1))
        return err_set(err, "cancelled before start");
    config_tuner_options_t opts = {.progress = beat, .progress_user = ctx};
    int rc = config_tuner_analyze(snapshot, &opts, result, err);
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
