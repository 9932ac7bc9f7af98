/* test_frozen.c - a database that stops answering mid-conversation (issue 13
 * item 2): every libpq wait of pgopt is bounded on the client side.
 *
 * The freeze is real: tests/support/tcpproxy relays to the fixture's server
 * and stops relaying (sockets left open, no RST) once a connection has
 * carried a given number of bytes from the server. The server itself stays
 * healthy, so statement_timeout never fires and TCP keepalives are answered
 * by the proxy's kernel: only pgopt's own bound can end the wait.
 *
 *  - common/pgconn: a statement on a frozen connection returns NULL at the
 *    connection's deadline, or at once when the thread's stop hook fires,
 *    and the connection is then broken for good;
 *  - the collector: collect_snapshot() fails with the --collect-timeout
 *    named in its one-line error, in process and through the coordinator
 *    executable (both the analysis command and "snapshot --store"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/pgconn.h"
#include "coordinator/collect/collect.h"
#include "tests/support/pgtest.h"
#include "tests/support/proc.h"
#include "tests/support/tcpproxy.h"

#define DB "pgopt_collector_frozen"

/* Startup and authentication answers are a few hundred bytes; the settings
 * section alone is tens of kilobytes: 2000 freezes a collection in its
 * first sections, after a successful connect. */
#define FREEZE_AFTER 2000

static int setup(void **state)
{
    (void)state;
    if (pgtest_create_db(DB) != 0)
        return -1;
    PGconn *c = pgtest_connect(DB);
    pgtest_exec(c, "CREATE TABLE t (id int PRIMARY KEY, v text)");
    PQfinish(c);
    return 0;
}

static tcpproxy_t *proxy_to_server(void)
{
    const char *port = pgtest_env("PGPORT");
    assert_non_null(port);
    tcpproxy_t *p = tcpproxy_start("127.0.0.1", atoi(port));
    assert_non_null(p);
    return p;
}

static void proxy_conninfo(const tcpproxy_t *p, char *buf, size_t len)
{
    const char *user = pgtest_env("PGUSER");
    snprintf(buf, len, "host=127.0.0.1 port=%d user=%s dbname=" DB, tcpproxy_port(p),
             user ? user : "postgres");
}

static pgconn_t *open_through(tcpproxy_t *p, int64_t deadline_at)
{
    char ci[256];
    proxy_conninfo(p, ci, sizeof ci);
    const char *keys[] = {"dbname", NULL};
    const char *vals[] = {ci, NULL};
    pgconn_bounds_t b = {.deadline_at = deadline_at, .what = "(test)"};
    pgconn_t *c = NULL;
    err_t err = {{0}};
    if (pgconn_open(keys, vals, &b, &c, &err) != 0)
        fail_msg("connect through the proxy: %s", err.msg);
    return c;
}

/* A healthy round trip first, then a frozen one: NULL at the deadline, the
 * connection broken, the next call failing at once. */
static void test_pgconn_deadline(void **state)
{
    (void)state;
    tcpproxy_t *p = proxy_to_server();
    pgconn_t *c = open_through(p, 0);
    PGresult *r = pgconn_exec(c, "SELECT 1");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);

    tcpproxy_freeze_all(p);
    assert_int_equal(tcpproxy_wait_frozen(p, 1, 10000), 1);
    pgconn_bounds_t b = {.deadline_at = clock_mono_ms() + 1000, .what = "(test 1s)"};
    pgconn_set_bounds(c, &b);
    int64_t t0 = clock_mono_ms();
    r = pgconn_exec(c, "SELECT 2");
    int64_t took = clock_mono_ms() - t0;
    assert_null(r);
    assert_true(pgconn_broken(c));
    assert_true(pgconn_timed_out(c));
    printf("frozen statement given up after %lld ms: %s\n", (long long)took, pgconn_error(c));
    assert_non_null(strstr(pgconn_error(c), "deadline (test 1s) reached"));
    assert_non_null(strstr(pgconn_error(c), "abandoned"));
    /* Never before the deadline. */
    assert_true(took >= 900);
    assert_true(pgconn_cancels_sent() >= 1);

    assert_null(pgconn_exec(c, "SELECT 3"));
    assert_true(pgconn_broken(c));
    pgconn_destroy(&c);
    pgconn_destroy(&c);
    assert_null(c);
    tcpproxy_destroy(&p);
}

/* The stop hook ends a wait that has no deadline at all. */
static atomic_int stop_now;
static int stop_hook(void *arg)
{
    (void)arg;
    return atomic_load(&stop_now);
}

static void test_pgconn_stop_hook(void **state)
{
    (void)state;
    tcpproxy_t *p = proxy_to_server();
    pgconn_t *c = open_through(p, 0);
    tcpproxy_freeze_all(p);
    assert_int_equal(tcpproxy_wait_frozen(p, 1, 10000), 1);
    /* The hook says stop from the start: the wait ends at the first look. */
    atomic_store(&stop_now, 1);
    pgconn_set_thread_stop(stop_hook, NULL);
    PGresult *r = pgconn_exec(c, "SELECT pg_sleep(0)");
    pgconn_set_thread_stop(NULL, NULL);
    assert_null(r);
    assert_true(pgconn_timed_out(c));
    assert_non_null(strstr(pgconn_error(c), "cancelled"));
    pgconn_destroy(&c);
    tcpproxy_destroy(&p);
}

/* In process: the collection ends with the bound named. */
static void test_collect_frozen(void **state)
{
    (void)state;
    tcpproxy_t *p = proxy_to_server();
    tcpproxy_freeze_after(p, FREEZE_AFTER);
    char ci[256];
    proxy_conninfo(p, ci, sizeof ci);
    collect_opts_t o;
    collect_opts_init(&o);
    assert_int_equal(o.collect_timeout_ms, 300000); /* the documented default */
    o.conninfo = ci;
    o.collect_timeout_ms = 1500;
    json_t *doc = NULL;
    err_t err = {{0}};
    assert_int_equal(collect_snapshot(&o, &doc, &err), -1);
    assert_null(doc);
    printf("collector: %s\n", err.msg);
    assert_int_equal(tcpproxy_wait_frozen(p, 1, 0), 1);
    assert_non_null(strstr(err.msg, "collecting "));
    assert_non_null(strstr(err.msg, "--collect-timeout 1500 ms"));
    assert_non_null(strstr(err.msg, "connection abandoned"));
    assert_null(strchr(err.msg, '\n'));
    tcpproxy_destroy(&p);
}

/* The executables: the analysis command and "snapshot --store" exit 1 with
 * that error instead of hanging (before the fix: blocked until killed). */
static void run_frozen(const char *label, char *const argv_tail[])
{
    tcpproxy_t *p = proxy_to_server();
    tcpproxy_freeze_after(p, FREEZE_AFTER);
    char ci[256];
    proxy_conninfo(p, ci, sizeof ci);
    char dir[256];
    assert_int_equal(proc_tmpdir(dir, sizeof dir), 0);
    char out[300], errp[300], store[300];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(errp, sizeof errp, "%s/err", dir);
    snprintf(store, sizeof store, "%s/store", dir);
    char *argv[16];
    int a = 0;
    argv[a++] = (char *)proc_bin("pgopt-coordinator");
    for (int i = 0; argv_tail[i]; i++)
        argv[a++] = strcmp(argv_tail[i], "@DSN") == 0     ? ci
                    : strcmp(argv_tail[i], "@STORE") == 0 ? store
                                                          : argv_tail[i];
    argv[a] = NULL;
    int64_t t0 = clock_mono_ms();
    int rc = proc_run(argv, NULL, out, errp);
    int64_t took = clock_mono_ms() - t0;
    char *e = proc_slurp(errp);
    printf("%s: exit %d after %lld ms: %s", label, rc, (long long)took, e ? e : "(no stderr)\n");
    assert_int_equal(rc, 1);
    assert_int_equal(tcpproxy_wait_frozen(p, 1, 0), 1);
    assert_non_null(e);
    assert_non_null(strstr(e, "--collect-timeout 2000 ms"));
    assert_non_null(strstr(e, "connection abandoned"));
    free(e);
    proc_rmdir(store);
    proc_rmdir(dir);
    tcpproxy_destroy(&p);
}

static void test_coordinator_frozen(void **state)
{
    (void)state;
    char *tail[] = {"--dsn", "@DSN", "--collect-timeout", "2s", "-q", "-f", "json", NULL};
    run_frozen("pgopt-coordinator", tail);
}

static void test_snapshot_cli_frozen(void **state)
{
    (void)state;
    char *tail[] = {"snapshot",          "--dsn", "@DSN", "--store", "@STORE",
                    "--collect-timeout", "2s",    NULL};
    run_frozen("pgopt-coordinator snapshot", tail);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgconn_deadline),     cmocka_unit_test(test_pgconn_stop_hook),
        cmocka_unit_test(test_collect_frozen),      cmocka_unit_test(test_coordinator_frozen),
        cmocka_unit_test(test_snapshot_cli_frozen),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
