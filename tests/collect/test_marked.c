/* test_marked.c - every statement pgopt sends carries the pgopt mark
 * (common/pgmark.h): pgmark_sql on its own, then a collection, a what-if
 * session and a verification session run as a role of their own, with the
 * server logging every statement of that role (log_statement = all) and
 * pg_stat_statements counting them; every logged statement and every
 * pg_stat_statements text of the role must start with the mark. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/pgmark.h"
#include "workers/query_rewriter/verify.h"
#include "common/whatif.h"
#include "coordinator/collect/collect.h"
#include "tests/collect/snaputil.h"
#include "tests/support/pgtest.h"

#define DB "pgopt_collector_marked"

static char role[64];

static void test_pgmark_sql(void **state)
{
    (void)state;
    struct {
        const char *in, *out;
    } cases[] = {
        {"SELECT 1", "/* pgopt */ SELECT 1"},
        {"/* pgopt */ SELECT 1", "/* pgopt */ SELECT 1"},
        {"  SELECT 1", "  /* pgopt */ SELECT 1"},
        {"BEGIN; SET LOCAL a = 1;SELECT 'x;y'", "/* pgopt */ BEGIN; /* pgopt */ SET LOCAL a = 1;"
                                                "/* pgopt */ SELECT 'x;y'"},
        {"/* pgopt */ SET a = 1; SET b = 2", "/* pgopt */ SET a = 1; /* pgopt */ SET b = 2"},
        {"-- c\nSELECT 2", "/* pgopt */ -- c\nSELECT 2"},
        {"SELECT 'unterminated", "/* pgopt */ SELECT 'unterminated"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *m = pgmark_sql(cases[i].in);
        assert_non_null(m);
        assert_string_equal(m, cases[i].out);
        assert_true(pgmark_is_marked(m));
        free(m);
    }
    assert_false(pgmark_is_marked("/* pgopt */ SELECT 1; SELECT 2"));
    assert_false(pgmark_is_marked("SELECT 1 /* pgopt */"));
}

static long file_size(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static char *read_from(const char *path, long off)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f) - off;
    fseek(f, off, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    return b;
}

/* Checks the statements the server logged for log_statement (simple
 * protocol "statement: ", extended protocol "execute <name>: "); returns
 * how many it saw. */
static int check_log(const char *log)
{
    int seen = 0;
    for (const char *p = log; (p = strstr(p, "LOG:  ")) != NULL; p += 6) {
        const char *t = p + 6;
        if (strncmp(t, "statement: ", 11) == 0) {
            t += 11;
        } else if (strncmp(t, "execute ", 8) == 0) {
            t = strstr(t, ": ");
            if (!t)
                continue;
            t += 2;
        } else {
            continue;
        }
        const char *eol = strchr(t, '\n');
        int len = eol ? (int)(eol - t) : (int)strlen(t);
        if (strncmp(t, PGOPT_SQL_MARK, strlen(PGOPT_SQL_MARK)) != 0)
            fail_msg("statement sent without the pgopt mark: %.*s", len, t);
        seen++;
    }
    return seen;
}

static void test_every_statement_marked(void **state)
{
    (void)state;
    const char *pgdata = pgtest_env("PGDATA");
    assert_non_null(pgdata);
    char dir[1024], logpath[1100];
    snprintf(dir, sizeof dir, "%s", pgdata);
    snprintf(logpath, sizeof logpath, "%s/server.log", dirname(dir));
    if (file_size(logpath) < 0)
        skip(); /* a fixture without scripts/pg-sandbox.sh's log */

    assert_int_equal(pgtest_create_db(DB), 0);
    snprintf(role, sizeof role, "pgopt_marked_%d", (int)getpid());
    PGconn *c = pgtest_connect("postgres");
    char sql[512];
    /* Only this role's statements are logged; a superuser so the collection
     * reads everything it can. */
    snprintf(sql, sizeof sql,
             "DROP ROLE IF EXISTS %s; CREATE ROLE %s LOGIN SUPERUSER; "
             "ALTER ROLE %s SET log_statement = 'all'",
             role, role, role);
    pgtest_exec(c, sql);
    PQfinish(c);
    c = pgtest_connect(DB);
    pgtest_exec(c, "CREATE EXTENSION pg_stat_statements; CREATE EXTENSION hypopg;"
                   "CREATE TABLE t (id int PRIMARY KEY, k int, v text);"
                   "INSERT INTO t SELECT i, i % 50, 'v' || i FROM generate_series(1, 2000) i;"
                   "ANALYZE t; SELECT count(*) FROM t WHERE k = 3");
    snprintf(sql, sizeof sql,
             "SELECT pg_stat_statements_reset((SELECT oid FROM pg_roles WHERE rolname = '%s'))",
             role);
    pgtest_exec(c, sql);
    long log_start = file_size(logpath);

    char conninfo[512];
    snap_conninfo(DB, role, conninfo, sizeof conninfo);
    err_t err;
    /* A collection. */
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = conninfo;
    json_t *snap = NULL;
    if (collect_snapshot(&o, &snap, &err) != 0)
        fail_msg("collect: %s", err.msg);
    json_decref(snap);
    /* A what-if session: a hypothetical index, costs with and without a
     * value, parameter types, a reset. */
    whatif_t *w;
    if (whatif_open(conninfo, 5000, &w, &err) != 0)
        fail_msg("whatif: %s", err.msg);
    unsigned oid;
    if (whatif_index_create(w, "CREATE INDEX ON t (k)", &oid, NULL) != 0)
        fail_msg("hypothetical index: %s", whatif_error(w));
    double cost;
    const char *vals[] = {"3"};
    assert_int_equal(whatif_cost(w, "SELECT v FROM t WHERE k = $1", vals, 1, NULL, &cost), 0);
    assert_int_equal(whatif_cost(w, "SELECT v FROM t WHERE k = $1", NULL, 0, NULL, &cost), 0);
    size_t np;
    char **types;
    assert_int_equal(whatif_param_types(w, "SELECT v FROM t WHERE id = $1", &np, &types), 0);
    whatif_free_types(types, np);
    assert_int_equal(whatif_reset(w), 0);
    whatif_destroy(&w);
    /* A verification session. */
    verify_t *v;
    if (verify_open(conninfo, 5000, &v, &err) != 0)
        fail_msg("verify: %s", err.msg);
    verify_digest_t d;
    assert_int_equal(verify_set(v, "work_mem", "8MB"), 0);
    assert_int_equal(verify_digest(v, "SELECT id FROM t WHERE k = $1", vals, 1, &d), 0);
    assert_int_equal(d.rows, 40);
    verify_destroy(&v);

    /* The server log: every statement of the role. */
    char *log = read_from(logpath, log_start);
    int logged = check_log(log);
    free(log);
    /* pg_stat_statements: each statement of a multi-statement string on
     * its own. Top-level ones: nested statements are those functions run
     * (hypopg's own catalog lookups), not texts pgopt sent. */
    snprintf(sql, sizeof sql,
             "SELECT query FROM pg_stat_statements WHERE toplevel AND userid = (SELECT oid FROM "
             "pg_roles WHERE rolname = '%s')",
             role);
    PGresult *r = PQexec(c, sql);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    int counted = PQntuples(r);
    for (int i = 0; i < counted; i++) {
        const char *q = PQgetvalue(r, i, 0);
        if (strncmp(q, PGOPT_SQL_MARK, strlen(PGOPT_SQL_MARK)) != 0)
            fail_msg("pg_stat_statements holds an unmarked pgopt statement: %s", q);
    }
    PQclear(r);
    print_message("%d logged statements and %d pg_stat_statements entries, all marked\n", logged,
                  counted);
    /* Enough of each to mean something: a collection alone sends dozens. */
    assert_true(logged >= 30);
    assert_true(counted >= 30);
    PQfinish(c);
}

static int teardown(void **state)
{
    (void)state;
    if (!role[0])
        return 0;
    PGconn *c = pgtest_connect("postgres");
    pgtest_exec(c, "DROP DATABASE IF EXISTS " DB " WITH (FORCE)");
    char sql[128];
    snprintf(sql, sizeof sql, "DROP ROLE IF EXISTS %s", role);
    pgtest_exec(c, sql);
    PQfinish(c);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgmark_sql),
        cmocka_unit_test(test_every_statement_marked),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
