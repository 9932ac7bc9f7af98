/* test_prefix.c - candidates an existing index serves (issue 15), on a
 * planted schema in the fixture's PostgreSQL 15 with hypopg, the snapshot
 * collected by the real collector:
 *
 *  - a strict key prefix of an existing btree is a candidate: events has
 *    the primary key (account, ref) with a 32-byte text ref; a range
 *    count on account reads it by an index-only scan. A btree on
 *    (account) alone is narrower (and deduplicated: 100 rows per account),
 *    so the advisor recommends events (account), claimed by that
 *    statement - and, built for real, that index lowers the statement's
 *    planner cost (the premise, checked here rather than assumed);
 *  - an exact copy of an existing index is not: accounts is read by its
 *    primary key; a second (id) index would lower only hypothetical plans
 *    (hypopg sizes a new index below the real one), so nothing is
 *    recommended on accounts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/index_advisor/plant.h"
#include "tests/support/pgtest.h"
#include "workers/index_advisor/index_advisor.h"

#define DB "pgopt_ia_prefix"

static char conninfo[512];
static json_t *g_snap;

static const char *schema_sql =
    "CREATE EXTENSION IF NOT EXISTS hypopg;"
    "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
    "CREATE TABLE events (account int NOT NULL, ref text NOT NULL, amount numeric NOT NULL,"
    "  PRIMARY KEY (account, ref));"
    "CREATE TABLE accounts (id int PRIMARY KEY, region int NOT NULL, name text NOT NULL);"
    "INSERT INTO events SELECT 1 + i / 100, md5(i::text), i % 97"
    "  FROM generate_series(0, 199999) i;"
    "INSERT INTO accounts SELECT i, i % 7, 'account ' || i FROM generate_series(1, 2000) i;";

#define RANGE_COUNT                                                                                \
    "SELECT account, count(*) FROM events WHERE account BETWEEN 100 AND 300 GROUP BY account"
#define BY_ID "SELECT name FROM accounts WHERE id = 42"

static const char *const workload[] = {RANGE_COUNT, BY_ID};

static int setup(void **state)
{
    (void)state;
    PGconn *c = plant_open(DB, schema_sql, true, conninfo, sizeof conninfo);
    if (!c)
        return -1;
    for (size_t i = 0; i < sizeof workload / sizeof workload[0]; i++)
        for (int k = 0; k < 3; k++)
            pgtest_exec(c, workload[i]);
    return plant_collect(c, conninfo, &g_snap);
}

static int teardown(void **state)
{
    (void)state;
    json_decref(g_snap);
    return 0;
}

static void fail_with(const char *what, json_t *res)
{
    char *d = json_dumps(json_object_get(res, "recommendations"), JSON_INDENT(1));
    char *n = json_dumps(json_object_get(res, "notes"), JSON_INDENT(1));
    fprintf(stderr, "recommendations: %s\nnotes: %s\n", d, n);
    free(d);
    free(n);
    fail_msg("%s", what);
}

/* The planner's total cost of sql on the test database (real indexes). */
static double plan_cost(PGconn *c, const char *sql)
{
    char q[1024];
    snprintf(q, sizeof q, "EXPLAIN (FORMAT JSON) %s", sql);
    char *j = pgtest_scalar(c, q);
    assert_non_null(j);
    json_t *plan = json_loads(j, 0, NULL);
    free(j);
    assert_non_null(plan);
    double cost = json_number_value(
        json_object_get(json_object_get(json_array_get(plan, 0), "Plan"), "Total Cost"));
    json_decref(plan);
    assert_true(cost > 0);
    return cost;
}

static void test_prefix_recommended_copy_not(void **state)
{
    (void)state;
    json_t *snap = json_deep_copy(g_snap);
    json_object_set_new(snap, "options", json_pack("{s:f}", "index_min_unused_window_s", 0.0));
    json_t *res = NULL;
    err_t err;
    if (index_advisor_analyze(snap, NULL, NULL, NULL, &res, &err) != 0)
        fail_msg("index_advisor_analyze: %s", err.msg);
    json_decref(snap);
    json_t *prefix = NULL;
    size_t k;
    json_t *r;
    json_array_foreach(json_object_get(res, "recommendations"), k, r)
    {
        const char *ddl = json_string_value(json_object_get(r, "create_statement"));
        if (strstr(ddl, "accounts"))
            fail_with("nothing should be recommended on accounts (a copy of its key)", res);
        if (strstr(ddl, "events (account);"))
            prefix = r;
    }
    if (!prefix)
        fail_with("expected events (account), a strict prefix of the primary key", res);
    if (json_array_size(json_object_get(prefix, "affected_queryids")) != 1)
        fail_with("events (account) must be claimed by the range count", res);

    /* the premise: the real index lowers the statement's cost */
    PGconn *c = pgtest_connect(DB);
    double before = plan_cost(c, RANGE_COUNT);
    pgtest_exec(c, "CREATE INDEX pgopt_test_prefix ON events (account)");
    double after = plan_cost(c, RANGE_COUNT);
    pgtest_exec(c, "DROP INDEX pgopt_test_prefix");
    PQfinish(c);
    if (!(after < 0.95 * before))
        fail_msg("the real events (account) index costs %.1f against %.1f without it", after,
                 before);
    json_decref(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix_recommended_copy_not),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
