/*
 * test_history_pg.c - `pgopt-coordinator snapshot` (history_cli_main) and
 * live sampling against the fixture's PostgreSQL: records appended under
 * the server's system identifier and database, attached to a later
 * snapshot; bad command lines and unreachable servers fail cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "coordinator/collect/collect.h"
#include "coordinator/history/history.h"
#include "coordinator/history/history_cli.h"
#include "tests/support/pgtest.h"

#define DB "ai_hist_cli"

static char store[256], conninfo[512];

static int run_cli(int argc, const char **argv)
{
    return history_cli_main(argc, (char **)argv);
}

static void test_snapshot_subcommand(void **state)
{
    (void)state;
    snprintf(store, sizeof store, "/tmp/pgopt-history-pg-%d", (int)getpid());
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", store);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(pgtest_create_db(DB), 0);
    assert_int_equal(pgtest_conninfo(DB, conninfo, sizeof conninfo), 0);
    PGconn *c = pgtest_connect(DB);
    pgtest_exec(c, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; CREATE TABLE t AS "
                   "SELECT g AS id FROM generate_series(1, 1000) g");
    const char *argv[] = {"snapshot", "--dsn", conninfo, "--store", store, "-q"};
    assert_int_equal(run_cli(6, argv), 0);
    for (int i = 0; i < 20; i++)
        pgtest_exec(c, "SELECT count(*) FROM t WHERE id > 10");
    pgtest_exec(c, "CREATE INDEX t_id ON t (id)");
    /* No pause: records are kept to the microsecond, so two collections in
     * the same second are two records. */
    assert_int_equal(run_cli(6, argv), 0);
    PQfinish(c);

    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = conninfo;
    json_t *snap;
    err_t err;
    if (collect_snapshot(&o, &snap, &err) != 0)
        fail_msg("collect: %s", err.msg);
    if (history_attach(snap, store, &err) != 0)
        fail_msg("attach: %s", err.msg);
    json_t *h = json_object_get(snap, "history");
    assert_int_equal(json_array_size(h), 3);
    json_t *mh = json_object_get(json_object_get(snap, "meta"), "history");
    assert_int_equal(json_integer_value(json_object_get(mh, "records")), 2);
    /* The count(*) statement grew by 20 calls between the two records. */
    json_t *a = json_object_get(json_array_get(h, 0), "statements");
    json_t *b = json_object_get(json_array_get(h, 1), "statements");
    assert_true(json_array_size(b) >= 1);
    json_int_t grown = 0;
    size_t i, j;
    json_t *rb, *ra;
    json_array_foreach(b, i, rb)
    {
        json_int_t before = 0;
        json_array_foreach(a, j, ra)
        {
            if (json_integer_value(json_object_get(ra, "queryid")) ==
                json_integer_value(json_object_get(rb, "queryid")))
                before = json_integer_value(json_object_get(ra, "calls"));
        }
        json_int_t d = json_integer_value(json_object_get(rb, "calls")) - before;
        grown = d > grown ? d : grown;
    }
    assert_true(grown >= 20);
    /* What attribution diffs: the index created between the records, the
     * settings map, the server start, the plan fingerprint. */
    json_t *e0 = json_array_get(h, 0), *e1 = json_array_get(h, 1);
    int had = 0, has = 0;
    json_t *ix;
    json_array_foreach(json_object_get(e0, "indexes"), i, ix) had |=
        !strcmp(json_string_value(json_object_get(ix, "name")), "t_id");
    json_array_foreach(json_object_get(e1, "indexes"), i, ix)
    {
        if (!strcmp(json_string_value(json_object_get(ix, "name")), "t_id")) {
            has = 1;
            assert_non_null(strstr(json_string_value(json_object_get(ix, "definition")), "(id)"));
            assert_true(json_is_true(json_object_get(ix, "is_valid")));
        }
    }
    assert_false(had);
    assert_true(has);
    assert_true(json_is_object(json_object_get(e1, "settings")));
    assert_non_null(
        json_object_get(json_object_get(e1, "settings"), "port")); /* set by the fixture */
    assert_non_null(json_string_value(json_object_get(e1, "server_started_at")));
    int hashed = 0;
    json_array_foreach(b, i, rb) hashed |=
        json_string_value(json_object_get(rb, "plan_hash")) != NULL;
    assert_true(hashed);
    /* The statement's text is not stored, its fingerprint is: the same as
     * that of the text with a literal (what a recommended rewrite holds). */
    char want[32];
    assert_int_equal(history_fingerprint("select count(*) from t where id > 99", want, sizeof want),
                     0);
    int fingerprinted = 0;
    json_array_foreach(b, i, rb)
    {
        assert_null(json_object_get(rb, "query"));
        const char *fp = json_string_value(json_object_get(rb, "text_fingerprint"));
        fingerprinted |= fp && !strcmp(fp, want);
    }
    assert_true(fingerprinted);
    assert_int_equal(history_fingerprint("SELECT FROM WHERE", want, sizeof want), -1);
    json_decref(snap);

    /* Live sampling: two collections a second apart. */
    if (collect_snapshot(&o, &snap, &err) != 0)
        fail_msg("collect: %s", err.msg);
    if (history_sample_live(&o, 2, 1, snap, &err) != 0)
        fail_msg("sample: %s", err.msg);
    assert_int_equal(json_array_size(json_object_get(snap, "history")), 2);
    assert_int_equal(history_sample_live(&o, 1, 1, snap, &err), -1);
    assert_non_null(strstr(err.msg, "--samples"));
    json_decref(snap);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", store);
    assert_int_equal(system(cmd), 0);
}

static void test_bad_command_lines(void **state)
{
    (void)state;
    const char *no_store[] = {"snapshot", "--dsn", "dbname=x"};
    assert_int_equal(run_cli(3, no_store), 2);
    const char *bad_days[] = {"snapshot", "--dsn", "x", "--store", "/tmp", "--retention", "abc"};
    assert_int_equal(run_cli(7, bad_days), 2);
    const char *unknown[] = {"snapshot", "--frobnicate"};
    assert_int_equal(run_cli(2, unknown), 2);
    const char *unreachable[] = {"snapshot", "--dsn", "host=127.0.0.1 port=1 connect_timeout=2",
                                 "--store",  "/tmp",  "-q"};
    assert_int_equal(run_cli(6, unreachable), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_subcommand),
        cmocka_unit_test(test_bad_command_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
