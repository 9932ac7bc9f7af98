/* test_swap_planted.c - the swap of two chosen indexes for one candidate
 * (ia_select.c, swap_pairs_pass, shape two_out_one_in) on a planted
 * database in the fixture's PostgreSQL 15 with hypopg, the snapshot
 * collected by the real collector and every cost a what-if plan
 * (test_select.c checks the same shape on given cost tables).
 *
 * Three tables of 50,000 rows and the same width (one sequential scan
 * costs and takes the same on each). ta and tb have a filter column k of
 * 1,000 values (50 rows each: its btree deduplicates, about 0.38 MB); tc
 * a column u of distinct values (about 1.1 MB, 2.9x as large). Q_A and
 * Q_B run 10 times each, Q_C 24 times, each with its own constant. An
 * index turns its statement's sequential scan into an index scan, so its
 * gain is about calls x one scan's cost (or time): (ta.k) and (tb.k) gain
 * 10 scans each for 0.38 MB, (tc.u) 24 scans for 1.1 MB - less per byte
 * (by about 20%), more in all (24 against 20 for the other two together).
 * The budget holds (tc.u) alone, or (ta.k) and (tb.k), not (tc.u) with
 * either: every adding pass (the greedy by measured time, the fill and the
 * second start by planner cost) takes (ta.k) and (tb.k) by gain per byte,
 * and a one-for-one swap cannot bring (tc.u) in. Only the two-for-one
 * exchange reaches the set with the lower planner cost: the advisor must
 * recommend (tc.u) alone, by a "swap" step of phase swap_pairs. With
 * swap_pairs_pass disabled it recommends ta (k) and tb (k), and this test
 * fails. Same-sized tables keep the measured times in the planner costs'
 * proportions (a larger table's scan may run parallel or miss the cache).
 */
#include <math.h>
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
#include "workers/index_advisor/ia_internal.h"
#include "workers/index_advisor/index_advisor.h"

#define DB "pgopt_ia_swap_planted"

static char conninfo[512];
static json_t *g_snap;

#define N "50000"
static const char *schema_sql =
    "CREATE EXTENSION IF NOT EXISTS hypopg;"
    "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
    "CREATE TABLE ta (id int PRIMARY KEY, k int NOT NULL, pad text NOT NULL);"
    "CREATE TABLE tb (id int PRIMARY KEY, k int NOT NULL, pad text NOT NULL);"
    "CREATE TABLE tc (id int PRIMARY KEY, u int NOT NULL, pad text NOT NULL);"
    "INSERT INTO ta SELECT i, i % 1000, repeat(md5(i::text), 2) FROM generate_series(1, " N ") i;"
    "INSERT INTO tb SELECT i, i % 1000, repeat(md5(i::text), 2) FROM generate_series(1, " N ") i;"
    "INSERT INTO tc SELECT i, (i * 7919) % " N ", repeat(md5(i::text), 2)"
    "  FROM generate_series(1, " N ") i;";

#define Q_A "SELECT count(*), max(pad) FROM ta WHERE k = %d"
#define Q_B "SELECT count(*), max(pad) FROM tb WHERE k = %d"
#define Q_C "SELECT count(*), max(pad) FROM tc WHERE u = %d"

static int setup(void **state)
{
    (void)state;
    PGconn *c = plant_open(DB, schema_sql, true, conninfo, sizeof conninfo);
    if (!c)
        return -1;
    char q[128];
    for (int k = 0; k < 24; k++) {
        if (k < 10) {
            snprintf(q, sizeof q, Q_A, 17 + 31 * k);
            pgtest_exec(c, q);
            snprintf(q, sizeof q, Q_B, 17 + 31 * k);
            pgtest_exec(c, q);
        }
        snprintf(q, sizeof q, Q_C, 17 + 1013 * k);
        pgtest_exec(c, q);
    }
    return plant_collect(c, conninfo, &g_snap);
}

static int teardown(void **state)
{
    (void)state;
    json_decref(g_snap);
    return 0;
}

static int recommends(json_t *res, const char *needle)
{
    size_t k;
    json_t *r;
    json_array_foreach(json_object_get(res, "recommendations"), k, r)
    {
        const char *ddl = json_string_value(json_object_get(r, "create_statement"));
        if (ddl && strstr(ddl, needle))
            return 1;
    }
    return 0;
}

static void test_two_out_one_in(void **state)
{
    (void)state;
    const char *k[] = {"k"}, *u[] = {"u"};
    double a = plant_btree_bytes(g_snap, "ta", k, 1, NULL, 0),
           b = plant_btree_bytes(g_snap, "tb", k, 1, NULL, 0),
           c = plant_btree_bytes(g_snap, "tc", u, 1, NULL, 0);
    /* (tc.u) fits alone, (ta.k) and (tb.k) together, (tc.u) with neither */
    int64_t budget = (int64_t)(c * 1.01);
    if (!(a + b <= (double)budget && c + fmin(a, b) > (double)budget))
        fail_msg("sizes do not plant the shape: ta %.0f, tb %.0f, tc %.0f, budget %lld", a, b, c,
                 (long long)budget);
    json_t *snap = json_deep_copy(g_snap);
    json_object_set_new(snap, "options",
                        json_pack("{s:I, s:f}", "index_budget_bytes", (json_int_t)budget,
                                  "index_min_unused_window_s", 0.0));
    json_t *res = NULL;
    err_t err;
    if (index_advisor_analyze(snap, NULL, NULL, NULL, &res, &err) != 0)
        fail_msg("index_advisor_analyze: %s", err.msg);
    json_decref(snap);
    if (!recommends(res, "tc (u)") || recommends(res, "ta (k)") || recommends(res, "tb (k)"))
        plant_fail_with("expected tc (u) alone, in for ta (k) and tb (k)", res);
    /* and it came in by the two-for-one exchange */
    int swaps = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(json_object_get(res, "evaluation"), "selection_steps"), i, t)
    {
        const char *mv = json_string_value(json_object_get(t, "move"));
        const char *ph = json_string_value(json_object_get(t, "phase"));
        const char *sh = json_string_value(json_object_get(t, "shape"));
        if (mv && strcmp(mv, "swap") == 0 && ph && strcmp(ph, "swap_pairs") == 0 && sh &&
            strcmp(sh, "two_out_one_in") == 0 && json_object_get(t, "planner_cost_saved") &&
            json_number_value(json_object_get(t, "planner_cost_saved")) > 0)
            swaps++;
    }
    if (swaps != 1)
        plant_fail_with("expected one two_out_one_in swap of phase swap_pairs", res);
    json_decref(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_out_one_in),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
