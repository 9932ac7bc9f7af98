/* test_integration.c - the query rewriter on the fixture PostgreSQL: a
 * schema with a workload run through pg_stat_statements, a snapshot from
 * collect_snapshot() with target.dsn, then the agent with verify on: gains
 * come from EXPLAIN (original vs rewritten, hypopg for expression-index
 * advice), results are compared by row-multiset digests, N+1 is found from
 * the statistics alone. Also verify.c on its own: digests see a
 * difference, and the session refuses to write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "workers/query_rewriter/verify.h"
#include "coordinator/collect/collect.h"
#include "tests/support/pgtest.h"
#include "workers/query_rewriter/query_rewriter.h"

#define DB "pgopt_query_rewriter"

static char conninfo[1024];

static const char *schema_sql =
    "CREATE EXTENSION IF NOT EXISTS hypopg;"
    "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
    "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, region text NOT NULL,"
    "  created_at timestamp NOT NULL);"
    "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers,"
    "  status text NOT NULL, total numeric NOT NULL, created_at timestamptz NOT NULL);"
    "INSERT INTO customers SELECT g, 'user' || g || '@example.com', (ARRAY['eu','us','apac'])[1 + "
    "g % 3],"
    "  timestamp '2024-01-01' + g * interval '17 minutes' FROM generate_series(1, 20000) g;"
    "INSERT INTO orders SELECT g, 1 + (g * 7919) % 15000, (ARRAY['new','paid','shipped','void'])[1 "
    "+ g % 4],"
    "  (g % 500) + 0.5, timestamptz '2024-01-01' + g * interval '3 minutes'"
    "  FROM generate_series(1, 200000) g;"
    "CREATE INDEX orders_customer_id_idx ON orders (customer_id);"
    "CREATE INDEX orders_created_at_idx ON orders (created_at);"
    "CREATE INDEX customers_email_idx ON customers (email);"
    "CREATE SEQUENCE write_probe;";

static void run(PGconn *c, const char *sql, int n, const char *const *vals)
{
    PGresult *r = PQexecParams(c, sql, n, NULL, vals, NULL, NULL, 0);
    if (!r || (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK))
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

static void run_workload(PGconn *c)
{
    const char *st[] = {"paid"};
    run(c,
        "SELECT c.id FROM customers c WHERE c.id NOT IN (SELECT o.customer_id FROM orders o "
        "WHERE o.status = $1)",
        1, st);
    const char *three[] = {"new", "paid", "void"};
    for (int i = 0; i < 3; i++)
        run(c, "SELECT id FROM orders WHERE status = $1 OR status = $2 OR status = $3", 3, three);
    run(c, "SELECT count(DISTINCT customer_id) FROM orders WHERE status = $1", 1, st);
    const char *eu[] = {"eu"};
    run(c,
        "SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) FROM "
        "customers c WHERE c.region = $1",
        1, eu);
    const char *page[] = {"20", "4000"};
    run(c, "SELECT id, total FROM orders ORDER BY created_at DESC LIMIT $1 OFFSET $2", 2, page);
    const char *mail[] = {"user5@example.com"};
    run(c, "SELECT id FROM customers WHERE lower(email) = $1", 1, mail);
    /* N+1: a list of 20 customers, then one orders query per customer */
    for (int p = 0; p < 12; p++) {
        char off[16];
        snprintf(off, sizeof off, "%d", p * 20);
        const char *lv[] = {"us", off};
        PGresult *r = PQexecParams(
            c, "SELECT id FROM customers WHERE region = $1 ORDER BY id LIMIT 20 OFFSET $2", 2, NULL,
            lv, NULL, NULL, 0);
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        for (int i = 0; i < PQntuples(r); i++) {
            const char *cv[] = {PQgetvalue(r, i, 0)};
            run(c, "SELECT id, total FROM orders WHERE customer_id = $1", 1, cv);
        }
        PQclear(r);
    }
}

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
    run_workload(c);
    PQfinish(c);
    return 0;
}

static const json_t *find(const json_t *arr, const char *rule, const char *needle)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x)
    {
        const char *r = json_string_value(json_object_get(x, "rule"));
        const char *q = json_string_value(json_object_get(x, "original_query"));
        if (r && strcmp(r, rule) == 0 && (!needle || (q && strstr(q, needle))))
            return x;
    }
    return NULL;
}

static const char *verify_status(const json_t *x)
{
    return json_string_value(json_object_get(json_object_get(x, "verify"), "status"));
}

static void test_agent_on_target(void **state)
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
    json_object_set_new(snap, "options", json_pack("{s:b}", "verify", 1));
    json_t *res = NULL;
    if (query_rewriter_analyze(snap, NULL, NULL, NULL, &res, &err) != 0)
        fail_msg("analyze: %s", err.msg);
    char *dump = json_dumps(res, JSON_INDENT(1));
    if (getenv("PGOPT_TEST_VERBOSE"))
        fprintf(stderr, "%s\n", dump);
    free(dump);
    const json_t *sr = json_object_get(res, "sql_rewrites");

    /* NOT IN -> NOT EXISTS: proven from the catalog, costed by EXPLAIN, equal results */
    const json_t *ni = find(sr, "not_in_to_not_exists", NULL);
    assert_non_null(ni);
    assert_string_equal(json_string_value(json_object_get(ni, "safety")), "proven");
    assert_true(strncmp(json_string_value(json_object_get(ni, "method")), "explain", 7) == 0);
    const json_t *ev = json_object_get(ni, "evidence");
    double c0 = json_number_value(json_object_get(ev, "cost_original"));
    double c1 = json_number_value(json_object_get(ev, "cost_rewritten"));
    assert_true(c0 > 0 && c1 > 0);
    /* here the subquery's 50000 keys fit in work_mem (a hashed SubPlan), so
     * NOT EXISTS is not cheaper: the output must say so, not promise a gain */
    const char *g = json_string_value(json_object_get(ni, "estimated_gain"));
    if (c0 < c1 * 1.05) {
        assert_non_null(strstr(g, "no gain on this database"));
        assert_string_equal(json_string_value(json_object_get(ni, "priority")), "P3");
    } else {
        assert_null(strstr(g, "no gain"));
    }
    assert_string_equal(verify_status(ni), "verified equal");

    /* the correlated count: equal results, and there are rows to compare */
    const json_t *cs = find(sr, "correlated_subquery_to_join", NULL);
    assert_non_null(cs);
    assert_string_equal(verify_status(cs), "verified equal");
    assert_true(json_integer_value(json_object_get(json_object_get(cs, "verify"), "rows")) > 1000);
    /* one grouped pass instead of an index probe per customer. How much
     * cheaper depends on the visibility map of orders, which the test does
     * not control (autovacuum may set it after the test's own VACUUM, and
     * under a loaded suite it did): with heap fetches per probe the
     * original costs 354,827 against 5,521 (64x), with index-only probes
     * 30,861 (5.6x, which failed the 10x this asserted before). Both plans
     * are real; the rewrite must win clearly in either. */
    const json_t *cev = json_object_get(cs, "evidence");
    if (!json_is_number(json_object_get(cev, "cost_original")) ||
        !(json_number_value(json_object_get(cev, "cost_original")) >
          3 * json_number_value(json_object_get(cev, "cost_rewritten")))) {
        /* say why (explain_error, the costs) rather than fail on a bare assertion */
        char *d = json_dumps(cs, JSON_COMPACT);
        fprintf(stderr, "correlated_subquery_to_join finding: %s\n", d);
        free(d);
    }
    assert_true(json_number_value(json_object_get(cev, "cost_original")) >
                3 * json_number_value(json_object_get(cev, "cost_rewritten")));

    const json_t *oa = find(sr, "or_to_any", NULL);
    assert_non_null(oa);
    assert_string_equal(verify_status(oa), "verified equal");
    const json_t *cd = find(sr, "count_distinct", NULL);
    assert_non_null(cd);
    assert_string_equal(verify_status(cd), "verified equal");

    /* keyset is a different contract: not compared, conditional */
    const json_t *ks = find(sr, "offset_to_keyset", "created_at");
    assert_non_null(ks);
    assert_true(strncmp(verify_status(ks), "not comparable", 14) == 0);
    assert_true(strncmp(json_string_value(json_object_get(ks, "safety")), "conditional: ", 13) ==
                0);

    /* lower(email): an expression index, costed with hypopg */
    const json_t *lx = find(sr, "non_sargable_predicate", "lower(email)");
    assert_non_null(lx);
    assert_non_null(
        strstr(json_string_value(json_object_get(lx, "advice")), "idx_customers_lower_email"));
    const json_t *lev = json_object_get(lx, "evidence");
    assert_non_null(json_object_get(lev, "hypothetical_index"));
    assert_true(json_number_value(json_object_get(lev, "cost_original")) >
                2 * json_number_value(json_object_get(lev, "cost_rewritten")));

    /* N+1: 240 order lookups after 12 lists of 20 customers */
    const json_t *rw = json_object_get(res, "rewrites");
    const json_t *n1 = NULL;
    size_t i;
    json_t *x;
    json_array_foreach(
        rw, i, x) if (strcmp(json_string_value(json_object_get(x, "type")), "n1_fix") == 0) n1 = x;
    assert_non_null(n1);
    const json_t *nev = json_object_get(n1, "evidence");
    assert_int_equal(json_integer_value(json_object_get(nev, "child_calls")), 240);
    assert_int_equal(json_integer_value(json_object_get(nev, "parent_calls")), 12);
    assert_int_equal(json_integer_value(json_object_get(nev, "round_trips_saved")), 228);
    assert_string_equal(json_string_value(json_object_get(n1, "optimized")),
                        "SELECT id, total FROM orders WHERE customer_id = ANY($1::bigint[])");
    json_decref(res);
    json_decref(snap);
}

static void test_verify_module(void **state)
{
    (void)state;
    verify_t *v = NULL;
    err_t err;
    assert_int_equal(verify_open(conninfo, 5000, &v, &err), 0);
    verify_digest_t a, b, c;
    const char *vals[] = {"eu"};
    assert_int_equal(verify_digest(v, "SELECT id FROM customers WHERE region = $1", vals, 1, &a),
                     0);
    /* same multiset in another order and spelling */
    assert_int_equal(verify_digest(v,
                                   "SELECT id FROM customers WHERE region = $1 ORDER BY id DESC;",
                                   vals, 1, &b),
                     0);
    assert_true(verify_digest_equal(&a, &b));
    assert_int_equal(a.rows, 6666);
    /* one duplicate row more: a different multiset */
    assert_int_equal(verify_digest(v,
                                   "SELECT id FROM customers WHERE region = $1 UNION ALL SELECT 3",
                                   vals, 1, &c),
                     0);
    assert_false(verify_digest_equal(&a, &c));
    /* a write is refused by the read-only transaction */
    assert_int_equal(verify_digest(v, "SELECT nextval('write_probe')", NULL, 0, &c), -1);
    if (!strstr(verify_error(v), "read-only"))
        fail_msg("write not refused as read-only: %s", verify_error(v));
    verify_destroy(&v);
    verify_destroy(&v);
    PGconn *pc = pgtest_connect(DB);
    char *n = pgtest_scalar(pc, "SELECT last_value || ' ' || is_called FROM write_probe");
    assert_string_equal(n, "1 false");
    free(n);
    PQfinish(pc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agent_on_target),
        cmocka_unit_test(test_verify_module),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
