/* main.c - pgopt-config-tuner: the config tuner agent on the shared worker
 * runtime (workers/runtime/runtime.h). The analysis itself lives in the
 * pgopt_config_tuner library (config_tuner.h) so tests can call it. */
#include "workers/config_tuner/config_tuner.h"
#include "workers/runtime/runtime.h"

/* The runtime's entry (workers/agent.h): the defaults, the snapshot's own
 * sections. Milliseconds on a small snapshot, seconds on a large code
 * section or thousands of tables: the analysis beats per stage, table and
 * file. */
static int run_config_tuner(const json_t *snapshot, progress_fn progress, void *progress_user,
                            json_t **result, err_t *err)
{
    if (progress(progress_user, "analyze", 0, 1))
        return err_set(err, "cancelled before start");
    int rc = config_tuner_analyze(snapshot, NULL, progress, progress_user, result, err);
    progress(progress_user, "done", 1, 1);
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
