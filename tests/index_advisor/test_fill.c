/* test_fill.c - the index advisor's steps after the greedy (issue 15), on a
 * small planted schema in the fixture's PostgreSQL 15 with hypopg, the
 * snapshot collected by the real collector:
 *
 *  - index merging: two correlated subqueries probe items by pk, one
 *    aggregating qty, the other filtering sk and summing price. Each
 *    statement's own candidates hold only its columns; with a budget for
 *    one index on items, the advisor recommends one index led by pk that
 *    holds sk and qty (a merged candidate: (pk) INCLUDE (qty) with
 *    (pk, sk)), claimed by both statements, within the budget;
 *  - budget filling: with the greedy's step threshold set high
 *    (index_min_gain_fraction 0.9: only the indexes that save most of the
 *    workload's time pass it), the budget is still filled by planner cost:
 *    the two single-column filters on parts get their indexes from fill
 *    steps, within the budget; with a budget smaller than any candidate,
 *    nothing is recommended.
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
#include "workers/index_advisor/ia_internal.h"
#include "workers/index_advisor/index_advisor.h"

#define DB "pgopt_ia_fill"

static char conninfo[512];
static json_t *g_snap;

static const char *schema_sql =
    "CREATE EXTENSION IF NOT EXISTS hypopg;"
    "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
    "CREATE TABLE parts (id int PRIMARY KEY, kind int NOT NULL, sk int NOT NULL,"
    "  threshold numeric NOT NULL, limit_price numeric NOT NULL, color int NOT NULL,"
    "  shape int NOT NULL, note text);"
    "CREATE TABLE items (id int PRIMARY KEY, pk int NOT NULL, sk int NOT NULL,"
    "  qty numeric NOT NULL, price numeric NOT NULL, note text NOT NULL);"
    "INSERT INTO parts SELECT i, i % 50, i % 10, 20 + i % 7, 1000 + i % 13, i % 997,"
    "  (i * 7) % 991, md5(i::text) FROM generate_series(1, 20000) i;"
    "INSERT INTO items SELECT i, 1 + (i * 7919) % 20000, i % 10, 1 + i % 50, 10 + i % 100,"
    "  md5(i::text) FROM generate_series(1, 200000) i;";

/* The two correlated subqueries (merging) and two plain filters on the
 * small table (filling). */
static const char *const workload[] = {
    "SELECT count(*) FROM parts p WHERE p.kind = 7 AND p.threshold < "
    "(SELECT avg(i.qty) FROM items i WHERE i.pk = p.id)",
    "SELECT count(*) FROM parts p WHERE p.kind = 9 AND p.limit_price < "
    "(SELECT sum(i.price) FROM items i WHERE i.pk = p.id AND i.sk = p.sk)",
    "SELECT note FROM parts WHERE color = 5",
    "SELECT note FROM parts WHERE shape = 11",
};

static int setup(void **state)
{
    (void)state;
    PGconn *c = plant_open(DB, schema_sql, true, conninfo, sizeof conninfo);
    if (!c)
        return -1;
    for (size_t i = 0; i < sizeof workload / sizeof workload[0]; i++)
        for (int k = 0; k < 2; k++)
            pgtest_exec(c, workload[i]);
    return plant_collect(c, conninfo, &g_snap);
}

static int teardown(void **state)
{
    (void)state;
    json_decref(g_snap);
    return 0;
}

/* The agent on the snapshot with this budget (bytes) and, with min_gain
 * >= 0, that index_min_gain_fraction. */
static json_t *run(int64_t budget, double min_gain)
{
    return plant_advise(g_snap, budget,
                        min_gain >= 0 ? json_pack("{s:f}", "index_min_gain_fraction", min_gain)
                                      : NULL);
}

static void test_merged_index_serves_both_subqueries(void **state)
{
    (void)state;
    /* room for the widest merged index, not for two indexes led by pk */
    const char *keys[] = {"pk", "sk"}, *incl[] = {"qty", "price"};
    double merged = plant_btree_bytes(g_snap, "items", keys, 2, incl, 2);
    const char *k1[] = {"pk"}, *i1[] = {"qty"};
    double smallest = plant_btree_bytes(g_snap, "items", k1, 1, i1, 1);
    int64_t budget = (int64_t)(merged + 0.5 * smallest);
    json_t *res = run(budget, -1);
    json_t *recs = json_object_get(res, "recommendations");
    int on_items = 0;
    json_t *hit = NULL;
    size_t k;
    json_t *r;
    json_array_foreach(recs, k, r)
    {
        const char *ddl = json_string_value(json_object_get(r, "create_statement"));
        if (!strstr(ddl, " public.items ") && !strstr(ddl, " items "))
            continue;
        on_items++;
        /* sk comes from the second statement's candidates, qty from the
         * first's: no per-statement candidate holds both */
        if (strstr(ddl, "(pk") && strstr(ddl, "sk") && strstr(ddl, "qty"))
            hit = r;
    }
    if (on_items != 1 || !hit)
        plant_fail_with("expected one index on items, led by pk, holding sk and qty", res);
    if (!plant_claims(g_snap, hit, "avg(i.qty)", NULL) ||
        !plant_claims(g_snap, hit, "sum(i.price)", NULL))
        plant_fail_with("the merged index must be claimed by both subquery statements", res);
    json_t *ev = json_object_get(res, "evaluation");
    double used = json_number_value(json_object_get(ev, "storage_used_bytes"));
    if (!(used <= (double)budget))
        fail_msg("storage used %.0f exceeds the budget %lld", used, (long long)budget);
    json_decref(res);
}

static void test_fill_after_greedy_threshold(void **state)
{
    (void)state;
    /* the greedy's threshold above any single index's time gain: only the
     * planner-cost passes can choose; the budget holds the two small
     * single-column indexes on parts and the merged items index */
    const char *keys[] = {"pk", "sk"}, *incl[] = {"qty", "price"};
    const char *kc[] = {"color"}, *ks[] = {"shape"};
    double need = plant_btree_bytes(g_snap, "items", keys, 2, incl, 2) +
                  plant_btree_bytes(g_snap, "parts", kc, 1, NULL, 0) +
                  plant_btree_bytes(g_snap, "parts", ks, 1, NULL, 0);
    int64_t budget = (int64_t)(need * 1.05);
    json_t *res = run(budget, 0.9);
    json_t *recs = json_object_get(res, "recommendations");
    int color = 0, shape = 0;
    size_t k;
    json_t *r;
    json_array_foreach(recs, k, r)
    {
        const char *ddl = json_string_value(json_object_get(r, "create_statement"));
        color |= strstr(ddl, "(color") != NULL;
        shape |= strstr(ddl, "(shape") != NULL;
    }
    if (!color || !shape)
        plant_fail_with("the fill did not add parts (color) and parts (shape)", res);
    json_t *ev = json_object_get(res, "evaluation");
    /* the greedy stopped above them; the fill added both */
    json_t *steps = json_object_get(ev, "selection_steps");
    int filled = 0, greedy = 0;
    json_array_foreach(steps, k, r)
    {
        const char *mv = json_string_value(json_object_get(r, "move"));
        const char *ph = json_string_value(json_object_get(r, "phase"));
        const char *ix = json_string_value(json_object_get(r, "index"));
        if (mv && strcmp(mv, "add") == 0 && ix && (strstr(ix, "color") || strstr(ix, "shape")))
            *(ph && strcmp(ph, "fill") == 0 ? &filled : &greedy) += 1;
    }
    if (filled < 2 || greedy != 0)
        plant_fail_with("parts (color) and (shape) must come from fill steps, not the greedy", res);
    double used = json_number_value(json_object_get(ev, "storage_used_bytes"));
    if (!(used <= (double)budget))
        fail_msg("storage used %.0f exceeds the budget %lld", used, (long long)budget);
    json_decref(res);

    /* a budget below the smallest candidate: nothing fits, nothing is added */
    res = run(4096, 0.9);
    if (json_array_size(json_object_get(res, "recommendations")) != 0)
        plant_fail_with("a 4 kB budget holds no index", res);
    json_decref(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merged_index_serves_both_subqueries),
        cmocka_unit_test(test_fill_after_greedy_threshold),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
