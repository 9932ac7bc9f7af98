/*
 * bench_collect.c - pgopt-bench-collect: how long collect_snapshot() takes on
 * a large schema, against the floor any collector pays (reading the same
 * catalog and statistics views raw, in one session, without shaping them).
 *
 *   pgopt-bench-collect [CONNINFO]      (default: the PG* environment)
 *
 * It (re)creates database pgopt_bench_collect on that server with 1,000
 * tables of 20 columns (20,000 columns, 200 rows each, ANALYZEd: real
 * pg_stats histograms and MCVs), installs pg_stat_statements there, clears
 * that database's entries and runs 10,000 distinct statements once each. pg_stat_statements.max
 * must leave room for all of them: it is a postmaster setting, the sandbox
 * default is 5000, and a full pg_stat_statements evicts 5% of its entries
 * at once, so start the server with pg_stat_statements.max=20000. The bench
 * prints how many statements were kept.
 *
 * Then it times, median of 5 runs each:
 *   collect  - collect_snapshot() on that database (connect, every section,
 *              JSON tree), also encoded to msgpack and JSON text for sizes;
 *   raw      - one connection fetching the same views in text format
 *              (pg_settings, pg_stat_all_tables + pg_statio_all_tables,
 *              pg_attribute, pg_stats, pg_index + pg_stat_all_indexes,
 *              pg_constraint, pg_stat_statements, pg_stat_database,
 *              pg_stat_bgwriter, pg_stat_activity, pg_locks);
 * and prints the ratio collect / raw, and the share of collect_snapshot
 * spent redacting secrets from statement texts (meta.redaction.ms).
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/jsonout.h"
#include "coordinator/collect/collect.h"
#include "proto/codec.h"

#define BENCH_DB   "pgopt_bench_collect"
#define TABLES     1000
#define COLUMNS    20
#define ROWS       200
#define STATEMENTS 10000
#define RUNS       5

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(PGconn *c, const char *what)
{
    fprintf(stderr, "pgopt-bench-collect: %s: %s", what, c ? PQerrorMessage(c) : "\n");
    exit(1);
}

static void exec_or_die(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fprintf(stderr, "pgopt-bench-collect: %s\n--- %.200s\n", PQerrorMessage(c), sql);
        exit(1);
    }
    PQclear(r);
}

static char *scalar(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1)
        die(c, sql);
    char *v = strdup(PQgetisnull(r, 0, 0) ? "" : PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

/* conninfo with dbname replaced: expand the user's string, then override. */
static PGconn *connect_to(const char *conninfo, const char *dbname)
{
    const char *const keys[] = {"dbname", "dbname", NULL};
    const char *const vals[] = {conninfo && *conninfo ? conninfo : NULL, dbname, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (PQstatus(c) != CONNECTION_OK)
        die(c, "connecting");
    PQsetNoticeProcessor(c, NULL, NULL);
    return c;
}

static void build(const char *conninfo)
{
    double t0 = now_s();
    PGconn *admin = connect_to(conninfo, "postgres");
    exec_or_die(admin, "DROP DATABASE IF EXISTS " BENCH_DB " WITH (FORCE)");
    exec_or_die(admin, "CREATE DATABASE " BENCH_DB);
    PQfinish(admin);

    PGconn *c = connect_to(conninfo, BENCH_DB);
    exec_or_die(c, "CREATE EXTENSION pg_stat_statements");
    /* 1,000 tables x 20 columns: id, 9 integer, 10 text columns; an index on
     * every fifth table's c01. */
    char sql[8192];
    snprintf(sql, sizeof sql,
             "DO $$ DECLARE t int; cols text; BEGIN "
             "SELECT string_agg(format('c%%s %%s', lpad(i::text, 2, '0'), "
             "  CASE WHEN i <= 9 THEN 'int' ELSE 'text' END), ', ') INTO cols "
             "FROM generate_series(1, %d) i; "
             "FOR t IN 1..%d LOOP "
             "  EXECUTE format('CREATE TABLE t%%s (id int PRIMARY KEY, %%s)', lpad(t::text, 4, "
             "'0'), cols); "
             "  IF t %% 5 = 0 THEN EXECUTE format('CREATE INDEX ON t%%s (c01)', lpad(t::text, 4, "
             "'0')); END IF; "
             "END LOOP; END $$",
             COLUMNS - 1, TABLES);
    exec_or_die(c, sql);
    snprintf(sql, sizeof sql,
             "DO $$ DECLARE t int; vals text; BEGIN "
             "SELECT string_agg(CASE WHEN i <= 9 THEN format('mod(g * %%s, 37)', i) "
             "  ELSE format('''v'' || mod(g * %%s, 53)', i) END, ', ') INTO vals "
             "FROM generate_series(1, %d) i; "
             "FOR t IN 1..%d LOOP "
             "  EXECUTE format('INSERT INTO t%%s SELECT g, %%s FROM generate_series(1, %d) g', "
             "  lpad(t::text, 4, '0'), vals); "
             "END LOOP; END $$",
             COLUMNS - 1, TABLES, ROWS);
    exec_or_die(c, sql);
    exec_or_die(c, "ANALYZE");
    printf("built %d tables x %d columns x %d rows in %.1f s\n", TABLES, COLUMNS, ROWS,
           now_s() - t0);

    /* 10,000 distinct statements: table x column, run once each. */
    t0 = now_s();
    /* Only this database's entries: other databases' statistics on the
     * server are not the bench's to clear. */
    exec_or_die(c, "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database "
                   "WHERE datname = current_database()), 0)");
    int n = 0;
    for (int t = 1; t <= TABLES && n < STATEMENTS; t++) {
        for (int col = 1; col <= 10 && n < STATEMENTS; col++, n++) {
            snprintf(sql, sizeof sql, "SELECT count(*) FROM t%04d WHERE c%02d = $1", t, col);
            const char *param = col <= 9 ? "7" : "v7";
            PGresult *r = PQexecParams(c, sql, 1, NULL, &param, NULL, NULL, 0);
            if (PQresultStatus(r) != PGRES_TUPLES_OK)
                die(c, sql);
            PQclear(r);
        }
    }
    char *max = scalar(c, "SELECT current_setting('pg_stat_statements.max')");
    char *kept = scalar(c, "SELECT count(*) FROM pg_stat_statements WHERE dbid = "
                           "(SELECT oid FROM pg_database WHERE datname = current_database())");
    printf("ran %d distinct statements in %.1f s; pg_stat_statements keeps %s of them "
           "(pg_stat_statements.max=%s%s)\n",
           n, now_s() - t0, kept, max,
           atoi(kept) < STATEMENTS ? "; start the server with pg_stat_statements.max=20000 to "
                                     "keep all"
                                   : "");
    free(max);
    free(kept);
    PQfinish(c);
}

/* The floor: the same views, fetched raw in one session. */
static const char *const RAW[] = {
    "SELECT * FROM pg_settings",
    "SELECT * FROM pg_class c JOIN pg_stat_all_tables s ON s.relid = c.oid "
    "JOIN pg_statio_all_tables io ON io.relid = c.oid",
    "SELECT * FROM pg_attribute WHERE attnum > 0",
    "SELECT * FROM pg_stats",
    "SELECT * FROM pg_index i JOIN pg_stat_all_indexes s ON s.indexrelid = i.indexrelid",
    "SELECT * FROM pg_constraint",
    "SELECT * FROM pg_stat_statements",
    "SELECT * FROM pg_stat_database",
    "SELECT * FROM pg_stat_bgwriter",
    "SELECT * FROM pg_stat_activity",
    "SELECT * FROM pg_locks",
};

static double raw_read(const char *conninfo, long *rows_out)
{
    double t0 = now_s();
    PGconn *c = connect_to(conninfo, BENCH_DB);
    long rows = 0;
    for (size_t i = 0; i < sizeof RAW / sizeof RAW[0]; i++) {
        PGresult *r = PQexec(c, RAW[i]);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            die(c, RAW[i]);
        rows += PQntuples(r);
        PQclear(r);
    }
    PQfinish(c);
    *rows_out = rows;
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    const char *conninfo = argc > 1 ? argv[1] : "";
    if (argc > 2 || (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0))) {
        fprintf(stderr, "usage: pgopt-bench-collect [CONNINFO]  (default: PG* environment)\n");
        return 2;
    }
    build(conninfo);

    /* The collector gets the same server with dbname overridden. */
    char ci[2048];
    {
        PGconn *c = connect_to(conninfo, BENCH_DB);
        snprintf(ci, sizeof ci, "host='%s' port='%s' user='%s' dbname=" BENCH_DB, PQhost(c),
                 PQport(c), PQuser(c));
        PQfinish(c);
    }
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = ci;

    double collect_s[RUNS], raw_s[RUNS], redact_ms[RUNS];
    json_t *last = NULL;
    long raw_rows = 0;
    for (int i = 0; i < RUNS; i++) {
        /* Alternate, so neither side always runs on a warmer cache. */
        raw_s[i] = raw_read(conninfo, &raw_rows);
        double t0 = now_s();
        json_t *doc;
        err_t err;
        if (collect_snapshot(&o, &doc, &err) != 0) {
            fprintf(stderr, "pgopt-bench-collect: %s\n", err.msg);
            return 1;
        }
        collect_s[i] = now_s() - t0;
        /* the secret redaction is part of every collection (coordinator/collect/redact.h) */
        redact_ms[i] = json_real_value(
            json_object_get(json_object_get(json_object_get(doc, "meta"), "redaction"), "ms"));
        json_decref(last);
        last = doc;
    }
    double mc = median(collect_s, RUNS), mr = median(raw_s, RUNS);

    err_t err;
    char *text = jsonout_string(last, 0, &err);
    char *mp = NULL;
    size_t mp_len = 0;
    if (!text || codec_encode(last, &mp, &mp_len, &err) != 0) {
        fprintf(stderr, "pgopt-bench-collect: encoding: %s\n", err.msg);
        return 1;
    }
    printf("\nrows per section:");
    static const char *const sections[] = {"settings",    "tables",     "columns",  "indexes",
                                           "constraints", "statements", "qualstats"};
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        json_t *s = json_object_get(last, sections[i]);
        if (s)
            printf(" %s=%zu", sections[i], json_array_size(s));
    }
    printf("\nsection ms (last run):");
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(json_object_get(last, "meta"), "section_ms"), key, v)
        printf(" %s=%.1f", key, json_real_value(v));
    printf("\nnotes: %zu\n",
           json_array_size(json_object_get(json_object_get(last, "meta"), "notes")));
    printf("snapshot: %zu bytes JSON, %zu bytes msgpack\n", strlen(text), mp_len);
    printf("collect_snapshot: median %.3f s of %d (min %.3f, max %.3f)\n", mc, RUNS, collect_s[0],
           collect_s[RUNS - 1]);
    printf("raw reads of the same views (%ld rows): median %.3f s\n", raw_rows, mr);
    printf("ratio collect / raw: %.2f\n", mc / mr);
    double mred = median(redact_ms, RUNS);
    printf("secret redaction inside collect_snapshot: median %.2f ms = %.2f%% of collect\n", mred,
           100.0 * mred / (mc * 1000.0));
    char redacted[1024];
    if (collect_redact_conninfo(conninfo, redacted, sizeof redacted, &err) != 0)
        redacted[0] = '\0';
    printf("rerun: pgopt-bench-collect%s%s%s\n", redacted[0] ? " \"" : "", redacted,
           redacted[0] ? "\"" : "");
    free(text);
    free(mp);
    json_decref(last);
    return 0;
}
