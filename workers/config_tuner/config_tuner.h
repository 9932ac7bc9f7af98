/*
 * config_tuner.h - the config tuner agent: which postgresql.conf, per-table
 * autovacuum, SQLAlchemy pool, PgBouncer and TimescaleDB settings to change,
 * derived from a snapshot (docs/SNAPSHOT.md), with the evidence for each.
 *
 * Output: the seed's "Config Tuner" shape (shared/seed/phase3-optimize.md):
 *   {"phase":"OPTIMIZE","agent":"config_tuner",
 *    "postgresql":{"memory":{..},"autovacuum":{..},"checkpoints":{..},
 *                  "parallelism":{..},"planner":{..}},
 *    "sqlalchemy":{..},"pgbouncer":{..},"timescaledb":{..},
 *    "apply_script":"..", "rollback_script":"..", "restart_required":[..],
 *    "per_table":[..], "workload":{..}, "notes":[..], "evidence":{..}}
 *
 * Every setting entry is {"current", "recommended", "reason", "unit",
 * "restart_required", "doc", "method", "change"}: current in human units
 * from snapshot.settings (null when the snapshot lacks the row), recommended
 * in the same units (null when there is not enough data to recommend, and
 * the reason says what is missing), method "pgtune" (PGTune's formula,
 * workers/config_tuner/pgtune.h), "measured" (derived from counters in the
 * snapshot) or "rule" (a documented rule of thumb). Settings that are
 * already right are still listed, with change=false and a reason saying
 * why the current value is fine; only change=true entries go into
 * apply_script and rollback_script.
 *
 * The rules and constants behind each value: workers/config_tuner/RULES.md.
 *
 * Nothing here touches a database: the scripts are text for a DBA.
 */
#ifndef PGOPT_CONFIG_TUNER_H
#define PGOPT_CONFIG_TUNER_H

#include <jansson.h>

#include "common/error.h"
#include "workers/agent.h"

typedef struct {
    /* PGTune profile ("web", "oltp", "dw", "mixed", "desktop"); NULL derives
     * it from the statements (see config_tuner.c, classify_workload). */
    const char *profile;
    /* Number of application processes sharing the database; 0 derives it
     * from snapshot.sqlalchemy.app_processes or activity.by_application. */
    int app_processes;
} config_tuner_options_t;

/* The defaults: everything derived from the snapshot. */
void config_tuner_options_init(config_tuner_options_t *o);

/* The agent contract (workers/agent.h). Snapshot in (validated or not:
 * missing or mistyped fields degrade to notes), result out (a new
 * reference). -1 with err when the snapshot is not a map, an option is
 * invalid, or progress (beats per stage, per table and per code file)
 * returned 1 ("cancelled"). opts NULL = the defaults; the agent reads no key
 * of snapshot.options (app_processes comes from snapshot.sqlalchemy). */
int config_tuner_analyze(const json_t *snapshot, const config_tuner_options_t *opts,
                         progress_fn progress, void *progress_user, json_t **result, err_t *err);

#endif
