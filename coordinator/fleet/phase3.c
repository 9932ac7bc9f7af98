/* phase3.c - see phase3.h. */
#include "coordinator/fleet/phase3.h"

#include <string.h>

#include "common/clock.h"

/* One agent's entry of the fleet section: status, worker, endpoint, attempts, elapsed time, and
 * the error when it did not answer. */
static json_t *fleet_entry(const agent_outcome_t *o)
{
    json_t *e = json_object();
    json_object_set_new(e, "status", json_string(agent_status_name(o->status)));
    json_object_set_new(e, "worker", o->worker[0] ? json_string(o->worker) : json_null());
    json_object_set_new(e, "endpoint", o->endpoint[0] ? json_string(o->endpoint) : json_null());
    json_object_set_new(e, "attempts", json_integer(o->attempts));
    json_object_set_new(e, "elapsed_ms", json_integer(o->elapsed_ms));
    if (o->status != AGENT_OK && o->error[0])
        json_object_set_new(e, "error", json_string(o->error));
    return e;
}

int phase3_exit_status(const agent_outcome_t *outcomes, int n)
{
    int ok = 0;
    for (int i = 0; i < n; i++)
        ok += outcomes[i].status == AGENT_OK;
    if (n > 0 && ok == n)
        return EXIT_COMPLETE;
    return ok > 0 ? EXIT_PARTIAL : EXIT_ERROR;
}

json_t *phase3_assemble(agent_outcome_t *outcomes, int n)
{
    char ts[40];
    clock_iso8601_now(ts, sizeof ts);
    json_t *out = json_object();
    json_t *fleet = json_object();
    json_object_set_new(out, "phase", json_string("OPTIMIZE"));
    json_object_set_new(out, "timestamp", json_string(ts));
    int st = phase3_exit_status(outcomes, n);
    json_object_set_new(out, "status",
                        json_string(st == EXIT_COMPLETE  ? "complete"
                                    : st == EXIT_PARTIAL ? "partial"
                                                         : "failed"));
    for (int a = 0; a < AGENT_COUNT; a++) {
        const char *name = AGENTS[a].name;
        agent_outcome_t *o = NULL;
        for (int i = 0; i < n; i++)
            if (strcmp(outcomes[i].agent, name) == 0)
                o = &outcomes[i];
        if (!o) {
            json_object_set_new(out, name, json_null());
            json_t *e = json_object();
            json_object_set_new(e, "status", json_string("skipped"));
            json_object_set_new(fleet, name, e);
            continue;
        }
        json_object_set_new(out, name, o->result ? o->result : json_null());
        o->result = NULL;
        json_object_set_new(fleet, name, fleet_entry(o));
    }
    /* Agents outside the seed's four (test doubles, future agents) are
     * reported in the fleet section too. */
    for (int i = 0; i < n; i++)
        if (!json_object_get(fleet, outcomes[i].agent)) {
            json_object_set_new(fleet, outcomes[i].agent, fleet_entry(&outcomes[i]));
            if (outcomes[i].result) {
                json_object_set_new(out, outcomes[i].agent, outcomes[i].result);
                outcomes[i].result = NULL;
            }
        }
    json_object_set_new(out, "fleet", fleet);
    return out;
}
