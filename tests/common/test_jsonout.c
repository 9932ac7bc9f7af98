/*
 * test_jsonout.c - common/jsonout.c: shortest round-trip doubles, ".0" on
 * integral doubles, escaping, pretty layout, streams.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "proto_test.h"

#include "common/jsonout.h"

static void test_double_shortest(void **state)
{
    (void)state;
    struct {
        double v;
        const char *text;
    } cases[] = {
        {0.1, "0.1"},
        {1e300, "1e+300"},
        {-0.0, "-0.0"},
        {0.0, "0.0"},
        {2.0, "2.0"},
        {-2.5, "-2.5"},
        {100.0, "100.0"},
        {1e15, "1e+15"},
        {123456.789, "123456.789"},
        {5e-324, "4.94065645841247e-324"},
        {0.30000000000000004, "0.30000000000000004"},
        {1.0 / 3.0, "0.3333333333333333"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        jsonout_double(cases[i].v, buf);
        assert_string_equal(buf, cases[i].text);
    }
}

/* Every double prints to text that strtod() reads back to the same bits. */
static void test_double_roundtrip_random(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 200000; i++) {
        /* xorshift64: deterministic, covers every exponent */
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double v;
        memcpy(&v, &x, sizeof v);
        if (!isfinite(v))
            continue;
        char buf[32];
        jsonout_double(v, buf);
        double back = strtod(buf, NULL);
        if (memcmp(&back, &v, sizeof v) != 0)
            fail_msg("%.17g printed as %s reads back as %.17g", v, buf, back);
        /* Never looks like an integer. */
        assert_true(strpbrk(buf, ".eE") != NULL);
    }
    char buf[32];
    jsonout_double(DBL_MAX, buf);
    assert_true(strtod(buf, NULL) == DBL_MAX);
}

static void test_escaping(void **state)
{
    (void)state;
    json_t *s = json_stringn("q\" b\\ n\n r\r t\t \x01\x1f\x7f \xc3\xa9 \xf0\x9f\x90\x98 \0", 28);
    err_t err = {{0}};
    char *text = jsonout_string(s, 0, &err);
    assert_non_null(text);
    assert_string_equal(text, "\"q\\\" b\\\\ n\\n r\\r t\\t \\u0001\\u001f\\u007f \xc3\xa9 "
                              "\xf0\x9f\x90\x98 \\u0000\"");
    /* jansson reads it back to the same string. */
    json_error_t je;
    json_t *back = json_loads(text, JSON_ALLOW_NUL | JSON_DECODE_ANY, &je);
    assert_non_null(back);
    assert_true(json_equal(s, back));
    json_decref(back);
    free(text);
    json_decref(s);
}

static void test_layout(void **state)
{
    (void)state;
    json_t *doc = json_pack("{s:i, s:[f, f, s], s:{}, s:[], s:{s:n, s:b}}", "n", 1, "list", 2.0,
                            0.5, "x", "empty_map", "empty_list", "m", "a", "b", 1);
    err_t err = {{0}};
    char *compact = jsonout_string(doc, 0, &err);
    assert_string_equal(compact, "{\"n\":1,\"list\":[2.0,0.5,\"x\"],\"empty_map\":{},"
                                 "\"empty_list\":[],\"m\":{\"a\":null,\"b\":true}}");
    char *pretty = jsonout_string(doc, JSONOUT_PRETTY, &err);
    assert_string_equal(pretty, "{\n"
                                "  \"n\": 1,\n"
                                "  \"list\": [\n"
                                "    2.0,\n"
                                "    0.5,\n"
                                "    \"x\"\n"
                                "  ],\n"
                                "  \"empty_map\": {},\n"
                                "  \"empty_list\": [],\n"
                                "  \"m\": {\n"
                                "    \"a\": null,\n"
                                "    \"b\": true\n"
                                "  }\n"
                                "}");
    /* A stream gets the same text (plus a final newline when pretty). */
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(jsonout_file(f, doc, JSONOUT_PRETTY, &err), 0);
    long size = ftell(f);
    assert_int_equal(size, (long)strlen(pretty) + 1);
    rewind(f);
    char *read_back = calloc(1, (size_t)size + 1);
    assert_int_equal(fread(read_back, 1, (size_t)size, f), (size_t)size);
    assert_memory_equal(read_back, pretty, strlen(pretty));
    fclose(f);
    free(read_back);
    free(compact);
    free(pretty);
    json_decref(doc);
}

/* Larger than the stream writer's flush threshold, so flushing is exercised. */
static void test_large_stream(void **state)
{
    (void)state;
    json_t *arr = json_array();
    for (int i = 0; i < 50000; i++)
        json_array_append_new(arr, json_pack("{s:i, s:f}", "i", i, "d", i / 7.0));
    err_t err = {{0}};
    char *text = jsonout_string(arr, JSONOUT_PRETTY, &err);
    FILE *f = tmpfile();
    assert_int_equal(jsonout_file(f, arr, JSONOUT_PRETTY, &err), 0);
    long size = ftell(f);
    assert_int_equal(size, (long)strlen(text) + 1);
    rewind(f);
    char *buf = malloc((size_t)size);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    assert_memory_equal(buf, text, strlen(text));
    json_error_t je;
    json_t *back = json_loadb(buf, (size_t)size, 0, &je);
    assert_non_null(back);
    assert_true(json_equal(back, arr));
    json_decref(back);
    free(buf);
    fclose(f);
    free(text);
    json_decref(arr);
}

static void test_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    json_t *arr = json_array();
    for (int i = 0; i < 100000; i++)
        json_array_append_new(arr, json_integer(i));
    err_t err = {{0}};
    int rc = jsonout_file(f, arr, 0, &err);
    if (rc == 0)
        rc = fflush(f) == 0 ? 0 : -1; /* short tail still buffered by stdio */
    assert_int_equal(rc, -1);
    fclose(f);
    json_decref(arr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_shortest), cmocka_unit_test(test_double_roundtrip_random),
        cmocka_unit_test(test_escaping),        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_large_stream),    cmocka_unit_test(test_write_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
