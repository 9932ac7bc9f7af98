/* main.c - pgopt-ai-tuning: the AI tuning advisor agent on the shared worker
 * runtime (workers/runtime/runtime.h). The analysis lives in the
 * pgopt_ai_tuning library (ai_tuning.h) so tests and the benchmark call it. */
#include "workers/ai_tuning/ai_tuning.h"
#include "workers/runtime/runtime.h"

/* The runtime's entry (workers/agent.h): the defaults, no options. */
static int run_ai_tuning(const json_t *snapshot, progress_fn progress, void *progress_user,
                         json_t **result, err_t *err)
{
    return ai_tuning_analyze(snapshot, NULL, progress, progress_user, result, err);
}

static const agent_def_t ai_tuning_agent = {
    .agent = "ai_tuning",
    .executable = "pgopt-ai-tuning",
    .description = "classifies the workload, finds peak hours, regressions and anomalies, "
                   "predicts growth and scaling triggers, and prices the instance",
    .run = run_ai_tuning,
};

int main(int argc, char **argv)
{
    return worker_main(argc, argv, &ai_tuning_agent);
}
