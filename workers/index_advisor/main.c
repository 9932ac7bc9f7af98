/* main.c - pgopt-index-advisor: the index advisor agent on the shared worker
 * runtime (workers/runtime/runtime.h). The analysis lives in the
 * pgopt_index_advisor library (index_advisor.h) so tests can call it. */
#include "workers/index_advisor/index_advisor.h"
#include "workers/runtime/runtime.h"

/* The runtime's entry (workers/agent.h): options from the snapshot only. */
static int run_index_advisor(const json_t *snapshot, progress_fn progress, void *progress_user,
                             json_t **result, err_t *err)
{
    if (progress(progress_user, "start", 0, 1))
        return err_set(err, "cancelled before start");
    int rc = index_advisor_analyze(snapshot, NULL, progress, progress_user, result, err);
    progress(progress_user, "done", 1, 1);
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
