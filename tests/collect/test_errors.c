/* test_errors.c - the failures that end a collection, each with one line:
 * bad connection string, refused connection, unknown role, statement
 * timeout, server connection lost mid-run; and a lock timeout, which does
 * not end it. Bad --code and --storage values fail before connecting.
 *
 * Determinism: the collector's tables query sizes every table
 * (pg_total_relation_size takes an ACCESS SHARE lock), so a queued ACCESS
 * EXCLUSIVE request on one table (see queue_lock) stops it exactly there,
 * for as long as the test wants: until statement_timeout fires, until
 * lock_timeout fires, or until a watcher thread sees it waiting and
 * terminates it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "coordinator/collect/collect.h"
#include "tests/collect/snaputil.h"
#include "tests/support/pgtest.h"

#define DB "pgopt_collector_errors"

static int setup(void **state)
{
    (void)state;
    if (pgtest_create_db(DB) != 0)
        return -1;
    PGconn *c = pgtest_connect(DB);
    pgtest_exec(c, "CREATE TABLE busy (id int PRIMARY KEY); CREATE TABLE other (id int)");
    PQfinish(c);
    return 0;
}

static int collect_with(const char *conninfo, int statement_ms, int lock_ms, json_t **doc,
                        err_t *err)
{
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = conninfo;
    o.statement_timeout_ms = statement_ms;
    o.lock_timeout_ms = lock_ms;
    memset(err, 0, sizeof *err);
    *doc = NULL;
    return collect_snapshot(&o, doc, err);
}

static void assert_one_line(const err_t *err)
{
    assert_true(strlen(err->msg) > 10);
    assert_null(strchr(err->msg, '\n'));
}

static void test_bad_conninfo(void **state)
{
    (void)state;
    json_t *doc;
    err_t err;
    assert_int_equal(collect_with("host=localhost port", 1000, 1000, &doc, &err), -1);
    assert_null(doc);
    assert_string_equal(err.msg, "bad connection string: missing \"=\" after \"port\" in "
                                 "connection info string");
    assert_int_equal(collect_with("postgresql://[::1/db", 1000, 1000, &doc, &err), -1);
    assert_non_null(strstr(err.msg, "bad connection string: "));
    assert_one_line(&err);
}

static void test_refused(void **state)
{
    (void)state;
    /* A port nobody listens on: bind one, note it, close it. */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
    int port = ntohs(a.sin_port);
    close(s);

    char ci[256];
    snprintf(ci, sizeof ci, "host=127.0.0.1 port=%d dbname=x user=someone password=s3cret", port);
    json_t *doc;
    err_t err;
    assert_int_equal(collect_with(ci, 1000, 1000, &doc, &err), -1);
    char want[128];
    snprintf(want, sizeof want,
             "connecting to host=127.0.0.1 port=%d dbname=x user=someone: Connection refused",
             port);
    assert_string_equal(err.msg, want);
    assert_null(strstr(err.msg, "s3cret"));
}

static void test_unknown_role(void **state)
{
    (void)state;
    char ci[512];
    snap_conninfo(DB, "pgopt_no_such_role", ci, sizeof ci);
    json_t *doc;
    err_t err;
    assert_int_equal(collect_with(ci, 1000, 1000, &doc, &err), -1);
    assert_non_null(strstr(err.msg, "connecting to host="));
    assert_non_null(strstr(err.msg, "user=pgopt_no_such_role: role \"pgopt_no_such_role\" does "
                                    "not exist"));
    assert_one_line(&err);
}

/* Sessions that make the collector wait, released after each test that
 * uses them (even a failed one) so the next test does not wait too. */
static PGconn *holder, *waiter;

/* holder reads `busy` and stays idle in its transaction (ACCESS SHARE);
 * waiter asks for ACCESS EXCLUSIVE and queues behind it. Any later ACCESS
 * SHARE request queues behind waiter: the collector's first look at
 * `busy` waits, deterministically, until the test ends it. (A granted
 * ACCESS EXCLUSIVE would not do: the collector skips such relations.) */
static void queue_lock(void)
{
    holder = pgtest_connect(DB);
    pgtest_exec(holder, "BEGIN; SELECT count(*) FROM busy");
    waiter = pgtest_connect(DB);
    pgtest_exec(waiter, "SET application_name = 'collector_errors_waiter'");
    assert_int_equal(PQsendQuery(waiter, "BEGIN; LOCK TABLE busy IN ACCESS EXCLUSIVE MODE"), 1);
    PGconn *c = pgtest_connect(DB);
    int waiting = 0;
    for (int i = 0; i < 1000 && !waiting; i++) {
        char *n = pgtest_scalar(c, "SELECT count(*) FROM pg_stat_activity WHERE application_name "
                                   "= 'collector_errors_waiter' AND wait_event_type = 'Lock'");
        waiting = n && strcmp(n, "1") == 0;
        free(n);
        if (!waiting)
            nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    PQfinish(c);
    if (!waiting)
        fail_msg("the ACCESS EXCLUSIVE request on busy never queued");
}

static int release_lock(void **state)
{
    (void)state;
    if (waiter) {
        PQfinish(waiter);
        waiter = NULL;
    }
    if (holder) {
        PQfinish(holder);
        holder = NULL;
    }
    return 0;
}

static void test_statement_timeout(void **state)
{
    (void)state;
    queue_lock();
    char ci[512];
    snap_conninfo(DB, NULL, ci, sizeof ci);
    json_t *doc;
    err_t err;
    assert_int_equal(collect_with(ci, 300, 60000, &doc, &err), -1);
    assert_string_equal(err.msg, "collecting tables: canceling statement due to statement timeout "
                                 "(statement_timeout=300ms)");
}

static void test_lock_timeout(void **state)
{
    (void)state;
    queue_lock();
    char ci[512];
    snap_conninfo(DB, NULL, ci, sizeof ci);
    json_t *doc;
    err_t err;
    assert_int_equal(collect_with(ci, 60000, 200, &doc, &err), 0);
    /* The sections that had to look at `busy` itself (sizes, index
     * definitions) are lost, with a note each; the rest is there. */
    assert_null(json_object_get(doc, "tables"));
    assert_null(json_object_get(doc, "indexes"));
    assert_non_null(json_object_get(doc, "columns"));
    assert_non_null(json_object_get(doc, "constraints"));
    assert_non_null(json_object_get(doc, "settings"));
    if (!snap_note(doc, "tables: canceling statement due to lock timeout (lock_timeout=200ms)",
                   NULL) ||
        !snap_note(doc, "indexes: canceling statement due to lock timeout", NULL)) {
        snap_print_notes(doc);
        fail_msg("no lock timeout notes");
    }
    json_decref(doc);
}

/* A relation locked ACCESS EXCLUSIVE (granted) is skipped by the calls
 * that would wait for it; everything else is collected. */
static void test_locked_relation(void **state)
{
    (void)state;
    holder = pgtest_connect(DB);
    pgtest_exec(holder, "BEGIN; LOCK TABLE busy IN ACCESS EXCLUSIVE MODE");
    char ci[512];
    snap_conninfo(DB, NULL, ci, sizeof ci);
    json_t *doc;
    err_t err;
    if (collect_with(ci, 5000, 5000, &doc, &err) != 0)
        fail_msg("collect: %s", err.msg);
    if (!snap_note(doc, "holds ACCESS EXCLUSIVE", "public.busy", NULL)) {
        snap_print_notes(doc);
        fail_msg("no note about the locked table");
    }
    json_t *busy = snap_find(json_object_get(doc, "tables"), "name", "busy", NULL, NULL);
    assert_non_null(busy);
    assert_true(json_is_true(json_object_get(busy, "locked")));
    assert_true(json_is_null(json_object_get(busy, "total_bytes")));
    json_t *other = snap_find(json_object_get(doc, "tables"), "name", "other", NULL, NULL);
    assert_true(json_is_false(json_object_get(other, "locked")));
    assert_true(json_integer_value(json_object_get(other, "total_bytes")) >= 0);
    assert_true(json_is_integer(json_object_get(other, "total_bytes")));
    json_t *pkey = snap_find(json_object_get(doc, "indexes"), "name", "busy_pkey", NULL, NULL);
    assert_non_null(pkey);
    assert_true(json_is_true(json_object_get(pkey, "locked")));
    assert_true(json_is_null(json_object_get(pkey, "definition")));
    /* Plain key columns are still named: they come from the catalog. */
    assert_true(snap_strings_equal(json_object_get(pkey, "columns"), "id", NULL));
    assert_true(json_is_true(json_object_get(pkey, "is_primary")));
    json_decref(doc);
}

typedef struct {
    int terminated;
    char error[256];
} watcher_t;

/* Waits until the collector's backend is blocked on the lock, then
 * terminates it: the collector is in the middle of its tables query. */
static void *watch_and_terminate(void *arg)
{
    watcher_t *w = arg;
    char ci[512];
    snap_conninfo("postgres", NULL, ci, sizeof ci);
    PGconn *c = PQconnectdb(ci);
    for (int i = 0; i < 3000 && PQstatus(c) == CONNECTION_OK; i++) {
        PGresult *r = PQexec(c, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = '" DB "' AND application_name = "
                                "'pgopt-collector' AND wait_event_type = 'Lock'");
        int n = PQresultStatus(r) == PGRES_TUPLES_OK ? PQntuples(r) : -1;
        if (n < 0)
            snprintf(w->error, sizeof w->error, "%s", PQerrorMessage(c));
        PQclear(r);
        if (n != 0) {
            w->terminated = n > 0;
            break;
        }
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    PQfinish(c);
    return NULL;
}

static void test_connection_lost(void **state)
{
    (void)state;
    queue_lock();
    watcher_t w = {0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, watch_and_terminate, &w), 0);
    char ci[512];
    snap_conninfo(DB, NULL, ci, sizeof ci);
    json_t *doc;
    err_t err;
    int rc = collect_with(ci, 60000, 60000, &doc, &err);
    pthread_join(t, NULL);
    if (!w.terminated)
        fail_msg("the watcher did not terminate the collector: %s", w.error);
    assert_int_equal(rc, -1);
    assert_string_equal(err.msg, "collecting tables: server closed the connection unexpectedly "
                                 "(terminating connection due to administrator command)");
}

/* A password given in the conninfo (the fixture's trust authentication
 * ignores it) appears nowhere in the snapshot. */
static void test_password_not_kept(void **state)
{
    (void)state;
    char ci[600];
    snap_conninfo(DB, NULL, ci, sizeof ci);
    strcat(ci, " password=pgopt-s3cret");
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = ci;
    o.include_target_dsn = 1;
    json_t *doc;
    err_t err = {{0}};
    if (collect_snapshot(&o, &doc, &err) != 0)
        fail_msg("collect: %s", err.msg);
    json_t *target = json_object_get(doc, "target");
    assert_true(json_is_true(json_object_get(target, "password_omitted")));
    const char *dsn = json_string_value(json_object_get(target, "dsn"));
    assert_non_null(strstr(dsn, "dbname=" DB));
    char *text = json_dumps(doc, 0);
    assert_non_null(text);
    assert_null(strstr(text, "pgopt-s3cret"));
    free(text);
    json_decref(doc);
}

static void test_bad_options(void **state)
{
    (void)state;
    /* Checked before any connection attempt: the conninfo is not even
     * valid here. */
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = "host=localhost port";
    o.storage = "floppy";
    json_t *doc;
    err_t err = {{0}};
    assert_int_equal(collect_snapshot(&o, &doc, &err), -1);
    assert_non_null(strstr(err.msg, "--storage \"floppy\""));
    o.storage = NULL;
    o.cloud = "aws";
    assert_int_equal(collect_snapshot(&o, &doc, &err), -1);
    assert_non_null(strstr(err.msg, "--cloud \"aws\""));
    o.cloud = NULL;
    o.code_dir = "/nonexistent/pgopt-code";
    assert_int_equal(collect_snapshot(&o, &doc, &err), -1);
    assert_string_equal(err.msg, "--code /nonexistent/pgopt-code: No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_conninfo),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_unknown_role),
        cmocka_unit_test_teardown(test_statement_timeout, release_lock),
        cmocka_unit_test_teardown(test_lock_timeout, release_lock),
        cmocka_unit_test_teardown(test_connection_lost, release_lock),
        cmocka_unit_test_teardown(test_locked_relation, release_lock),
        cmocka_unit_test(test_password_not_kept),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
