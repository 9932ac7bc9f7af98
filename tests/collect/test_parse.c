/* test_parse.c - array literals, UTF-8 repair, flag parsing and conninfo
 * redaction of the collector (no PostgreSQL needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "coordinator/collect/collect.h"
#include "coordinator/collect/host.h"
#include "coordinator/collect/pgjson.h"

static json_t *parse_ok(const char *text, pgjson_elem_t kind)
{
    json_t *out = NULL;
    err_t err = {{0}};
    int rc = pgjson_parse_array(text, kind, &out, NULL, &err);
    if (rc != 0)
        fprintf(stderr, "parse %s: %s\n", text, err.msg);
    assert_int_equal(rc, 0);
    assert_non_null(out);
    return out;
}

static void test_array_strings(void **state)
{
    (void)state;
    json_t *a = parse_ok("{a,\"b c\",NULL,\"NULL\",\"q\\\"x\",\"back\\\\slash\",\"{x,y}\"}",
                         PGJSON_ELEM_STRING);
    assert_int_equal(json_array_size(a), 7);
    assert_string_equal(json_string_value(json_array_get(a, 0)), "a");
    assert_string_equal(json_string_value(json_array_get(a, 1)), "b c");
    assert_true(json_is_null(json_array_get(a, 2)));
    /* A quoted NULL is the string, not SQL NULL. */
    assert_string_equal(json_string_value(json_array_get(a, 3)), "NULL");
    assert_string_equal(json_string_value(json_array_get(a, 4)), "q\"x");
    assert_string_equal(json_string_value(json_array_get(a, 5)), "back\\slash");
    /* pg_stats of an array column: elements are arrays in text form. */
    assert_string_equal(json_string_value(json_array_get(a, 6)), "{x,y}");
    json_decref(a);

    a = parse_ok("{}", PGJSON_ELEM_STRING);
    assert_int_equal(json_array_size(a), 0);
    json_decref(a);

    a = parse_ok("{\"\"}", PGJSON_ELEM_STRING);
    assert_string_equal(json_string_value(json_array_get(a, 0)), "");
    json_decref(a);
}

static void test_array_numbers(void **state)
{
    (void)state;
    json_t *a = parse_ok("{0.9,0.1,NaN,Infinity,-1e-05}", PGJSON_ELEM_DOUBLE);
    assert_int_equal(json_array_size(a), 5);
    assert_true(json_is_real(json_array_get(a, 0)));
    assert_true(json_real_value(json_array_get(a, 0)) == 0.9);
    assert_true(json_real_value(json_array_get(a, 1)) == 0.1);
    /* JSON has no NaN or Infinity. */
    assert_true(json_is_null(json_array_get(a, 2)));
    assert_true(json_is_null(json_array_get(a, 3)));
    assert_true(json_real_value(json_array_get(a, 4)) == -1e-05);
    json_decref(a);

    a = parse_ok("{{1,2},{3,NULL}}", PGJSON_ELEM_INT);
    assert_int_equal(json_array_size(a), 2);
    assert_int_equal(json_integer_value(json_array_get(json_array_get(a, 1), 0)), 3);
    assert_true(json_is_null(json_array_get(json_array_get(a, 1), 1)));
    json_decref(a);

    a = parse_ok("[0:1]={9223372036854775807,-9223372036854775808}", PGJSON_ELEM_INT);
    assert_int_equal(json_integer_value(json_array_get(a, 0)), INT64_MAX);
    assert_int_equal(json_integer_value(json_array_get(a, 1)), INT64_MIN);
    json_decref(a);

    a = parse_ok("{t,f}", PGJSON_ELEM_BOOL);
    assert_true(json_is_true(json_array_get(a, 0)));
    assert_true(json_is_false(json_array_get(a, 1)));
    json_decref(a);
}

static void test_array_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        pgjson_elem_t kind;
        const char *msg;
    } bad[] = {
        {"", PGJSON_ELEM_STRING, "expected '{'"},
        {"{a", PGJSON_ELEM_STRING, "expected ',' or '}'"},
        {"{\"a}", PGJSON_ELEM_STRING, "unterminated quoted element"},
        {"{a,}", PGJSON_ELEM_STRING, "empty element"},
        {"{a}x", PGJSON_ELEM_STRING, "trailing characters"},
        {"{1,x}", PGJSON_ELEM_INT, "not of the array's type"},
        {"{99999999999999999999}", PGJSON_ELEM_INT, "not of the array's type"},
        {"{{{{{{{1}}}}}}}", PGJSON_ELEM_INT, "more than 6 dimensions"},
        {"[1:2]{1,2}", PGJSON_ELEM_INT, "without '='"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *out = (json_t *)1;
        err_t err = {{0}};
        assert_int_equal(pgjson_parse_array(bad[i].text, bad[i].kind, &out, NULL, &err), -1);
        assert_null(out);
        if (!strstr(err.msg, bad[i].msg))
            fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].text, err.msg, bad[i].msg);
    }
}

static void test_utf8_repair(void **state)
{
    (void)state;
    pgjson_stats_t stats = {0};
    json_t *s = pgjson_string("caf\xc3\xa9", 5, &stats);
    assert_string_equal(json_string_value(s), "caf\xc3\xa9");
    assert_int_equal(stats.repaired_strings, 0);
    json_decref(s);
    /* Latin-1 "café" and a lone continuation byte. */
    s = pgjson_string("caf\xe9 \x80", 6, &stats);
    assert_string_equal(json_string_value(s), "caf\xef\xbf\xbd \xef\xbf\xbd");
    assert_int_equal(stats.repaired_strings, 1);
    json_decref(s);
    /* Overlong encoding of '/' and a UTF-16 surrogate are not UTF-8. */
    s = pgjson_string("\xc0\xaf\xed\xa0\x80", 5, &stats);
    assert_int_equal(stats.repaired_strings, 2);
    assert_int_equal(strlen(json_string_value(s)) % 3, 0);
    json_decref(s);
}

static void test_memory(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t bytes;
    } good[] = {
        {"16GB", 17179869184LL}, {"512MB", 536870912LL}, {"1.5GiB", 1610612736LL},
        {"2t", 2199023255552LL}, {"1048576", 1048576LL}, {"64 kB", 65536LL},
        {"100B", 100},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int64_t b = 0;
        err_t err = {{0}};
        if (host_parse_memory(good[i].text, &b, &err) != 0)
            fail_msg("%s: %s", good[i].text, err.msg);
        assert_int_equal(b, good[i].bytes);
    }
    static const char *const bad[] = {"", "GB", "-1GB", "16XB", "1.5", "0", "1e30GB", "abc"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t b = 7;
        err_t err = {{0}};
        assert_int_equal(host_parse_memory(bad[i], &b, &err), -1);
        assert_int_equal(b, 7);
        assert_non_null(strstr(err.msg, "--memory"));
    }
}

static void test_flags(void **state)
{
    (void)state;
    int cpus = 0;
    err_t err = {{0}};
    assert_int_equal(host_parse_cpus("8", &cpus, &err), 0);
    assert_int_equal(cpus, 8);
    assert_int_equal(host_parse_cpus("0", &cpus, &err), -1);
    assert_int_equal(host_parse_cpus("4x", &cpus, &err), -1);
    assert_non_null(strstr(err.msg, "--cpus \"4x\""));

    const char *kind = NULL;
    assert_int_equal(host_parse_storage("NVMe", &kind, &err), 0);
    assert_string_equal(kind, "nvme");
    assert_int_equal(host_parse_storage("floppy", &kind, &err), -1);
    assert_non_null(strstr(err.msg, "hdd, ssd, nvme, san, network"));

    json_t *cloud = NULL;
    assert_int_equal(host_parse_cloud("aws:db.r6g.xlarge:eu-west-1", &cloud, &err), 0);
    assert_string_equal(json_string_value(json_object_get(cloud, "provider")), "aws");
    assert_string_equal(json_string_value(json_object_get(cloud, "instance_class")),
                        "db.r6g.xlarge");
    assert_string_equal(json_string_value(json_object_get(cloud, "region")), "eu-west-1");
    json_decref(cloud);
    assert_int_equal(host_parse_cloud("gcp:n2-standard-8", &cloud, &err), 0);
    assert_null(json_object_get(cloud, "region"));
    assert_int_equal(json_object_size(cloud), 2);
    json_decref(cloud);
    static const char *const bad[] = {"aws", ":x", "aws:", "aws:x:", "aws:x:y:z", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cloud = (json_t *)1;
        assert_int_equal(host_parse_cloud(bad[i], &cloud, &err), -1);
        assert_null(cloud);
        assert_non_null(strstr(err.msg, "--cloud"));
    }
}

static void test_redact(void **state)
{
    (void)state;
    char out[512];
    err_t err = {{0}};
    assert_int_equal(collect_redact_conninfo("host=db port=5433 user=app password=s3cret "
                                             "dbname='my db'",
                                             out, sizeof out, &err),
                     0);
    assert_null(strstr(out, "s3cret"));
    assert_null(strstr(out, "password"));
    assert_non_null(strstr(out, "host=db"));
    assert_non_null(strstr(out, "port=5433"));
    assert_non_null(strstr(out, "dbname='my db'"));

    assert_int_equal(
        collect_redact_conninfo("postgresql://app:s3cret@db:5433/shop", out, sizeof out, &err), 0);
    assert_null(strstr(out, "s3cret"));
    assert_non_null(strstr(out, "user=app"));
    assert_non_null(strstr(out, "dbname=shop"));

    assert_int_equal(collect_redact_conninfo("host=db port", out, sizeof out, &err), -1);
    assert_string_equal(err.msg,
                        "bad connection string: missing \"=\" after \"port\" in connection "
                        "info string");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_array_strings), cmocka_unit_test(test_array_numbers),
        cmocka_unit_test(test_array_errors),  cmocka_unit_test(test_utf8_repair),
        cmocka_unit_test(test_memory),        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_redact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
