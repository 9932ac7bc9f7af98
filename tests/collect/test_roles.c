/* test_roles.c - collection as roles with fewer rights than a superuser,
 * and in a database without pg_stat_statements: it succeeds, and what it
 * could not read is said in meta.notes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "coordinator/collect/collect.h"
#include "proto/snapshot.h"
#include "tests/collect/snaputil.h"
#include "tests/support/pgtest.h"

#define DB           "pgopt_collector_roles"
#define DB_NOPGS     "pgopt_collector_nopgss"
#define DB_MONSCHEMA "pgopt_collector_pgss_schema"
#define NOPRIV       "pgopt_collector_nopriv"
#define MONITOR      "pgopt_collector_monitor"
#define SECRET_Q     "SELECT v FROM secret WHERE id = $1"

static int setup(void **state)
{
    (void)state;
    if (pgtest_create_db(DB) != 0 || pgtest_create_db(DB_NOPGS) != 0 ||
        pgtest_create_db(DB_MONSCHEMA) != 0)
        return -1;
    PGconn *c = pgtest_connect("postgres");
    /* Roles are cluster-wide: names unique to this test. */
    pgtest_exec(c,
                "DROP ROLE IF EXISTS " NOPRIV "; DROP ROLE IF EXISTS " MONITOR ";"
                "CREATE ROLE " NOPRIV " LOGIN; CREATE ROLE " MONITOR " LOGIN IN ROLE pg_monitor");
    PQfinish(c);
    c = pgtest_connect(DB);
    pgtest_exec(c, "CREATE EXTENSION pg_stat_statements;"
                   "CREATE TABLE secret (id int PRIMARY KEY, v text);"
                   "INSERT INTO secret SELECT i, 'v' || i FROM generate_series(1, 100) i;"
                   "ANALYZE secret");
    PQfinish(c);
    c = pgtest_connect(DB_NOPGS);
    pgtest_exec(c, "CREATE TABLE t (id int PRIMARY KEY); ANALYZE t");
    PQfinish(c);
    /* pg_stat_statements installed in a schema of its own. */
    c = pgtest_connect(DB_MONSCHEMA);
    pgtest_exec(c, "CREATE SCHEMA \"Mon Itoring\";"
                   "CREATE EXTENSION pg_stat_statements SCHEMA \"Mon Itoring\";"
                   "CREATE TABLE m (id int)");
    PQfinish(c);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    PGconn *c = pgtest_connect("postgres");
    /* DROP DATABASE cannot share a query string (an implicit transaction). */
    pgtest_exec(c, "DROP DATABASE IF EXISTS " DB " WITH (FORCE)");
    pgtest_exec(c, "DROP DATABASE IF EXISTS " DB_NOPGS " WITH (FORCE)");
    pgtest_exec(c, "DROP DATABASE IF EXISTS " DB_MONSCHEMA " WITH (FORCE)");
    pgtest_exec(c, "DROP ROLE IF EXISTS " NOPRIV "; DROP ROLE IF EXISTS " MONITOR);
    PQfinish(c);
    return 0;
}

/* pg_stat_statements_info.stats_reset as last seen, and how many times the
 * superuser ran SECRET_Q in DB since then. */
static char last_reset[64];
static int secret_calls;

/* Runs SECRET_Q as the fixture's superuser: an entry the other roles'
 * collections see (pg_monitor) or must not see (NOPRIV). */
static void run_secret(void)
{
    PGconn *c = pgtest_connect(DB);
    char *reset = pgtest_scalar(c, "SELECT stats_reset FROM pg_stat_statements_info");
    if (!reset || strcmp(reset, last_reset) != 0) {
        snprintf(last_reset, sizeof last_reset, "%s", reset ? reset : "");
        secret_calls = 0;
    }
    free(reset);
    const char *params[1] = {"5"};
    PGresult *r = PQexecParams(c, SECRET_Q, 1, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);
    secret_calls++;
    PQfinish(c);
}

static json_t *collect_as(const char *db, const char *user);

/* Other tests share the server and may reset pg_stat_statements globally
 * at any time; a collection during which that happened is repeated. */
static json_t *collect_secret_as(const char *user)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        run_secret();
        json_t *doc = collect_as(DB, user);
        PGconn *c = pgtest_connect(DB);
        char *reset = pgtest_scalar(c, "SELECT stats_reset FROM pg_stat_statements_info");
        PQfinish(c);
        int same = reset && strcmp(reset, last_reset) == 0;
        free(reset);
        if (same)
            return doc;
        json_decref(doc);
    }
    fail_msg("pg_stat_statements was reset during each of 3 collections");
    return NULL;
}

static json_t *collect_as(const char *db, const char *user)
{
    char ci[512];
    snap_conninfo(db, user, ci, sizeof ci);
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = ci;
    json_t *doc = NULL;
    err_t err = {{0}};
    if (collect_snapshot(&o, &doc, &err) != 0)
        fail_msg("collect_snapshot as %s: %s", user ? user : "(fixture user)", err.msg);
    if (snapshot_validate(doc, &err) != 0)
        fail_msg("snapshot_validate: %s", err.msg);
    return doc;
}

static void expect_note(json_t *doc, const char *a, const char *b)
{
    if (!snap_note(doc, a, b, NULL)) {
        snap_print_notes(doc);
        fail_msg("no note containing \"%s\" and \"%s\"", a, b ? b : "");
    }
}

static void expect_no_note(json_t *doc, const char *a)
{
    const char *n = snap_note(doc, a, NULL);
    if (n)
        fail_msg("unexpected note: %s", n);
}

static void test_unprivileged(void **state)
{
    (void)state;
    json_t *doc = collect_secret_as(NOPRIV);
    json_t *meta = json_object_get(doc, "meta");
    assert_string_equal(json_string_value(json_object_get(meta, "role")), NOPRIV);
    /* pg_control_system() is open to every role on PostgreSQL 15. */
    assert_non_null(json_string_value(json_object_get(meta, "system_identifier")));
    /* Not readable: the data directory, others' statements, statistics of
     * a table it may not SELECT. */
    expect_note(doc, "host.storage unknown: data_directory is visible only to superusers", NOPRIV);
    expect_note(doc, "pg_stat_statements entries of other roles are hidden", NOPRIV);
    expect_note(doc, "pg_stats hides statistics of 2 columns", NOPRIV);
    /* What it can read is there. */
    json_t *secret = snap_find(json_object_get(doc, "tables"), "name", "secret", NULL, NULL);
    assert_non_null(secret);
    assert_true(json_real_value(json_object_get(secret, "reltuples")) == 100.0);
    json_t *v = snap_find(json_object_get(doc, "columns"), "table", "secret", "name", "v");
    assert_non_null(v);
    assert_true(json_is_false(json_object_get(v, "stats_visible")));
    assert_true(json_is_null(json_object_get(v, "null_frac")));
    assert_non_null(snap_find(json_object_get(doc, "indexes"), "name", "secret_pkey", NULL, NULL));
    assert_null(snap_find(json_object_get(doc, "statements"), "query", SECRET_Q, NULL, NULL));
    assert_true(json_is_array(json_object_get(doc, "statements")));
    assert_non_null(json_object_get(doc, "settings"));
    assert_non_null(json_object_get(doc, "database"));
    assert_non_null(json_object_get(doc, "activity"));
    json_decref(doc);
}

static void test_pg_monitor(void **state)
{
    (void)state;
    json_t *doc = collect_secret_as(MONITOR);
    /* pg_monitor reads all statistics views and all settings ... */
    json_t *s = snap_find(json_object_get(doc, "statements"), "query", SECRET_Q, NULL, NULL);
    assert_non_null(s);
    assert_int_equal(json_integer_value(json_object_get(s, "calls")), secret_calls);
    expect_no_note(doc, "entries of other roles are hidden");
    expect_no_note(doc, "data_directory is visible only");
    /* ... but not table data, hence not pg_stats. */
    expect_note(doc, "pg_stats hides statistics of 2 columns", MONITOR);
    json_decref(doc);
}

static void test_no_pg_stat_statements(void **state)
{
    (void)state;
    json_t *doc = collect_as(DB_NOPGS, NULL);
    assert_null(json_object_get(doc, "statements"));
    expect_note(doc, "statements: extension pg_stat_statements is not installed in database",
                "CREATE EXTENSION pg_stat_statements");
    /* The fixture preloads the library, and the note says so. */
    expect_note(doc, "already in shared_preload_libraries", NULL);
    assert_non_null(snap_find(json_object_get(doc, "tables"), "name", "t", NULL, NULL));
    json_decref(doc);
}

static void test_pg_stat_statements_elsewhere(void **state)
{
    (void)state;
    /* The statement is run right before collecting; a global reset by
     * another test in between is detected and the pair repeated. */
    json_t *doc = NULL;
    for (int attempt = 0; attempt < 3 && !doc; attempt++) {
        PGconn *c = pgtest_connect(DB_MONSCHEMA);
        char *before =
            pgtest_scalar(c, "SELECT stats_reset FROM \"Mon Itoring\".pg_stat_statements_info");
        pgtest_exec(c, "SELECT \"Mon Itoring\".pg_stat_statements_reset(0, (SELECT oid FROM "
                       "pg_database WHERE "
                       "datname = current_database()), 0)");
        pgtest_exec(c, "SELECT count(*) FROM m WHERE id > 41");
        doc = collect_as(DB_MONSCHEMA, NULL);
        char *after =
            pgtest_scalar(c, "SELECT stats_reset FROM \"Mon Itoring\".pg_stat_statements_info");
        if (!before || !after || strcmp(before, after) != 0) {
            json_decref(doc);
            doc = NULL;
        }
        free(before);
        free(after);
        PQfinish(c);
    }
    assert_non_null(doc);
    json_t *s = snap_find(json_object_get(doc, "statements"), "query",
                          "SELECT count(*) FROM m WHERE id > $1", NULL, NULL);
    if (!s) {
        snap_print_notes(doc);
        fail_msg("statement not found");
    }
    assert_int_equal(json_integer_value(json_object_get(s, "calls")), 1);
    json_t *ext = snap_find(json_object_get(json_object_get(doc, "meta"), "extensions"), "name",
                            "pg_stat_statements", NULL, NULL);
    assert_string_equal(json_string_value(json_object_get(ext, "schema")), "Mon Itoring");
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unprivileged),
        cmocka_unit_test(test_pg_monitor),
        cmocka_unit_test(test_no_pg_stat_statements),
        cmocka_unit_test(test_pg_stat_statements_elsewhere),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
