/* test_frozen.c - a worker's what-if session whose database connection
 * freezes (issue 13 item 2). Before: the job thread blocked in libpq for
 * good, the worker reported load 1/1 forever and refused every later job
 * with BUSY. Now: the job is cancelled at its deadline, the what-if wait ends
 * with it (the runtime's pgconn stop hook), the slot frees, and the next
 * analysis on the same worker is served.
 *
 * Real parts: the fixture's PostgreSQL behind tests/support/tcpproxy (which
 * freezes the session when it sends the hypopg lookup of whatif_open, after
 * a successful connect), a real pgopt-index-advisor process on ipc://, the
 * real coordinator executable. The worker's --cancel-grace-ms is an hour, so
 * only the bounded what-if wait can free the slot within the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coordinator/collect/collect.h"
#include "tests/support/pgtest.h"
#include "tests/support/proc.h"
#include "tests/support/tcpproxy.h"

#define DB "pgopt_ia_frozen"

static char dir[256];

/* Waits for a line containing needle in the file at path (a worker's log),
 * looking again whenever the file may have grown; fails after timeout_ms. */
static void wait_log(const char *path, const char *needle, int timeout_ms)
{
    for (int waited = 0;; waited += 50) {
        char *text = proc_slurp(path);
        int found = text && strstr(text, needle);
        if (found) {
            free(text);
            return;
        }
        if (waited >= timeout_ms)
            fail_msg("no '%s' in %s within %d ms; log:\n%s", needle, path, timeout_ms,
                     text ? text : "(none)");
        free(text);
        usleep(50 * 1000);
    }
}

static const char *ia_status(const char *out_path, char *buf, size_t len)
{
    json_error_t je;
    json_t *doc = json_load_file(out_path, 0, &je);
    if (!doc)
        fail_msg("coordinator output %s: %s", out_path, je.text);
    json_t *e = json_object_get(json_object_get(doc, "fleet"), "index_advisor");
    snprintf(buf, len, "%s",
             json_string_value(json_object_get(e, "status"))
                 ? json_string_value(json_object_get(e, "status"))
                 : "(none)");
    json_decref(doc);
    return buf;
}

static int run_coord(const char *snap, const char *endpoint, const char *name)
{
    char out[400], errp[400];
    snprintf(out, sizeof out, "%s/%s.json", dir, name);
    snprintf(errp, sizeof errp, "%s/%s.err", dir, name);
    char *argv[] = {(char *)proc_bin("pgopt-coordinator"),
                    "--snapshot",
                    (char *)snap,
                    "-w",
                    (char *)endpoint,
                    "--agents",
                    "index_advisor",
                    "--timeout",
                    "3s",
                    "--discover",
                    "10s",
                    "-q",
                    "-f",
                    "json",
                    "-o",
                    out,
                    NULL};
    int rc = proc_run(argv, NULL, NULL, errp);
    char *e = proc_slurp(errp);
    printf("%s: exit %d %s", name, rc, e && *e ? e : "\n");
    free(e);
    return rc;
}

static void test_whatif_frozen_frees_slot(void **state)
{
    (void)state;
    assert_int_equal(pgtest_create_db(DB), 0);
    PGconn *c = pgtest_connect(DB);
    pgtest_exec(c, "CREATE TABLE orders (id int PRIMARY KEY, customer_id int, total numeric);"
                   "INSERT INTO orders SELECT g, g % 100, g FROM generate_series(1, 1000) g;"
                   "ANALYZE orders");
    PQfinish(c);
    const char *port = pgtest_env("PGPORT");
    assert_non_null(port);
    tcpproxy_t *p = tcpproxy_start("127.0.0.1", atoi(port));
    assert_non_null(p);
    assert_int_equal(proc_tmpdir(dir, sizeof dir), 0);

    /* A snapshot whose target.dsn is the proxy: collected through it. */
    char ci[256];
    const char *user = pgtest_env("PGUSER");
    snprintf(ci, sizeof ci, "host=127.0.0.1 port=%d user=%s dbname=" DB, tcpproxy_port(p),
             user ? user : "postgres");
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = ci;
    o.include_target_dsn = 1;
    json_t *snap = NULL;
    err_t err = {{0}};
    if (collect_snapshot(&o, &snap, &err) != 0)
        fail_msg("collect: %s", err.msg);
    char snap_path[400];
    snprintf(snap_path, sizeof snap_path, "%s/snap.json", dir);
    assert_int_equal(json_dump_file(snap, snap_path, 0), 0);
    json_decref(snap);

    char endpoint[400], log_path[400];
    snprintf(endpoint, sizeof endpoint, "ipc://%s/ia.sock", dir);
    snprintf(log_path, sizeof log_path, "%s/worker.log", dir);
    char *wargv[] = {(char *)proc_bin("pgopt-index-advisor"),
                     "--bind",
                     endpoint,
                     "--jobs",
                     "1",
                     "--cancel-grace-ms",
                     "3600000",
                     NULL};
    pid_t wpid = proc_start(wargv, NULL, NULL, log_path);
    assert_true(wpid > 0);

    /* 1: the what-if session freezes; the job is cancelled at its deadline. */
    tcpproxy_freeze_on_client(p, "hypopg");
    int rc = run_coord(snap_path, endpoint, "frozen");
    char st[64];
    assert_int_equal(tcpproxy_wait_frozen(p, 1, 0), 1);
    char out1[400];
    snprintf(out1, sizeof out1, "%s/frozen.json", dir);
    assert_string_equal(ia_status(out1, st, sizeof st), "timeout");
    assert_int_equal(rc, 1); /* no agent answered */
    /* The thread comes back by itself (not set aside: the grace is an hour). */
    wait_log(log_path, "cancelled job returned", 20000);

    /* 2: the same worker takes and serves the next analysis. */
    tcpproxy_freeze_on_client(p, NULL);
    rc = run_coord(snap_path, endpoint, "after");
    char out2[400];
    snprintf(out2, sizeof out2, "%s/after.json", dir);
    assert_string_equal(ia_status(out2, st, sizeof st), "ok");
    assert_int_equal(rc, 0);

    kill(wpid, SIGTERM);
    assert_int_equal(proc_wait(wpid), 0);
    tcpproxy_destroy(&p);
    proc_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whatif_frozen_frees_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
