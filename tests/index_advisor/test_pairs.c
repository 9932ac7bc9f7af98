/* test_pairs.c - two filter columns of one statement in the order that
 * serves the workload (issue 15), on a planted schema in the fixture's
 * PostgreSQL 15 with hypopg, the snapshot collected by the real collector.
 *
 * items has 200,000 rows with a 100-byte pad; size has 50 values, brand
 * 100. One statement filters on size alone, another on size and brand.
 * Ranked by selectivity the second one's composite is (brand, size); it
 * serves that statement only (PostgreSQL 15 has no skip scan). (size,
 * brand) serves both: the first by its leading key, the second checking
 * brand in the index instead of on 4,000 heap rows. With a budget for one
 * two-column index and not for two indexes, the advisor recommends items
 * (size, brand), claimed by both statements - a candidate only the pair
 * rule (ia_candidates.c, gen_filter_pairs) generates; without it the
 * advisor recommends (size) or (brand, size) and leaves one statement
 * reading 4,000 heap rows or the whole table.
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

#define DB "pgopt_ia_pairs"

static char conninfo[512];
static json_t *g_snap;

static const char *schema_sql =
    "CREATE EXTENSION IF NOT EXISTS hypopg;"
    "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
    "CREATE TABLE items (id int PRIMARY KEY, size int NOT NULL, brand int NOT NULL,"
    "  pad text NOT NULL);"
    "INSERT INTO items SELECT i, 1 + i % 50, 1 + (i / 50) % 100, repeat(md5(i::text), 3)"
    "  FROM generate_series(1, 200000) i;";

#define BY_SIZE       "SELECT count(*), max(pad) FROM items WHERE size = 17"
#define BY_SIZE_BRAND "SELECT max(pad) FROM items WHERE size = 17 AND brand = 42"

static int setup(void **state)
{
    (void)state;
    PGconn *c = plant_open(DB, schema_sql, true, conninfo, sizeof conninfo);
    if (!c)
        return -1;
    for (int k = 0; k < 3; k++) {
        pgtest_exec(c, BY_SIZE);
        pgtest_exec(c, BY_SIZE_BRAND);
    }
    return plant_collect(c, conninfo, &g_snap);
}

static int teardown(void **state)
{
    (void)state;
    json_decref(g_snap);
    return 0;
}

static void test_pair_led_by_shared_column(void **state)
{
    (void)state;
    /* room for one two-column index, not for a single-column one next to it */
    const char *pair[] = {"size", "brand"}, *one[] = {"size"};
    double two = plant_btree_bytes(g_snap, "items", pair, 2, NULL, 0),
           single = plant_btree_bytes(g_snap, "items", one, 1, NULL, 0);
    int64_t budget = (int64_t)(two + 0.5 * single);
    json_t *res = plant_advise(g_snap, budget, NULL);
    json_t *hit = NULL;
    size_t k;
    json_t *r;
    json_array_foreach(json_object_get(res, "recommendations"), k, r)
    {
        const char *ddl = json_string_value(json_object_get(r, "create_statement"));
        if (strstr(ddl, "items (size, brand);"))
            hit = r;
    }
    if (!hit)
        plant_fail_with("expected items (size, brand), the index serving both statements", res);
    if (!plant_claims(g_snap, hit, "size", "brand") || !plant_claims(g_snap, hit, "brand", NULL))
        plant_fail_with("items (size, brand) must be claimed by both statements", res);
    json_decref(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pair_led_by_shared_column),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
