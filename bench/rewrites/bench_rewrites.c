/* bench_rewrites.c - every rewrite the agent proposes for a generated
 * workload, run against the real server: the original and the rewritten
 * text with the same pg_stats parameter values, at a small and a large
 * work_mem, median of N runs each, result multisets compared (verify.c
 * digests). Prints a Markdown table: measured speedup next to the agent's
 * estimated_gain. bench/rewrites/run.sh starts a throwaway server for it.
 *
 *   pgopt-bench-rewrites CONNINFO [runs]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "workers/query_rewriter/verify.h"
#include "coordinator/collect/collect.h"
#include "workers/query_rewriter/query_rewriter.h"

static const char *schema_sql =
    "DROP TABLE IF EXISTS orders, customers;"
    "CREATE EXTENSION IF NOT EXISTS hypopg;"
    "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;"
    "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, region text NOT NULL,"
    "  created_at timestamp NOT NULL);"
    "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers,"
    "  status text NOT NULL, total numeric NOT NULL, created_at timestamptz NOT NULL);"
    "INSERT INTO customers SELECT g, 'user' || g || '@example.com', (ARRAY['eu','us','apac'])[1 + "
    "g % 3],"
    "  timestamp '2024-01-01' + g * interval '7 minutes' FROM generate_series(1, 50000) g;"
    "INSERT INTO orders SELECT g, 1 + (g::bigint * 7919) % 40000, "
    "(ARRAY['new','paid','shipped','void'])[1 "
    "+ g % 4],"
    "  (g % 500) + 0.5, timestamptz '2024-01-01' + g * interval '1 minute'"
    "  FROM generate_series(1, 500000) g;"
    "CREATE INDEX orders_customer_id_idx ON orders (customer_id);"
    "CREATE INDEX orders_created_at_idx ON orders (created_at);"
    "CREATE INDEX customers_created_at_idx ON customers (created_at);";

/* One statement per rule family, run once so pg_stat_statements has it. */
static const char *workload[][4] = {
    {"SELECT c.id FROM customers c WHERE c.id NOT IN (SELECT o.customer_id FROM orders o WHERE "
     "o.status = $1)",
     "paid", NULL, NULL},
    {"SELECT id FROM orders WHERE status = $1 OR status = $2 OR status = $3", "new", "paid",
     "void"},
    {"SELECT count(DISTINCT customer_id) FROM orders WHERE status = $1", "paid", NULL, NULL},
    {"SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) FROM customers c "
     "WHERE c.region = $1",
     "eu", NULL, NULL},
    {"SELECT c.id, (SELECT max(o.total) FROM orders o WHERE o.customer_id = c.id) AS mx FROM "
     "customers c",
     NULL, NULL, NULL},
    {"SELECT DISTINCT c.id, c.email FROM customers c JOIN orders o ON o.customer_id = c.id WHERE "
     "o.status = $1",
     "void", NULL, NULL},
    {"SELECT id, status FROM orders WHERE status = $1 UNION SELECT id, status FROM orders WHERE "
     "status = $2",
     "new", "void", NULL},
    {"SELECT id FROM customers WHERE created_at::date = $1", "2024-03-01", NULL, NULL},
};

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int values_of(const json_t *arr, const char **out, int max)
{
    int n = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v) if (n < max) out[n++] = json_string_value(v);
    return n;
}

/* median ms of runs digests; 0 ok, -1 error (message printed into err) */
static int timed(verify_t *v, const char *sql, const char **vals, int n, int runs, double *ms,
                 verify_digest_t *d, char *err, size_t errlen)
{
    double t[16];
    for (int i = 0; i < runs && i < 16; i++) {
        if (verify_digest(v, sql, vals, (size_t)n, d) != 0) {
            snprintf(err, errlen, "%s", verify_error(v));
            for (char *p = err; *p; p++)
                if (*p == '\n' || *p == '|')
                    *p = ' ';
            return -1;
        }
        t[i] = d->ms;
    }
    qsort(t, (size_t)runs, sizeof t[0], cmp_d);
    *ms = t[runs / 2];
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CONNINFO [runs]\n", argv[0]);
        return 2;
    }
    const char *dsn = argv[1];
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    if (runs < 1 || runs > 15)
        runs = 5;
    PGconn *c = PQconnectdb(dsn);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "connect: %s", PQerrorMessage(c));
        return 1;
    }
    PGresult *r = PQexec(c, schema_sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "schema: %s", PQerrorMessage(c));
        return 1;
    }
    PQclear(r);
    PQclear(PQexec(c, "VACUUM ANALYZE"));
    PQclear(PQexec(c, "SELECT pg_stat_statements_reset(); SET work_mem = '256MB'"));
    for (size_t i = 0; i < sizeof workload / sizeof workload[0]; i++) {
        int n = 0;
        while (n < 3 && workload[i][n + 1])
            n++;
        r = PQexecParams(c, workload[i][0], n, NULL, &workload[i][1], NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            fprintf(stderr, "workload %zu: %s", i, PQerrorMessage(c));
        PQclear(r);
    }
    PQfinish(c);

    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = dsn;
    o.include_target_dsn = 1;
    json_t *snap = NULL;
    err_t err;
    if (collect_snapshot(&o, &snap, &err) != 0) {
        fprintf(stderr, "collect: %s\n", err.msg);
        return 1;
    }
    query_rewriter_options_t qo;
    query_rewriter_options_init(&qo);
    qo.verify = 1;
    qo.statement_timeout_ms = 60000;
    json_t *res = NULL;
    if (query_rewriter_analyze(snap, &qo, NULL, NULL, &res, &err) != 0) {
        fprintf(stderr, "analyze: %s\n", err.msg);
        return 1;
    }
    verify_t *v = NULL;
    if (verify_open(dsn, 60000, &v, &err) != 0) {
        fprintf(stderr, "verify: %s\n", err.msg);
        return 1;
    }
    printf("| rule | work_mem | original ms | rewritten ms | measured speedup | estimated_gain "
           "(EXPLAIN, default work_mem) | results |\n");
    printf("|---|---|---|---|---|---|---|\n");
    const char *wms[] = {"64kB", "256MB"};
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(res, "sql_rewrites"), i, x)
    {
        const json_t *ver = json_object_get(x, "verify");
        const json_t *vo = json_object_get(ver, "values_original");
        const json_t *vn = json_object_get(ver, "values_rewritten");
        const char *rule = json_string_value(json_object_get(x, "rule"));
        if (!vo || !vn) {
            printf("| %s | - | - | - | - | %s | %s |\n", rule,
                   json_string_value(json_object_get(x, "estimated_gain")),
                   json_string_value(json_object_get(ver, "status")));
            continue;
        }
        const char *ov[64], *nv[64];
        int no = values_of(vo, ov, 64), nn = values_of(vn, nv, 64);
        for (int w = 0; w < 2; w++) {
            verify_set(v, "work_mem", wms[w]);
            double t0 = 0, t1 = 0;
            verify_digest_t d0, d1;
            char e0[300] = "", e1[300] = "";
            int r0 = timed(v, json_string_value(json_object_get(x, "original_query")), ov, no, runs,
                           &t0, &d0, e0, sizeof e0);
            int r1 = timed(v, json_string_value(json_object_get(x, "optimized_query")), nv, nn,
                           runs, &t1, &d1, e1, sizeof e1);
            char a[64], b[64], s[64];
            snprintf(a, sizeof a, r0 == 0 ? "%.1f" : "error", t0);
            snprintf(b, sizeof b, r1 == 0 ? "%.1f" : "error", t1);
            snprintf(s, sizeof s, r0 == 0 && r1 == 0 && t1 > 0 ? "%.2fx" : "-",
                     t0 / (t1 > 0 ? t1 : 1));
            const char *eq = r0 || r1                        ? (r0 ? e0 : e1)
                             : verify_digest_equal(&d0, &d1) ? "equal"
                                                             : "DIFFERENT";
            printf("| %s | %s | %s | %s | %s | %s | %s (%lld rows) |\n", rule, wms[w], a, b, s,
                   json_string_value(json_object_get(x, "estimated_gain")), eq,
                   (long long)(r0 == 0 ? d0.rows : 0));
            fflush(stdout);
        }
    }
    verify_destroy(&v);
    json_decref(res);
    json_decref(snap);
    return 0;
}
