/*
 * ai_tuning.h - the AI tuning advisor agent: what the workload is, where it
 * is going, what is abnormal and what it costs, from a snapshot and its
 * `history` section (docs/SNAPSHOT.md, docs/HISTORY.md).
 *
 * "AI" here is statistics a DBA can audit: every insight carries its
 * evidence (values, window, method). Output: the seed's "AI Tuning Advisor"
 * shape (shared/seed/phase3-optimize.md):
 *   {"phase":"OPTIMIZE","agent":"ai_tuning",
 *    "workload_analysis":{"classification","peak_hours","query_clusters",..},
 *    "predictions":{"growth_rate","scaling_trigger","proactive_actions",..},
 *    "cloud_native":{"provider","recommendations","cost_impact"},
 *    "ml_insights":{"regressions","anomalies","auto_scaling"},
 *    "cost_optimization":{"current_monthly","projected_savings","recommendations"},
 *    "notes":[..], "evidence":{..}}
 * Where data is missing the field says so (a string starting "unknown: ..."
 * or an empty list with a note naming what is missing).
 */
#ifndef PGOPT_AI_TUNING_H
#define PGOPT_AI_TUNING_H

#include <jansson.h>
#include <stdint.h>

#include "common/error.h"
#include "workers/agent.h"

typedef struct {
    double min_calls;           /* per interval, for a regression data point (default 5) */
    double min_share;           /* share of execution time in the recent window (default 0.005) */
    double z_threshold;         /* robust z-score threshold (default 3.5) */
    int min_segment;            /* intervals before and after a change point (default 6) */
    unsigned seed;              /* k-means++ seed (default 42) */
    double step_min_ratio;      /* step test: median ratio after/before at least (default 1.5) */
    double step_alpha;          /* step test: family-wise p at most (default 0.05) */
    double load_step_min_ratio; /* database load step (short history): ratio at least
                                 * (default 2: load per second also moves with the call
                                 * rate and the snapshot spacing, per-call time does not) */
} ai_tuning_options_t;

/* The defaults of every option (what opts NULL means). */
void ai_tuning_options_init(ai_tuning_options_t *o);

/* The agent contract (workers/agent.h): snapshot in, result out (a new
 * reference). -1 with err when the snapshot is not a map, or when cancelled
 * through progress. opts NULL = the defaults; the agent reads no key of
 * snapshot.options. */
int ai_tuning_analyze(const json_t *snapshot, const ai_tuning_options_t *opts, progress_fn progress,
                      void *progress_user, json_t **result, err_t *err);

#endif
