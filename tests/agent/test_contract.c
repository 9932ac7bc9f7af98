/* test_contract.c - the agent contract (workers/agent.h) as every caller
 * sees it: the four <agent>_analyze entry points take the same progress
 * callback (common/progress.h's progress_fn) and the same NULL options, beat
 * through it with a stage name, stop with -1 and "cancelled" when it asks
 * them to, and return the seed's phase/agent labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto/snapshot.h"
#include "workers/agent.h"
#include "workers/ai_tuning/ai_tuning.h"
#include "workers/config_tuner/config_tuner.h"
#include "workers/index_advisor/index_advisor.h"
#include "workers/query_rewriter/query_rewriter.h"

/* One table, two statements, a host, settings and a short history: enough
 * input for every agent to loop over something. No target: nothing here
 * connects anywhere. */
static const char *snapshot_text =
    "{\"meta\": {\"format_version\": 1, \"collected_at\": \"2026-11-26T12:00:00Z\","
    " \"server_version_num\": 150018, \"database\": \"shop\","
    " \"stats_reset\": {\"database\": \"2026-11-20T10:00:00Z\"}},"
    " \"host\": {\"cpus\": 4, \"memory_bytes\": 17179869184, \"storage\": \"ssd\"},"
    " \"database\": {\"size_bytes\": 1073741824},"
    " \"settings\": [{\"name\": \"shared_buffers\", \"setting\": \"16384\", \"unit\": \"8kB\","
    "  \"vartype\": \"integer\", \"source\": \"default\", \"context\": \"postmaster\"}],"
    " \"tables\": [{\"schema\": \"public\", \"name\": \"orders\", \"reltuples\": 1000000.0,"
    "  \"n_live_tup\": 1000000, \"relpages\": 10000, \"total_bytes\": 81920000,"
    "  \"seq_scan\": 500, \"seq_tup_read\": 500000000, \"idx_scan\": 0}],"
    " \"columns\": [{\"schema\": \"public\", \"table\": \"orders\", \"name\": \"customer_id\","
    "  \"type\": \"integer\", \"null_frac\": 0.0, \"n_distinct\": 50000.0, \"avg_width\": 4,"
    "  \"correlation\": 0.01}],"
    " \"statements\": [{\"queryid\": 1,"
    "  \"query\": \"SELECT * FROM orders WHERE customer_id = $1 OR customer_id = $2\","
    "  \"calls\": 5000, \"total_exec_time\": 250000.0, \"mean_exec_time\": 50.0, \"rows\": 100000},"
    "  {\"queryid\": 2, \"query\": \"SELECT count(*) FROM orders\", \"calls\": 10,"
    "  \"total_exec_time\": 9000.0, \"mean_exec_time\": 900.0, \"rows\": 10}],"
    " \"history\": [{\"collected_at\": \"2026-11-26T10:00:00Z\", \"statements\": [{\"queryid\": 1,"
    "  \"calls\": 4000, \"total_exec_time\": 200000.0}]},"
    "  {\"collected_at\": \"2026-11-26T11:00:00Z\", \"statements\": [{\"queryid\": 1,"
    "  \"calls\": 4500, \"total_exec_time\": 225000.0}]}]}";

typedef int (*analyze_fn)(const json_t *snapshot, progress_fn progress, void *user, json_t **result,
                          err_t *err);

/* Each agent's entry point with its options fixed to NULL (the defaults), as
 * the worker runtime calls it through agent_def_t. */
static int run_ia(const json_t *s, progress_fn p, void *u, json_t **r, err_t *e)
{
    return index_advisor_analyze(s, NULL, p, u, r, e);
}
static int run_qr(const json_t *s, progress_fn p, void *u, json_t **r, err_t *e)
{
    return query_rewriter_analyze(s, NULL, p, u, r, e);
}
static int run_ct(const json_t *s, progress_fn p, void *u, json_t **r, err_t *e)
{
    return config_tuner_analyze(s, NULL, p, u, r, e);
}
static int run_ai(const json_t *s, progress_fn p, void *u, json_t **r, err_t *e)
{
    return ai_tuning_analyze(s, NULL, p, u, r, e);
}

static const struct {
    const char *agent;
    agent_run_fn run; /* the runtime's type: the contract's entry, opts NULL */
} agents[] = {
    {"index_advisor", run_ia},
    {"query_rewriter", run_qr},
    {"config_tuner", run_ct},
    {"ai_tuning", run_ai},
};

typedef struct {
    int beats;
    int named;     /* beats that carried a stage name */
    int cancel_at; /* answer 1 (cancel) from this beat on; 0: never */
} counter_t;

static int count_beat(void *user, const char *stage, int64_t done, int64_t total)
{
    (void)done;
    (void)total;
    counter_t *c = user;
    c->beats++;
    if (stage && *stage)
        c->named++;
    return c->cancel_at > 0 && c->beats >= c->cancel_at;
}

static json_t *snapshot(void)
{
    json_t *s = NULL;
    err_t err = {{0}};
    if (snapshot_parse_json(snapshot_text, strlen(snapshot_text), &s, &err) != 0)
        fail_msg("test snapshot: %s", err.msg);
    assert_int_equal(snapshot_validate(s, &err), 0);
    return s;
}

static void test_every_agent_beats_through_the_callback(void **state)
{
    (void)state;
    json_t *s = snapshot();
    for (size_t i = 0; i < sizeof agents / sizeof agents[0]; i++) {
        counter_t c = {0, 0, 0};
        json_t *r = NULL;
        err_t err = {{0}};
        if (agents[i].run(s, count_beat, &c, &r, &err) != 0)
            fail_msg("%s: %s", agents[i].agent, err.msg);
        assert_string_equal(json_string_value(json_object_get(r, "phase")), "OPTIMIZE");
        assert_string_equal(json_string_value(json_object_get(r, "agent")), agents[i].agent);
        if (c.beats == 0 || c.named == 0)
            fail_msg("%s: %d beats, %d with a stage name", agents[i].agent, c.beats, c.named);
        /* Without a callback the same analysis runs (progress may be NULL). */
        json_t *r2 = NULL;
        if (agents[i].run(s, NULL, NULL, &r2, &err) != 0)
            fail_msg("%s without progress: %s", agents[i].agent, err.msg);
        assert_non_null(r2);
        json_decref(r);
        json_decref(r2);
    }
    json_decref(s);
}

static void test_every_agent_stops_when_the_callback_cancels(void **state)
{
    (void)state;
    json_t *s = snapshot();
    for (size_t i = 0; i < sizeof agents / sizeof agents[0]; i++) {
        counter_t c = {0, 0, 1};
        json_t *r = NULL;
        err_t err = {{0}};
        int rc = agents[i].run(s, count_beat, &c, &r, &err);
        if (rc != -1 || r != NULL || !strstr(err.msg, "cancelled"))
            fail_msg("%s: rc %d, result %s, error \"%s\" after a cancel at the first beat",
                     agents[i].agent, rc, r ? "set" : "NULL", err.msg);
    }
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_agent_beats_through_the_callback),
        cmocka_unit_test(test_every_agent_stops_when_the_callback_cancels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
