/*
 * test_classify_pg.c - workload classification on real workloads run in
 * the fixture's PostgreSQL, each in its own database, read through the
 * real collector (collect_snapshot):
 *  - pgbench (TPC-B-like: short updates and lookups)    -> OLTP
 *  - a TPC-H-shaped query set (scans and aggregates)    -> OLAP
 *  - both, with comparable execution time               -> Mixed
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "coordinator/collect/collect.h"
#include "tests/support/pgtest.h"
#include "workers/ai_tuning/ai_tuning.h"

#define PGBENCH "/usr/lib/postgresql/15/bin/pgbench"

static void pgbench(const char *db, const char *args)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "PGHOST='%s' PGPORT='%s' PGUSER='%s' %s %s '%s' >/dev/null 2>&1",
             pgtest_env("PGHOST"), pgtest_env("PGPORT"), pgtest_env("PGUSER"), PGBENCH, args, db);
    if (system(cmd) != 0)
        fail_msg("pgbench failed: %s", cmd);
}

static void setup_db(const char *db)
{
    assert_int_equal(pgtest_create_db(db), 0);
    PGconn *c = pgtest_connect(db);
    pgtest_exec(c, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    PQfinish(c);
}

/* TPC-H-shaped tables, made with CREATE TABLE AS (utility statements,
 * which classification leaves out, so loading does not count as workload). */
static void load_tpch(PGconn *c)
{
    pgtest_exec(c, "CREATE TABLE orders AS SELECT o AS o_orderkey, (o % 5000) AS o_custkey, "
                   "date '1995-01-01' + (o % 1500) AS o_orderdate, (o % 5)::int AS "
                   "o_orderpriority FROM generate_series(1, 100000) o");
    pgtest_exec(c, "CREATE TABLE lineitem AS SELECT (i % 100000) + 1 AS l_orderkey, (i % 20000) "
                   "AS l_partkey, (i % 1000) AS l_suppkey, (i % 50)::numeric AS l_quantity, "
                   "((i % 1000) * 1.5)::numeric AS l_extendedprice, ((i % 10) / 100.0)::numeric "
                   "AS l_discount, ((i % 8) / 100.0)::numeric AS l_tax, chr(65 + i % 3) AS "
                   "l_returnflag, chr(70 + i % 2) AS l_linestatus, date '1995-01-01' + (i % "
                   "1500) AS l_shipdate, repeat('x', 40) AS l_comment FROM generate_series(1, "
                   "400000) i");
    pgtest_exec(c, "ANALYZE orders; ANALYZE lineitem");
}

static const char *const TPCH[] = {
    /* Q1: pricing summary */
    "SELECT l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice), "
    "sum(l_extendedprice * (1 - l_discount)), avg(l_quantity), avg(l_discount), count(*) "
    "FROM lineitem WHERE l_shipdate <= date '1998-12-01' - 90 GROUP BY 1, 2 ORDER BY 1, 2",
    /* Q6: forecast revenue change */
    "SELECT sum(l_extendedprice * l_discount) FROM lineitem WHERE l_shipdate >= date "
    "'1996-01-01' AND l_shipdate < date '1997-01-01' AND l_discount BETWEEN 0.05 AND 0.07 AND "
    "l_quantity < 24",
    /* Q3-like: revenue per order for a date range */
    "SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate FROM "
    "orders JOIN lineitem ON l_orderkey = o_orderkey WHERE o_orderdate < date '1996-03-15' AND "
    "l_shipdate > date '1996-03-15' GROUP BY l_orderkey, o_orderdate ORDER BY revenue DESC "
    "LIMIT 10",
    /* Q12-like: shipping priorities */
    "SELECT o_orderpriority, count(*) FROM orders JOIN lineitem ON l_orderkey = o_orderkey "
    "WHERE l_shipdate >= date '1996-01-01' AND l_shipdate < date '1997-01-01' GROUP BY 1 ORDER "
    "BY 1",
};

static double statement_time(PGconn *c, const char *like)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements WHERE dbid = "
             "(SELECT oid FROM pg_database WHERE datname = current_database()) AND query ILIKE "
             "'%s' AND query NOT ILIKE '%%pg_stat_statements%%' AND query NOT ILIKE 'CREATE%%'",
             like);
    char *v = pgtest_scalar(c, sql);
    double t = v ? atof(v) : 0;
    free(v);
    return t;
}

static void run_tpch(PGconn *c, int rounds)
{
    for (int r = 0; r < rounds; r++)
        for (size_t q = 0; q < sizeof TPCH / sizeof *TPCH; q++)
            pgtest_exec(c, TPCH[q]);
}

static json_t *analyze_db(const char *db)
{
    char conninfo[512];
    assert_int_equal(pgtest_conninfo(db, conninfo, sizeof conninfo), 0);
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = conninfo;
    json_t *snap = NULL, *out = NULL;
    err_t err;
    if (collect_snapshot(&o, &snap, &err) != 0)
        fail_msg("collect %s: %s", db, err.msg);
    if (ai_tuning_analyze(snap, NULL, NULL, NULL, &out, &err) != 0)
        fail_msg("analyze %s: %s", db, err.msg);
    json_decref(snap);
    json_t *ev = json_object_get(
        json_object_get(json_object_get(out, "workload_analysis"), "evidence"), "classification");
    char *d = json_dumps(ev, JSON_COMPACT);
    print_message("%s: %s %s\n", db,
                  json_string_value(
                      json_object_get(json_object_get(out, "workload_analysis"), "classification")),
                  d);
    free(d);
    return out;
}

static const char *classification(const json_t *out)
{
    return json_string_value(
        json_object_get(json_object_get(out, "workload_analysis"), "classification"));
}

static void test_pgbench_is_oltp(void **state)
{
    (void)state;
    setup_db("ai_cls_oltp");
    pgbench("ai_cls_oltp", "-i -s 1 -q");
    pgbench("ai_cls_oltp", "-c 2 -T 10");
    json_t *out = analyze_db("ai_cls_oltp");
    assert_string_equal(classification(out), "OLTP");
    assert_true(json_array_size(json_object_get(json_object_get(out, "workload_analysis"),
                                                "query_clusters")) >= 1);
    json_decref(out);
}

static void test_tpch_is_olap(void **state)
{
    (void)state;
    setup_db("ai_cls_olap");
    PGconn *c = pgtest_connect("ai_cls_olap");
    load_tpch(c);
    run_tpch(c, 4);
    PQfinish(c);
    json_t *out = analyze_db("ai_cls_olap");
    assert_string_equal(classification(out), "OLAP");
    json_decref(out);
}

static void test_blend_is_mixed(void **state)
{
    (void)state;
    setup_db("ai_cls_mixed");
    pgbench("ai_cls_mixed", "-i -s 1 -q");
    pgbench("ai_cls_mixed", "-c 2 -T 8");
    PGconn *c = pgtest_connect("ai_cls_mixed");
    load_tpch(c);
    /* Analytical work until it holds about as much execution time as the
     * transactional part (each side 35-65%: neither reaches the 60%/25%
     * bounds of a pure class). */
    double oltp = statement_time(c, "%pgbench%");
    int rounds = 0;
    while (statement_time(c, "%lineitem%") < oltp && rounds < 200) {
        run_tpch(c, 1);
        rounds++;
    }
    print_message("mixed: pgbench %.0f ms, %d TPC-H rounds, analytical %.0f ms\n", oltp, rounds,
                  statement_time(c, "%lineitem%"));
    PQfinish(c);
    json_t *out = analyze_db("ai_cls_mixed");
    assert_string_equal(classification(out), "Mixed");
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgbench_is_oltp),
        cmocka_unit_test(test_tpch_is_olap),
        cmocka_unit_test(test_blend_is_mixed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
