/* test_params.c - pg_stat_statements texts whose parameters PostgreSQL
 * cannot type on its own are planned with hypothetical indexes (issue 15):
 *
 *  - extract($1 FROM col): the field name, which the grammar does not take
 *    as a parameter;
 *  - sum(CASE WHEN ... THEN $2 ELSE $3 END): unknown results resolve to
 *    text, sum(text) does not exist;
 *  - col BETWEEN $3 - $4 AND $5 + $6: operator is not unique: unknown -
 *    unknown (and "date $1 - $2", where $2 would be taken as a date).
 *
 * Real PostgreSQL 15 (the fixture), real pg_stat_statements texts from a
 * workload with literals, common/sqlparams + common/whatif, and the agent
 * on the collected snapshot: every statement planned, none on the cost
 * model, and two runs on the same snapshot give the same recommendations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/sqlparams.h"
#include "common/whatif.h"
#include "coordinator/collect/collect.h"
#include "tests/support/pgtest.h"
#include "workers/index_advisor/index_advisor.h"

#define DB "pgopt_ia_params"

static char conninfo[512];

static const char *schema_sql =
    "CREATE EXTENSION IF NOT EXISTS hypopg;"
    "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
    /* autovacuum off: the determinism check below plans the workload twice,
     * and an autovacuum between the two runs (these inserts cross its
     * thresholds) can change the visibility map or the statistics under
     * them; "two runs differ" was seen in loaded suites, not reproduced
     * alone, and this is the one input the test did not hold still */
    "CREATE TABLE orders (o_orderkey int PRIMARY KEY, o_custkey int NOT NULL,"
    "  o_orderdate date NOT NULL) WITH (autovacuum_enabled = off);"
    "CREATE TABLE items (l_orderkey int NOT NULL, l_partkey int NOT NULL,"
    "  l_quantity numeric NOT NULL, l_flag text NOT NULL, l_shipdate date NOT NULL)"
    "  WITH (autovacuum_enabled = off);"
    "INSERT INTO orders SELECT i, 1 + (i * 7919) % 10000, date '1992-01-01' + i % 2400"
    "  FROM generate_series(1, 100000) i;"
    "INSERT INTO items SELECT i / 4, 1 + (i * 31) % 20000, 1 + i % 50,"
    "  (ARRAY['R','A','N'])[1 + i % 3], date '1992-01-01' + (i * 13) % 2400"
    "  FROM generate_series(1, 200000) i;"
    "ANALYZE;";

/* The three forms, as the application sends them (literals: pg_stat_statements
 * turns them into $n). */
static const char *const workload[3] = {
    "SELECT extract(year FROM o_orderdate), count(*) FROM orders WHERE o_custkey = %d GROUP BY 1",
    "SELECT sum(CASE WHEN l_flag = 'R' THEN 1 ELSE 0 END) FROM items WHERE l_partkey = %d",
    "SELECT count(*) FROM items WHERE l_partkey BETWEEN %d - 2 AND %d + 2 AND l_shipdate BETWEEN "
    "date '1995-06-01' - 3 AND date '1995-06-01' + 3",
};
/* What identifies each normalized text in pg_stat_statements. */
static const char *const needle[3] = {"extract(", "CASE WHEN", "BETWEEN"};
/* The hypothetical index that serves it. */
static const char *const index_sql[3] = {
    "CREATE INDEX ON orders (o_custkey)",
    "CREATE INDEX ON items (l_partkey)",
    "CREATE INDEX ON items (l_shipdate)",
};

static int setup(void **state)
{
    (void)state;
    if (pgtest_conninfo(DB, conninfo, sizeof conninfo) != 0) {
        fprintf(stderr, "no PostgreSQL fixture (PGOPT_TEST_PGENV)\n");
        return -1;
    }
    if (pgtest_create_db(DB) != 0)
        return -1;
    PGconn *c = pgtest_connect(DB);
    pgtest_exec(c, schema_sql);
    pgtest_exec(c, "VACUUM ANALYZE");
    pgtest_reset_statements(c);
    char sql[512];
    for (int i = 0; i < 30; i++) {
        snprintf(sql, sizeof sql, workload[0], 1 + i * 37);
        pgtest_exec(c, sql);
        snprintf(sql, sizeof sql, workload[1], 1 + i * 41);
        pgtest_exec(c, sql);
        snprintf(sql, sizeof sql, workload[2], 100 + i * 43, 100 + i * 43);
        pgtest_exec(c, sql);
    }
    PQfinish(c);
    return 0;
}

/* The normalized text of workload form i. malloc()ed. */
static char *normalized(int i)
{
    PGconn *c = pgtest_connect(DB);
    char sql[400];
    snprintf(sql, sizeof sql,
             "SELECT query FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database "
             "WHERE datname = current_database()) AND query LIKE '%%%s%%' AND query NOT LIKE "
             "'%%pg_stat_statements%%' AND query LIKE 'SELECT%%' ORDER BY calls DESC LIMIT 1",
             needle[i]);
    char *q = pgtest_scalar(c, sql);
    PQfinish(c);
    return q;
}

static const char *coltype(void *user, const char *schema, const char *table, const char *column)
{
    (void)user;
    (void)schema;
    static const char *const map[][3] = {
        {"orders", "o_orderkey", "integer"}, {"orders", "o_custkey", "integer"},
        {"orders", "o_orderdate", "date"},   {"items", "l_orderkey", "integer"},
        {"items", "l_partkey", "integer"},   {"items", "l_quantity", "numeric"},
        {"items", "l_flag", "text"},         {"items", "l_shipdate", "date"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], table) == 0 && strcmp(map[i][1], column) == 0)
            return map[i][2];
    return NULL;
}

/* Each form: the server refuses the text without declared types; with the
 * types sqlparams infers it plans it, and a hypothetical index on the
 * filtered column lowers the cost. */
static void test_three_forms_plan_with_hypothetical_indexes(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        char *q = normalized(i);
        assert_non_null(q);
        assert_non_null(strchr(q, '$')); /* normalized by pg_stat_statements */
        whatif_t *w = NULL;
        err_t err;
        assert_int_equal(whatif_open(conninfo, 10000, &w, &err), 0);
        double undeclared;
        int rc = whatif_cost(w, q, NULL, 0, NULL, &undeclared);
        if (rc == 0)
            fail_msg("form %d planned without declared types - the test no longer covers the "
                     "problem: %s",
                     i, q);
        sqlparams_t *p = NULL;
        assert_int_equal(sqlparams_infer(q, coltype, NULL, &p, &err), 0);
        assert_true(p->n >= 2);
        if (i == 0) {
            assert_int_equal(p->kind[0], SQLPARAM_REMOVED); /* the extract field */
        } else if (i == 1) {
            /* THEN $2 ELSE $3 under sum(): numeric, not text */
            assert_string_equal(p->types[1], "numeric");
            assert_string_equal(p->types[2], "numeric");
        } else {
            /* l_partkey BETWEEN $1 - $2 AND $3 + $4: integers; date $5 - $6:
             * the day count is an integer (date - integer is a date) */
            for (int k = 0; k < 4; k++)
                assert_string_equal(p->types[k], "integer");
            assert_string_equal(p->types[5], "integer");
        }
        assert_int_equal(whatif_declare_param_types(w, q, (const char *const *)p->types, p->n), 0);
        double before, after;
        if (whatif_cost(w, q, NULL, 0, NULL, &before) != 0)
            fail_msg("form %d not planned with declared types: %s (%s)", i, whatif_error(w), q);
        unsigned oid;
        assert_int_equal(whatif_index_create(w, index_sql[i], &oid, NULL), 0);
        assert_int_equal(whatif_cost(w, q, NULL, 0, NULL, &after), 0);
        if (!(after < before * 0.5))
            fail_msg("form %d: hypothetical index %s did not lower the cost (%.1f -> %.1f)", i,
                     index_sql[i], before, after);
        sqlparams_destroy(&p);
        sqlparams_destroy(&p); /* safe twice */
        whatif_destroy(&w);
        free(q);
    }
}

/* The agent on the collected snapshot: each form is planned (listed nowhere
 * in statements_not_planned), its index is recommended from what-if plans,
 * and the extract field's binding is shown as evidence. */
static void test_agent_plans_every_statement(void **state)
{
    (void)state;
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = conninfo;
    o.include_target_dsn = 1;
    json_t *snap = NULL;
    err_t err;
    if (collect_snapshot(&o, &snap, &err) != 0)
        fail_msg("collect_snapshot: %s", err.msg);
    json_object_set_new(snap, "options",
                        json_pack("{s:I}", "index_budget_bytes", (json_int_t)1 << 30));
    json_t *res = NULL;
    assert_int_equal(index_advisor_analyze(snap, NULL, NULL, NULL, &res, &err), 0);
    json_t *ev = json_object_get(res, "evaluation");
    json_t *np = json_object_get(ev, "statements_not_planned");
    assert_true(json_is_array(np));
    if (json_array_size(np)) {
        char *d = json_dumps(np, 0);
        fail_msg("statements not planned: %s", d);
    }
    assert_true(json_integer_value(json_object_get(ev, "statements_planned")) >= 3);
    /* the third form's index holds l_shipdate: (l_shipdate) alone, or
     * (l_partkey, l_shipdate), which also serves the second form */
    const char *const want[3] = {"(o_custkey)", "(l_partkey", "l_shipdate"};
    json_t *recs = json_object_get(res, "recommendations");
    int saw_epoch = 0;
    for (int i = 0; i < 3; i++) {
        json_t *hit = NULL;
        size_t k;
        json_t *r;
        json_array_foreach(recs, k, r)
        {
            const char *ddl = json_string_value(json_object_get(r, "create_statement"));
            if (ddl && strstr(ddl, want[i]))
                hit = r;
        }
        if (!hit) {
            char *d = json_dumps(recs, JSON_INDENT(1));
            fail_msg("no recommendation with %s: %s", want[i], d);
        }
        assert_string_equal(json_string_value(json_object_get(hit, "method")), "hypopg_whatif");
        json_t *b = json_object_get(json_object_get(hit, "evidence"), "bound_parameters");
        json_array_foreach(b, k, r)
        {
            if (strcmp(json_string_value(json_object_get(r, "value")), "epoch") == 0)
                saw_epoch = 1;
        }
    }
    assert_true(saw_epoch);
    json_t *notes = json_object_get(res, "notes");
    size_t k;
    json_t *n;
    json_array_foreach(notes, k, n)
    {
        if (strstr(json_string_value(n), "cost model used for it"))
            fail_msg("a statement fell back to the cost model: %s", json_string_value(n));
    }
    /* deterministic: the same snapshot and database give the same set,
     * in the same order, with the same figures */
    json_t *again = NULL;
    assert_int_equal(index_advisor_analyze(snap, NULL, NULL, NULL, &again, &err), 0);
    if (!json_equal(json_object_get(res, "recommendations"),
                    json_object_get(again, "recommendations"))) {
        char *a = json_dumps(json_object_get(res, "recommendations"), JSON_COMPACT);
        char *b = json_dumps(json_object_get(again, "recommendations"), JSON_COMPACT);
        fail_msg("two runs differ:\n%s\n%s", a, b);
    }
    json_decref(again);
    json_decref(res);
    json_decref(snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_forms_plan_with_hypothetical_indexes),
        cmocka_unit_test(test_agent_plans_every_statement),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
