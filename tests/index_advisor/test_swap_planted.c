/* test_swap_planted.c - the swaps of two chosen indexes for one candidate
 * and of one for two (ia_select.c, swap_pairs_pass, shapes two_out_one_in
 * and one_out_two_in) on planted databases in the fixture's PostgreSQL 15
 * with hypopg, the snapshots collected by the real collector and every
 * cost a what-if plan (test_select.c checks the same shapes on given cost
 * tables). Both tests fail with swap_pairs_pass disabled: the adding passes
 * alone end at the other set.
 *
 * Each database has three tables of 50,000 rows of about the same width,
 * one filter column each, and one statement per table, run with its own
 * constant each time. An index turns its statement's sequential scan into
 * an index scan: its gain is about calls x one scan's cost (planner cost)
 * or time (the greedy's weights, measured), its size set by the column.
 * The tables are the same size so that the measured times keep the
 * planner costs' proportions (a larger table's scan may run in parallel or
 * miss the cache), and a warm-up round runs before the statistics are
 * reset; the per-byte margins are wide because the greedy's weights are
 * measured times on a shared machine.
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

#define N "50000"
/* a unique key of w characters: 'k' and the row's number, zero-padded */
#define KEY(w) "'k' || lpad(((i * 7919) % " N ")::text, " #w " - 1, '0')"
#define PAD    "repeat(md5(i::text), 2)"

/* Runs the three statements (printf formats taking one int: a value of
 * 0-999, each call its own) calls[] times each, interleaved, after one
 * warm-up round the statistics do not count; collects the snapshot. */
static json_t *plant_run(const char *db, const char *schema, const char *const q[3],
                         const int calls[3])
{
    char ci[512], sql[256];
    PGconn *c = plant_open(db, schema, true, ci, sizeof ci);
    if (!c)
        return NULL;
    for (int t = 0; t < 3; t++) {
        snprintf(sql, sizeof sql, q[t], 3);
        pgtest_exec(c, sql);
    }
    pgtest_reset_statements(c);
    int most = calls[0] > calls[1] ? calls[0] : calls[1];
    most = most > calls[2] ? most : calls[2];
    for (int k = 0; k < most; k++)
        for (int t = 0; t < 3; t++)
            if (k < calls[t]) {
                snprintf(sql, sizeof sql, q[t], (17 + 331 * k) % 1000);
                pgtest_exec(c, sql);
            }
    json_t *snap = NULL;
    return plant_collect(c, ci, &snap) == 0 ? snap : NULL;
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

/* The selection steps that are swaps of phase swap_pairs and this shape,
 * with a planner cost saved. */
static int swap_steps(json_t *res, const char *shape)
{
    int swaps = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(json_object_get(res, "evaluation"), "selection_steps"), i, t)
    {
        const char *mv = json_string_value(json_object_get(t, "move"));
        const char *ph = json_string_value(json_object_get(t, "phase"));
        const char *sh = json_string_value(json_object_get(t, "shape"));
        if (mv && strcmp(mv, "swap") == 0 && ph && strcmp(ph, "swap_pairs") == 0 && sh &&
            strcmp(sh, shape) == 0 &&
            json_number_value(json_object_get(t, "planner_cost_saved")) > 0)
            swaps++;
    }
    return swaps;
}

/* Two out, one in. ta and tb: k of 1,000 values (50 rows each; its btree
 * deduplicates, about 0.38 MB), Q_A and Q_B 30 calls each; tc: u a unique
 * 30-character key (about 5.7x as large), Q_C 66 calls. Per call (tc.u)
 * saves a little more than (ta.k) (one row to fetch, not 50): in all it
 * saves more than (ta.k) and (tb.k) together (66 against 60 scans), per
 * byte less than half as much. The budget holds (tc.u) alone, or (ta.k)
 * and (tb.k), not (tc.u) with either: every adding pass (the greedy by
 * measured time, the fill and the second start by planner cost) takes
 * (ta.k) and (tb.k), and a one-for-one swap cannot bring (tc.u) in. The
 * advisor must recommend tc (u) alone, by a two_out_one_in swap. */
static void test_two_out_one_in(void **state)
{
    (void)state;
    static const char schema[] =
        "CREATE EXTENSION IF NOT EXISTS hypopg;"
        "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
        "CREATE TABLE ta (id int PRIMARY KEY, k int NOT NULL, pad text NOT NULL);"
        "CREATE TABLE tb (id int PRIMARY KEY, k int NOT NULL, pad text NOT NULL);"
        "CREATE TABLE tc (id int PRIMARY KEY, u text NOT NULL, pad text NOT NULL);"
        "INSERT INTO ta SELECT i, i % 1000, " PAD " FROM generate_series(1, " N ") i;"
        "INSERT INTO tb SELECT i, i % 1000, " PAD " FROM generate_series(1, " N ") i;"
        "INSERT INTO tc SELECT i, " KEY(30) ", " PAD " FROM generate_series(1, " N ") i;";
    static const char *const q[3] = {"SELECT count(*), max(pad) FROM ta WHERE k = %d",
                                     "SELECT count(*), max(pad) FROM tb WHERE k = %d",
                                     "SELECT count(*), max(pad) FROM tc WHERE u = 'k%029d'"};
    static const int calls[3] = {30, 30, 66};
    json_t *snap = plant_run("pgopt_ia_swap_two_one", schema, q, calls);
    assert_non_null(snap);
    const char *k[] = {"k"}, *u[] = {"u"};
    double a = plant_btree_bytes(snap, "ta", k, 1, NULL, 0),
           b = plant_btree_bytes(snap, "tb", k, 1, NULL, 0),
           c = plant_btree_bytes(snap, "tc", u, 1, NULL, 0);
    int64_t budget = (int64_t)(c * 1.01);
    if (!(a + b <= (double)budget && c + fmin(a, b) > (double)budget))
        fail_msg("sizes do not plant the shape: ta %.0f, tb %.0f, tc %.0f, budget %lld", a, b, c,
                 (long long)budget);
    json_t *res = plant_advise(snap, budget, NULL);
    json_decref(snap);
    if (!recommends(res, "tc (u)") || recommends(res, "ta (k)") || recommends(res, "tb (k)"))
        plant_fail_with("expected tc (u) alone, in for ta (k) and tb (k)", res);
    if (swap_steps(res, "two_out_one_in") != 1)
        plant_fail_with("expected one two_out_one_in swap of phase swap_pairs", res);
    json_decref(res);
}

/* One out, two in. tx: t a unique 49-character key; ty and tz: u a unique
 * 41-character key (a btree entry of 68 bytes against 60: (tx.t) is 1.13x
 * (ty.u)). Q_X 45 calls, Q_Y and Q_Z 30 each: (tx.t) saves the most per
 * byte (45 scans for 1.13 units, 1.3x the others'), (ty.u) and (tz.u)
 * together the most in all (60 scans against 45). The budget holds (tx.t)
 * alone, or (ty.u) and (tz.u), not (tx.t) with either: every adding pass
 * takes (tx.t) and then has no room, and a one-for-one swap loses (30
 * scans in for 45 out). The advisor must recommend ty (u) and tz (u), by a
 * one_out_two_in swap. */
static void test_one_out_two_in(void **state)
{
    (void)state;
    static const char schema[] =
        "CREATE EXTENSION IF NOT EXISTS hypopg;"
        "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
        "CREATE TABLE tx (id int PRIMARY KEY, t text NOT NULL, pad text NOT NULL);"
        "CREATE TABLE ty (id int PRIMARY KEY, u text NOT NULL, pad text NOT NULL);"
        "CREATE TABLE tz (id int PRIMARY KEY, u text NOT NULL, pad text NOT NULL);"
        "INSERT INTO tx SELECT i, " KEY(49) ", " PAD " FROM generate_series(1, " N ") i;"
                                            "INSERT INTO ty SELECT i, " KEY(
                                                41) ", " PAD " FROM generate_series(1, " N ") i;"
                                                    "INSERT INTO tz SELECT i, " KEY(
                                                        41) ", " PAD " FROM generate_series(1, " N
                                                            ") i;";
    static const char *const q[3] = {"SELECT count(*), max(pad) FROM tx WHERE t = 'k%048d'",
                                     "SELECT count(*), max(pad) FROM ty WHERE u = 'k%040d'",
                                     "SELECT count(*), max(pad) FROM tz WHERE u = 'k%040d'"};
    static const int calls[3] = {45, 30, 30};
    json_t *snap = plant_run("pgopt_ia_swap_one_two", schema, q, calls);
    assert_non_null(snap);
    const char *t[] = {"t"}, *u[] = {"u"};
    double x = plant_btree_bytes(snap, "tx", t, 1, NULL, 0),
           y = plant_btree_bytes(snap, "ty", u, 1, NULL, 0),
           z = plant_btree_bytes(snap, "tz", u, 1, NULL, 0);
    int64_t budget = (int64_t)(fmax(x, y + z) * 1.01);
    if (!(x + fmin(y, z) > (double)budget))
        fail_msg("sizes do not plant the shape: tx %.0f, ty %.0f, tz %.0f, budget %lld", x, y, z,
                 (long long)budget);
    json_t *res = plant_advise(snap, budget, NULL);
    json_decref(snap);
    if (recommends(res, "tx (t)") || !recommends(res, "ty (u)") || !recommends(res, "tz (u)"))
        plant_fail_with("expected ty (u) and tz (u), in for tx (t)", res);
    if (swap_steps(res, "one_out_two_in") != 1)
        plant_fail_with("expected one one_out_two_in swap of phase swap_pairs", res);
    json_decref(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_out_one_in),
        cmocka_unit_test(test_one_out_two_in),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
