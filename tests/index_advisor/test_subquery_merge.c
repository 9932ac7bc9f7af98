/* test_subquery_merge.c - a correlated subquery's key candidate merged
 * with another statement's two-column candidate led by the same column
 * (issue 15, ia_candidates.c merge_subquery_keys), on a planted schema in
 * the fixture's PostgreSQL 15 with hypopg, the snapshot collected by the
 * real collector.
 *
 * line has 40,000 rows: pk 200 values (200 rows each), sk 1,000, q 100,000,
 * and a 100-byte pad. One statement has TPC-H Q17's shape: for the part of
 * a brand, the lines whose q is below a fifth of that part's average q, a
 * correlated subquery probed once per joined line (200 times); its candidates are (pk)
 * INCLUDE (q) and (pk, q). Another counts the rows of one pk with sk
 * above a value; its candidates include (pk, sk). One index (pk, sk, q) or
 * (pk, q, sk) serves both by index-only scans: the subquery reads q from
 * it, the other statement pk and sk. With a budget for one three-column
 * index and not for two two-column ones, the advisor recommends the
 * merged index, claimed by both statements; without the merge (the
 * candidate does not exist) it recommends (pk, q) or (pk) INCLUDE (q), and
 * the count visits the 200 heap rows of its pk.
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

#define DB "pgopt_ia_subquery_merge"

static char conninfo[512];
static json_t *g_snap;

static const char *schema_sql =
    "CREATE EXTENSION IF NOT EXISTS hypopg;"
    "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
    "CREATE TABLE part (id int PRIMARY KEY, brand int NOT NULL, name text NOT NULL);"
    "INSERT INTO part SELECT i, i % 200, md5(i::text) FROM generate_series(1, 200) i;"
    "CREATE TABLE line (id int PRIMARY KEY, pk int NOT NULL, sk int NOT NULL, q int NOT NULL,"
    "  pad text NOT NULL);"
    "INSERT INTO line SELECT i, 1 + i % 200, 1 + abs(hashint4(i)) % 1000, 1 + abs(hashint4(3 * i)) "
    "% 100000,"
    "  repeat(md5(i::text), 3) FROM generate_series(1, 40000) i;";

#define Q_SUBQUERY                                                                                 \
    "SELECT sum(l.q) FROM line l, part p WHERE p.id = l.pk AND p.brand = 7 AND l.q < "             \
    "(SELECT 0.2 * avg(l2.q) FROM line l2 WHERE l2.pk = p.id)"
#define Q_PK_SK "SELECT count(*) FROM line WHERE pk = 17 AND sk > 500"

static int setup(void **state)
{
    (void)state;
    PGconn *c = plant_open(DB, schema_sql, true, conninfo, sizeof conninfo);
    if (!c)
        return -1;
    for (int k = 0; k < 2; k++) {
        pgtest_exec(c, Q_SUBQUERY);
        pgtest_exec(c, Q_PK_SK);
    }
    return plant_collect(c, conninfo, &g_snap);
}

static int teardown(void **state)
{
    (void)state;
    json_decref(g_snap);
    return 0;
}

static void test_subquery_key_merged(void **state)
{
    (void)state;
    /* room for one three-column index, not for two two-column ones */
    const char *three[] = {"pk", "sk", "q"}, *two[] = {"pk", "q"};
    double b3 = plant_btree_bytes(g_snap, "line", three, 3, NULL, 0),
           b2 = plant_btree_bytes(g_snap, "line", two, 2, NULL, 0);
    assert_true(b3 < 2 * b2);
    int64_t budget = (int64_t)(b3 + 0.5 * (2 * b2 - b3));
    json_t *res = plant_advise(g_snap, budget, NULL);
    json_t *hit = NULL;
    size_t k;
    json_t *r;
    json_array_foreach(json_object_get(res, "recommendations"), k, r)
    {
        const char *ddl = json_string_value(json_object_get(r, "create_statement"));
        if (strstr(ddl, "line (pk, sk, q);") || strstr(ddl, "line (pk, q, sk);"))
            hit = r;
    }
    if (!hit)
        plant_fail_with("expected line (pk, sk, q) or (pk, q, sk), serving both statements", res);
    if (!plant_claims(g_snap, hit, "avg", NULL) || !plant_claims(g_snap, hit, "count(*)", NULL))
        plant_fail_with("the merged index must be claimed by both statements", res);
    json_decref(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subquery_key_merged),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
