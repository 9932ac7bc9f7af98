/* test_redact.c - secrets in the workload never leave the collector
 * (coordinator/collect/redact.h, issue 13 item 4): redact_sql on its own, then a
 * real collection from a database whose pg_stat_statements holds a role
 * password, a user mapping's password, a COPY PROGRAM command, a pgcrypto
 * key and a dblink connection string: no secret appears anywhere in the
 * snapshot, queryids are kept, meta.redaction counts them and the text
 * report says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/jsonout.h"
#include "coordinator/collect/collect.h"
#include "coordinator/collect/redact.h"
#include "coordinator/report/report.h"
#include "tests/collect/snaputil.h"
#include "tests/support/pgtest.h"

#define DB "pgopt_collector_redact"

static char role[64];

static void test_redact_sql(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
        size_t n;
    } cases[] = {
        {"CREATE ROLE bob LOGIN PASSWORD 'hunter2'", "CREATE ROLE bob LOGIN PASSWORD '<redacted>'",
         1},
        {"ALTER USER bob WITH ENCRYPTED PASSWORD 'md5abc'",
         "ALTER USER bob WITH ENCRYPTED PASSWORD '<redacted>'", 1},
        {"CREATE USER MAPPING FOR bob SERVER s OPTIONS (user 'bob', password 'pw1')",
         "CREATE USER MAPPING FOR bob SERVER s OPTIONS (user 'bob', password '<redacted>')", 1},
        {"SELECT dblink_connect('c', 'host=x password =zz')",
         "SELECT dblink_connect('c', '<redacted>')", 1},
        {"CREATE SUBSCRIPTION s CONNECTION 'postgresql://u:sec@h/db' PUBLICATION p",
         "CREATE SUBSCRIPTION s CONNECTION '<redacted>' PUBLICATION p", 1},
        {"COPY t FROM PROGRAM 'curl http://x?key=1'", "COPY t FROM PROGRAM '<redacted>'", 1},
        {"SELECT pgp_sym_decrypt(col, E'k3y') FROM t",
         "SELECT pgp_sym_decrypt(col, '<redacted>') FROM t", 1},
        {"SELECT public.pgp_sym_encrypt(lower(x), 'a', 'cipher-algo=aes256')",
         "SELECT public.pgp_sym_encrypt(lower(x), '<redacted>', 'cipher-algo=aes256')", 1},
        {"SELECT hmac(d, 'k', 'sha256'), encrypt(d, 'k2', 'aes')",
         "SELECT hmac(d, '<redacted>', 'sha256'), encrypt(d, '<redacted>', 'aes')", 2},
        {"DO $$BEGIN PERFORM pgp_sym_encrypt('x', 'pw'); END$$",
         "DO $$BEGIN PERFORM pgp_sym_encrypt('x', '<redacted>'); END$$", 1},
        /* nothing secret: unchanged */
        {"SELECT 'password is a word', password FROM users WHERE id = $1",
         "SELECT 'password is a word', password FROM users WHERE id = $1", 0},
        {"COPY (SELECT 'program') TO STDOUT", "COPY (SELECT 'program') TO STDOUT", 0},
        {"SELECT \"Crypt\"('x', 'y')", "SELECT \"Crypt\"('x', 'y')", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t n;
        int fb;
        char *r = redact_sql(cases[i].in, &n, &fb);
        assert_non_null(r);
        assert_string_equal(r, cases[i].out);
        assert_int_equal(n, cases[i].n);
        assert_int_equal(fb, 0);
        free(r);
    }
    /* Unscannable (an unterminated quote): cut at the first sensitive word. */
    size_t n;
    int fb;
    char *r = redact_sql("CREATE ROLE x PASSWORD 'unterminated s3cret", &n, &fb);
    assert_int_equal(fb, 1);
    assert_int_equal(n, 1);
    assert_null(strstr(r, "s3cret"));
    assert_non_null(strstr(r, "CREATE ROLE x "));
    free(r);
}

static void test_collection_redacts(void **state)
{
    (void)state;
    assert_int_equal(pgtest_create_db(DB), 0);
    snprintf(role, sizeof role, "pgopt_redact_%d", (int)getpid());
    PGconn *c = pgtest_connect(DB);
    /* One statement per call: each is its own pg_stat_statements entry. No
     * reset: the server is shared (tests/support/check_shared_cluster.sh),
     * the database is new and the secrets unique to this test. */
    const char *setup_sql[] = {
        "CREATE EXTENSION pg_stat_statements",
        "CREATE EXTENSION pgcrypto",
        "CREATE ROLE %s LOGIN PASSWORD 'S3cr3t-role-pw'",
        "ALTER ROLE %s WITH ENCRYPTED PASSWORD 'S3cr3t-alter-pw'",
        "CREATE FOREIGN DATA WRAPPER redact_fdw",
        "CREATE SERVER redact_srv FOREIGN DATA WRAPPER redact_fdw",
        "CREATE USER MAPPING FOR %s SERVER redact_srv OPTIONS (user 'u', password "
        "'S3cr3t-mapping')",
        "COPY (SELECT 1) TO PROGRAM 'cat > /dev/null # S3cr3t-program'",
        "DO $$BEGIN PERFORM pgp_sym_encrypt('data', 'S3cr3t-pgp-key'); END$$",
        "CREATE FUNCTION redact_link() RETURNS void LANGUAGE plpgsql AS $$BEGIN PERFORM "
        "dblink_connect('l', 'host=db1 user=app password=S3cr3t-dblink'); END$$",
    };
    for (size_t k = 0; k < sizeof setup_sql / sizeof *setup_sql; k++) {
        char sql[512];
        snprintf(sql, sizeof sql, setup_sql[k], role);
        pgtest_exec(c, sql);
    }
    char *qid = pgtest_scalar(c, "SELECT queryid FROM pg_stat_statements WHERE query LIKE "
                                 "'CREATE ROLE%S3cr3t-role-pw%'");
    assert_non_null(qid); /* pg_stat_statements keeps the utility text verbatim */

    char conninfo[512];
    snap_conninfo(DB, NULL, conninfo, sizeof conninfo);
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = conninfo;
    json_t *snap;
    err_t err;
    if (collect_snapshot(&o, &snap, &err) != 0)
        fail_msg("collect: %s", err.msg);
    char *text = jsonout_string(snap, 0, &err);
    assert_non_null(text);
    char *leak = strstr(text, "S3cr3t");
    if (leak)
        fail_msg("a secret left the collector: ...%.80s", leak > text + 40 ? leak - 40 : text);
    free(text);
    /* The statement is still there, under the same queryid. */
    size_t i;
    json_t *st;
    int found = 0;
    json_array_foreach(json_object_get(snap, "statements"), i, st)
    {
        const char *q = json_string_value(json_object_get(st, "query"));
        if (q && strncmp(q, "CREATE ROLE", 11) == 0) {
            found = 1;
            assert_non_null(strstr(q, "PASSWORD " REDACT_LITERAL));
            char buf[32];
            snprintf(buf, sizeof buf, "%lld",
                     (long long)json_integer_value(json_object_get(st, "queryid")));
            assert_string_equal(buf, qid);
        }
    }
    assert_true(found);
    free(qid);
    json_t *red = json_object_get(json_object_get(snap, "meta"), "redaction");
    assert_true(json_integer_value(json_object_get(red, "literals")) >= 6);
    assert_true(json_integer_value(json_object_get(red, "statements")) >= 6);
    assert_true(json_is_number(json_object_get(red, "ms")));
    print_message(
        "redaction: %.3f ms of a %.1f ms collection (%zu statements)\n",
        json_number_value(json_object_get(red, "ms")),
        json_number_value(json_object_get(json_object_get(snap, "meta"), "collection_ms")),
        json_array_size(json_object_get(snap, "statements")));
    assert_non_null(snap_note(snap, "redacted", NULL));
    /* The text report says so. */
    json_t *p3 = json_pack("{s:s, s:s}", "phase", "OPTIMIZE", "status", "complete");
    report_opts_t ro;
    report_opts_init(&ro);
    ro.snapshot_summary = report_snapshot_summary(snap);
    char *out = NULL;
    size_t outlen = 0;
    FILE *mem = open_memstream(&out, &outlen);
    assert_int_equal(report_write(p3, REPORT_TEXT, mem, &ro, &err), 0);
    fclose(mem);
    if (!strstr(out, "redacted") || !strstr(out, "secret literal"))
        fail_msg("the text report does not say what was redacted:\n%s", out);
    free(out);
    json_decref((json_t *)ro.snapshot_summary);
    json_decref(p3);
    json_decref(snap);
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
        cmocka_unit_test(test_redact_sql),
        cmocka_unit_test(test_collection_redacts),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
