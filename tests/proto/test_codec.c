/*
 * test_codec.c - proto/codec.c: lossless round trips, canonical bytes, and a
 * precise rejection (offset, path, reason) for every kind of malformed or
 * hostile input, with memory use checked on the hostile ones.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "proto_test.h"

#include "common/jsonout.h"
#include "proto/codec.h"
#include "proto/snapshot.h"

/* ---- allocation accounting through jansson's allocator hooks --------- */

static size_t alloc_largest;
static size_t alloc_total;

static void *counting_malloc(size_t n)
{
    if (n > alloc_largest)
        alloc_largest = n;
    alloc_total += n;
    return malloc(n);
}

static void counting_free(void *p)
{
    free(p);
}

static void counting_start(void)
{
    alloc_largest = 0;
    alloc_total = 0;
    json_set_alloc_funcs(counting_malloc, counting_free);
}

static void counting_stop(void)
{
    json_set_alloc_funcs(malloc, free);
}

/* ---- helpers ---------------------------------------------------------- */

/* with_big adds a 70000-byte str32, left out where the test is quadratic. */
static json_t *every_type_doc(int with_big)
{
    json_t *ints = json_array();
    static const long long values[] = {
        0,         1,   127, 128,  255,  256,    65535,  65536,         4294967295,    4294967296,
        -1,        -32, -33, -128, -129, -32768, -32769, -2147483648LL, -2147483649LL, INT64_MAX,
        INT64_MIN,
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        json_array_append_new(ints, json_integer(values[i]));

    json_t *doubles = json_array();
    static const double dvalues[] = {0.1,
                                     1e300,
                                     -0.0,
                                     0.0,
                                     2.0,
                                     -2.5,
                                     5e-324,
                                     DBL_MAX,
                                     -DBL_MAX,
                                     1.0 / 3.0,
                                     123456789.123456789};
    for (size_t i = 0; i < sizeof dvalues / sizeof dvalues[0]; i++)
        json_array_append_new(doubles, json_real(dvalues[i]));

    json_t *strings = json_array();
    json_array_append_new(strings, json_string(""));
    json_array_append_new(strings, json_string("plain ascii"));
    json_array_append_new(strings, json_string("h\xc3\xa9llo w\xc3\xb6rld")); /* Latin-1 */
    json_array_append_new(strings, json_string("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e")); /* CJK */
    json_array_append_new(strings, json_string("\xf0\x9f\x90\x98 elephant")); /* astral */
    json_array_append_new(strings, json_stringn("nul\0inside", 10));
    json_array_append_new(strings, json_string("quote \" backslash \\ tab \t newline \n \x01"));
    char *big = malloc(70000);
    for (size_t i = 0; i < 70000; i++)
        big[i] = (char)('a' + i % 26);
    json_array_append_new(strings, json_stringn(big, 31));  /* fixstr max */
    json_array_append_new(strings, json_stringn(big, 32));  /* str8 */
    json_array_append_new(strings, json_stringn(big, 256)); /* str16 */
    if (with_big)
        json_array_append_new(strings, json_stringn(big, 70000)); /* str32 */
    free(big);

    json_t *nested =
        json_pack("{s:[], s:{}, s:[[]], s:{s:{}}, s:[{}, [], null, true, false]}", "empty_array",
                  "empty_map", "array_of_empty", "map_of_empty", "inner", "mixed");
    json_t *big_array = json_array(); /* array16 */
    for (int i = 0; i < 20; i++)
        json_array_append_new(big_array, json_integer(i));
    json_t *big_map = json_object(); /* map16, order kept */
    for (int i = 19; i >= 0; i--) {
        char key[16];
        snprintf(key, sizeof key, "k%02d", i);
        json_object_set_new(big_map, key, json_integer(i));
    }
    json_t *doc = json_object();
    json_object_set_new(doc, "ints", ints);
    json_object_set_new(doc, "doubles", doubles);
    json_object_set_new(doc, "strings", strings);
    json_object_set_new(doc, "nested", nested);
    json_object_set_new(doc, "array16", big_array);
    json_object_set_new(doc, "map16", big_map);
    json_object_set_new(doc, "null", json_null());
    json_object_set_new(doc, "t", json_true());
    json_object_set_new(doc, "f", json_false());
    json_object_set_new(doc, "\xc3\xbcnicode key", json_integer(1));
    return doc;
}

static void encode_ok(const json_t *doc, char **buf, size_t *len)
{
    err_t err = {{0}};
    if (codec_encode(doc, buf, len, &err) != 0)
        fail_msg("encode failed: %s", err.msg);
}

static json_t *decode_ok(const void *buf, size_t len)
{
    err_t err = {{0}};
    json_t *doc = NULL;
    if (codec_decode(buf, len, &CODEC_LIMITS_DOCUMENT, &doc, &err) != 0)
        fail_msg("decode failed: %s", err.msg);
    return doc;
}

/* Decodes bytes that must be refused; returns the message. */
static err_t decode_bad_with(const void *buf, size_t len, const codec_limits_t *lim)
{
    err_t err = {{0}};
    json_t *doc = (json_t *)0x1;
    assert_int_equal(codec_decode(buf, len, lim, &doc, &err), -1);
    assert_null(doc);
    assert_true(strncmp(err.msg, "offset ", 7) == 0);
    assert_non_null(strstr(err.msg, ", at "));
    return err;
}

static err_t decode_bad(const void *buf, size_t len)
{
    return decode_bad_with(buf, len, &CODEC_LIMITS_DOCUMENT);
}

#define BAD(...)                                                                                   \
    decode_bad((const unsigned char[]){__VA_ARGS__}, sizeof((const unsigned char[]){__VA_ARGS__}))

/* ---- round trips ------------------------------------------------------ */

static void test_roundtrip_msgpack_identical(void **state)
{
    (void)state;
    json_t *doc = every_type_doc(1);
    char *a, *b;
    size_t alen, blen;
    encode_ok(doc, &a, &alen);
    json_t *back = decode_ok(a, alen);
    assert_true(json_equal(doc, back));
    encode_ok(back, &b, &blen);
    assert_int_equal(alen, blen);
    assert_memory_equal(a, b, alen);

    /* json_equal treats -0.0 and 0.0 alike: check the sign bit itself. */
    json_t *d = json_object_get(back, "doubles");
    assert_true(signbit(json_real_value(json_array_get(d, 2))));
    assert_false(signbit(json_real_value(json_array_get(d, 3))));
    assert_true(json_real_value(json_array_get(d, 6)) == 5e-324);
    /* Map order is the insertion order. */
    void *it = json_object_iter(json_object_get(back, "map16"));
    assert_string_equal(json_object_iter_key(it), "k19");
    it = json_object_iter(back);
    assert_string_equal(json_object_iter_key(it), "ints");
    /* Embedded NUL survives. */
    json_t *nul = json_array_get(json_object_get(back, "strings"), 5);
    assert_int_equal(json_string_length(nul), 10);
    free(a);
    free(b);
    json_decref(back);
    json_decref(doc);
}

static void test_roundtrip_through_json(void **state)
{
    (void)state;
    json_t *doc = every_type_doc(1);
    char *a, *b;
    size_t alen, blen;
    encode_ok(doc, &a, &alen);
    json_t *tree = decode_ok(a, alen);
    err_t err = {{0}};
    for (int pretty = 0; pretty <= 1; pretty++) {
        char *text = jsonout_string(tree, pretty ? JSONOUT_PRETTY : 0, &err);
        assert_non_null(text);
        json_t *again = NULL;
        if (snapshot_parse_json(text, strlen(text), &again, &err) != 0)
            fail_msg("JSON did not parse back: %s", err.msg);
        encode_ok(again, &b, &blen);
        assert_int_equal(alen, blen);
        assert_memory_equal(a, b, alen);
        free(b);
        free(text);
        json_decref(again);
    }
    free(a);
    json_decref(tree);
    json_decref(doc);
}

static void test_canonical_bytes(void **state)
{
    (void)state;
    struct {
        json_t *v;
        const char *hex;
    } cases[] = {
        {json_integer(0), "00"},
        {json_integer(127), "7f"},
        {json_integer(128), "cc80"},
        {json_integer(256), "cd0100"},
        {json_integer(65536), "ce00010000"},
        {json_integer(4294967296LL), "cf0000000100000000"},
        {json_integer(-1), "ff"},
        {json_integer(-32), "e0"},
        {json_integer(-33), "d0df"},
        {json_integer(-129), "d1ff7f"},
        {json_integer(INT64_MIN), "d38000000000000000"},
        {json_real(1.0), "cb3ff0000000000000"}, /* doubles are always float64 */
        {json_real(-0.0), "cb8000000000000000"},
        {json_string("abc"), "a3616263"},
        {json_array(), "90"},
        {json_object(), "80"},
        {json_null(), "c0"},
        {json_true(), "c3"},
        {json_false(), "c2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *buf;
        size_t len;
        encode_ok(cases[i].v, &buf, &len);
        char hex[64] = "";
        for (size_t k = 0; k < len && k < 31; k++)
            snprintf(hex + 2 * k, 3, "%02x", (unsigned char)buf[k]);
        assert_string_equal(hex, cases[i].hex);
        free(buf);
        json_decref(cases[i].v);
    }
    /* 32-byte strings take str8 (0xd9), not str16. */
    char s32[33];
    memset(s32, 'x', 32);
    s32[32] = '\0';
    json_t *v = json_string(s32);
    char *buf;
    size_t len;
    encode_ok(v, &buf, &len);
    assert_int_equal(len, 34);
    assert_int_equal((unsigned char)buf[0], 0xd9);
    assert_int_equal((unsigned char)buf[1], 32);
    free(buf);
    json_decref(v);
}

/* Non-canonical but valid forms decode to the same values. */
static void test_noncanonical_accepted(void **state)
{
    (void)state;
    static const unsigned char int64_one[] = {0xd3, 0, 0, 0, 0, 0, 0, 0, 1};
    json_t *v = decode_ok(int64_one, sizeof int64_one);
    assert_int_equal(json_integer_value(v), 1);
    json_decref(v);
    static const unsigned char float32_half[] = {0xca, 0x3f, 0x00, 0x00, 0x00};
    v = decode_ok(float32_half, sizeof float32_half);
    assert_true(json_real_value(v) == 0.5);
    json_decref(v);
    static const unsigned char str16_a[] = {0xda, 0x00, 0x01, 'a'};
    v = decode_ok(str16_a, sizeof str16_a);
    assert_string_equal(json_string_value(v), "a");
    json_decref(v);
    static const unsigned char uint64_max_ok[] = {0xcf, 0x7f, 0xff, 0xff, 0xff,
                                                  0xff, 0xff, 0xff, 0xff};
    v = decode_ok(uint64_max_ok, sizeof uint64_max_ok);
    assert_true(json_integer_value(v) == INT64_MAX);
    json_decref(v);
}

/* ---- malformed input -------------------------------------------------- */

static void test_truncated_every_prefix(void **state)
{
    (void)state;
    json_t *doc = every_type_doc(0);
    char *buf;
    size_t len;
    encode_ok(doc, &buf, &len);
    for (size_t n = 0; n < len; n++) {
        /* A copy of exactly n bytes, so ASan sees any read past the end. */
        char *prefix = malloc(n ? n : 1);
        memcpy(prefix, buf, n);
        err_t err = decode_bad(prefix, n);
        if (!strstr(err.msg, "truncated") && !strstr(err.msg, "remain") &&
            !strstr(err.msg, "empty input"))
            fail_msg("prefix %zu: unexpected message \"%s\"", n, err.msg);
        free(prefix);
    }
    free(buf);
    json_decref(doc);
}

static void test_trailing_bytes(void **state)
{
    (void)state;
    err_t err = BAD(0x91, 0x01, 0xc0);
    assert_err_contains(err, "offset 2, at $: 1 trailing bytes");
    err = BAD(0x80, 0x80, 0x80, 0x80);
    assert_err_contains(err, "3 trailing bytes");
}

static void test_hostile_counts(void **state)
{
    (void)state;
    counting_start();
    err_t err = BAD(0xdd, 0xff, 0xff, 0xff, 0xff);
    assert_err_contains(err, "offset 0, at $: declared array of 4294967295 elements but only 0 "
                             "bytes remain");
    err = BAD(0xdf, 0xff, 0xff, 0xff, 0xff);
    assert_err_contains(err, "declared map of 4294967295 entries but only 0 bytes remain");
    err = BAD(0xdb, 0xff, 0xff, 0xff, 0xff);
    assert_err_contains(err, "string of 4294967295 bytes exceeds the limit");
    err = BAD(0xde, 0xff, 0xff, 0x01);
    assert_err_contains(err, "declared map of 65535 entries but only 1 bytes remain");
    /* Nothing was allocated for the declared sizes. */
    assert_true(alloc_largest < 1024);
    /* Deeper inside: the path says where. */
    err = BAD(0x81, 0xaa, 's', 't', 'a', 't', 'e', 'm', 'e', 'n', 't', 's', 0x92, 0x80, 0xdf, 0xff,
              0xff, 0xff, 0xff, 0xc0);
    assert_err_contains(err, "offset 14, at statements[1]: declared map of 4294967295 entries "
                             "but only 1 bytes remain");
    assert_true(alloc_largest < 1024);
    counting_stop();
}

static void test_depth(void **state)
{
    (void)state;
    unsigned char deep[41];
    memset(deep, 0x91, 40);
    deep[40] = 0xc0;
    err_t err = decode_bad(deep, sizeof deep);
    assert_err_contains(err, "offset 32, at [0][0][0]");
    assert_err_contains(err, "nesting deeper than 32 levels");
    /* 32 levels are fine, 33 are not. */
    json_t *doc = decode_ok(deep + 8, 33);
    json_decref(doc);
    decode_bad(deep + 7, 34);
    /* Maps count as well. */
    unsigned char maps[3 * 33 + 1];
    for (int i = 0; i < 33; i++) {
        maps[3 * i] = 0x81;
        maps[3 * i + 1] = 0xa1;
        maps[3 * i + 2] = 'k';
    }
    maps[99] = 0xc0;
    err = decode_bad(maps, sizeof maps);
    assert_err_contains(err, "at k.k.k.");
    assert_err_contains(err, "nesting deeper");
}

static void test_ext_rejected(void **state)
{
    (void)state;
    err_t err = BAD(0xd4, 0x01, 0x00);
    assert_err_contains(err, "ext type (0xd4) is not allowed");
    err = BAD(0xd5, 0x01, 0x00, 0x00);
    assert_err_contains(err, "ext type (0xd5)");
    err = BAD(0xd6, 0x01, 0, 0, 0, 0);
    assert_err_contains(err, "ext type (0xd6)");
    err = BAD(0xd7, 0xff, 0, 0, 0, 0, 0, 0, 0, 0); /* the timestamp extension */
    assert_err_contains(err, "ext type (0xd7)");
    err = BAD(0xd8, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assert_err_contains(err, "ext type (0xd8)");
    err = BAD(0xc7, 0x01, 0x01, 0x00);
    assert_err_contains(err, "ext type (0xc7)");
    err = BAD(0xc8, 0x00, 0x01, 0x01, 0x00);
    assert_err_contains(err, "ext type (0xc8)");
    err = BAD(0xc9, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00);
    assert_err_contains(err, "ext type (0xc9)");
    err = BAD(0x81, 0xa1, 'x', 0xd4, 0x01, 0x00);
    assert_err_contains(err, "offset 3, at x: ext type");
}

static void test_bin_rejected(void **state)
{
    (void)state;
    err_t err = BAD(0xc4, 0x03, 'a', 'b', 'c');
    assert_err_contains(err, "bin (byte string, type 0xc4) is not allowed");
    err = BAD(0xc5, 0x00, 0x01, 'a');
    assert_err_contains(err, "bin (byte string, type 0xc5)");
    err = BAD(0xc6, 0x00, 0x00, 0x00, 0x01, 'a');
    assert_err_contains(err, "bin (byte string, type 0xc6)");
    err = BAD(0xc1);
    assert_err_contains(err, "byte 0xc1 is not a msgpack type");
}

static void test_oversized_frame(void **state)
{
    (void)state;
    unsigned char *big = calloc(1, 4097);
    big[0] = 0xda; /* str16 of 4094 bytes: valid except for its size */
    big[1] = 0x0f;
    big[2] = 0xfe;
    memset(big + 3, 'a', 4094);
    err_t err = decode_bad_with(big, 4097, &CODEC_LIMITS_HEADER);
    assert_err_contains(err, "frame of 4097 bytes exceeds the limit of 4096 bytes");
    /* Under the document limits it is just a string. */
    json_t *doc = decode_ok(big, 4097);
    json_decref(doc);
    free(big);

    codec_limits_t tiny = {.max_bytes = 64, .max_depth = 4, .max_str = 4, .max_items = 3};
    static const unsigned char five[] = {0xa5, 'a', 'b', 'c', 'd', 'e'};
    err = decode_bad_with(five, sizeof five, &tiny);
    assert_err_contains(err, "string of 5 bytes exceeds the limit of 4 bytes");
    static const unsigned char four_values[] = {0x93, 1, 2, 3};
    err = decode_bad_with(four_values, sizeof four_values, &tiny);
    assert_err_contains(err, "exceeds the limit of 3 values");
    static const unsigned char key_too_long[] = {0x81, 0xa5, 'a', 'b', 'c', 'd', 'e', 0x01};
    err = decode_bad_with(key_too_long, sizeof key_too_long, &tiny);
    assert_err_contains(err, "key of 5 bytes exceeds the limit of 4 bytes");
}

static void test_duplicate_keys(void **state)
{
    (void)state;
    err_t err = BAD(0x82, 0xa1, 'a', 0x01, 0xa1, 'a', 0x02);
    assert_err_contains(err, "offset 4, at a: duplicate key");
    err = BAD(0x81, 0xa1, 'm', 0x83, 0xa1, 'x', 0x01, 0xa1, 'y', 0x02, 0xa1, 'x', 0x03);
    assert_err_contains(err, "offset 10, at m.x: duplicate key");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    err_t err = BAD(0xa2, 0xc3, 0x28);
    assert_err_contains(err, "offset 1, at $: invalid UTF-8 in string (byte 0xc3 at position 0)");
    err = BAD(0xa2, 0xc0, 0x80); /* overlong NUL */
    assert_err_contains(err, "invalid UTF-8");
    err = BAD(0xa3, 0xed, 0xa0, 0x80); /* surrogate */
    assert_err_contains(err, "invalid UTF-8");
    err = BAD(0xa4, 0xf4, 0x90, 0x80, 0x80); /* above U+10FFFF */
    assert_err_contains(err, "invalid UTF-8");
    err = BAD(0xa1, 0x80); /* lone continuation byte */
    assert_err_contains(err, "invalid UTF-8");
    err = BAD(0xa3, 'a', 0xe2, 0x82); /* sequence cut by the string's end */
    assert_err_contains(err, "offset 2, at $: invalid UTF-8 in string (byte 0xe2 at position 1)");
    err = BAD(0xa1, 0xff);
    assert_err_contains(err, "invalid UTF-8");
    err = BAD(0x81, 0xa2, 0xc3, 0x28, 0x01); /* in a key */
    assert_err_contains(err, "invalid UTF-8 in key");
    err = BAD(0x81, 0xa3, 'a', 0x00, 'b', 0x01);
    assert_err_contains(err, "map key contains a NUL byte");
    /* The ASCII fast path and the slow path meet correctly. */
    static const unsigned char mixed[] = {0xab, 'a', 'b', 'c', 'd',  'e',
                                          'f',  'g', 'h', 'i', 0xc3, 0xa9};
    json_t *v = decode_ok(mixed, sizeof mixed);
    assert_int_equal(json_string_length(v), 11);
    json_decref(v);
}

static void test_nonstring_keys(void **state)
{
    (void)state;
    err_t err = BAD(0x81, 0x01, 0x02);
    assert_err_contains(err, "offset 1, at $: map key must be a string, got integer");
    err = BAD(0x81, 0xc0, 0x02);
    assert_err_contains(err, "got nil");
    err = BAD(0x81, 0x90, 0x02);
    assert_err_contains(err, "got array");
    err = BAD(0x81, 0xc4, 0x01, 'a', 0x02);
    assert_err_contains(err, "got bin");
    err = BAD(0x81, 0xcb, 0, 0, 0, 0, 0, 0, 0, 0, 0x02);
    assert_err_contains(err, "got float");
}

static void test_numbers(void **state)
{
    (void)state;
    err_t err = BAD(0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0);
    assert_err_contains(err, "integer 9223372036854775808 is outside the int64 range");
    err = BAD(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    assert_err_contains(err, "18446744073709551615");
    err = BAD(0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0);
    assert_err_contains(err, "NaN is not a finite number");
    err = BAD(0xcb, 0xff, 0xf0, 0, 0, 0, 0, 0, 0);
    assert_err_contains(err, "Infinity is not a finite number");
    err = BAD(0xca, 0x7f, 0xc0, 0, 0);
    assert_err_contains(err, "NaN");
    err = BAD(0xca, 0x7f, 0x80, 0, 0);
    assert_err_contains(err, "Infinity");
}

static void test_path_rendering(void **state)
{
    (void)state;
    /* Control characters of keys are escaped; long keys are shortened. */
    static const unsigned char ctl[] = {0x81, 0xa2, 'a', '\n', 0xc1};
    err_t err = decode_bad(ctl, sizeof ctl);
    assert_err_contains(err, "at a\\x0a: byte 0xc1");
    unsigned char longkey[3 + 100 + 1];
    longkey[0] = 0x81;
    longkey[1] = 0xd9;
    longkey[2] = 100;
    memset(longkey + 3, 'k', 100);
    longkey[103] = 0xc1;
    err = decode_bad(longkey, sizeof longkey);
    assert_err_contains(err, "kkk...: byte 0xc1");
    /* A NULL err is allowed. */
    json_t *doc = NULL;
    assert_int_equal(codec_decode(ctl, sizeof ctl, &CODEC_LIMITS_DOCUMENT, &doc, NULL), -1);
}

static void test_encode_rejects_nul_key(void **state)
{
    (void)state;
    json_t *doc = json_object();
    json_object_setn_new(doc, "a\0b", 3, json_integer(1));
    char *buf = NULL;
    size_t len = 0;
    err_t err = {{0}};
    assert_int_equal(codec_encode(doc, &buf, &len, &err), -1);
    assert_null(buf);
    assert_err_contains(err, "map key contains a NUL byte");
    json_decref(doc);
}

/* The hostile inputs of the security notes, run under the counting allocator:
 * each costs at most a few bytes of heap. */
static void test_memory_bounded(void **state)
{
    (void)state;
    static const unsigned char hostile[][5] = {
        {0xdd, 0xff, 0xff, 0xff, 0xff}, {0xdf, 0xff, 0xff, 0xff, 0xff},
        {0xdb, 0xff, 0xff, 0xff, 0xff}, {0xc6, 0xff, 0xff, 0xff, 0xff},
        {0xc9, 0xff, 0xff, 0xff, 0xff}, {0x91, 0xdd, 0xff, 0xff, 0xff},
    };
    counting_start();
    for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
        json_t *doc = NULL;
        assert_int_equal(codec_decode(hostile[i], 5, &CODEC_LIMITS_DOCUMENT, &doc, NULL), -1);
    }
    assert_true(alloc_largest <= 256);
    assert_true(alloc_total <= 1024);
    counting_stop();
}

typedef struct {
    int calls;
    size_t last_offset;
    size_t total;
} beats_t;

static void count_beat(void *arg, size_t offset, size_t total)
{
    beats_t *b = arg;
    assert_true(offset > b->last_offset);
    assert_true(offset < total);
    b->calls++;
    b->last_offset = offset;
    b->total = total;
}

/* The progress hook beats every CODEC_PROGRESS_EVERY values, with the offset
 * reached, and changes nothing about the result. */
static void test_decode_progress(void **state)
{
    (void)state;
    json_t *arr = json_array();
    for (int i = 0; i < 200000; i++)
        json_array_append_new(arr, json_integer(i % 100));
    char *buf;
    size_t len;
    encode_ok(arr, &buf, &len);
    beats_t beats = {0, 0, 0};
    json_t *doc = NULL;
    err_t err = {{0}};
    assert_int_equal(
        codec_decode_progress(buf, len, &CODEC_LIMITS_DOCUMENT, &doc, &err, count_beat, &beats), 0);
    assert_int_equal(beats.calls, 200001 / CODEC_PROGRESS_EVERY);
    assert_int_equal(beats.total, len);
    assert_true(json_equal(doc, arr));
    json_decref(doc);
    /* Small documents do not beat; refusals still work with a hook. */
    beats_t none = {0, 0, 0};
    static const unsigned char small[] = {0x92, 0x01, 0x02};
    assert_int_equal(codec_decode_progress(small, sizeof small, &CODEC_LIMITS_DOCUMENT, &doc, &err,
                                           count_beat, &none),
                     0);
    assert_int_equal(none.calls, 0);
    json_decref(doc);
    assert_int_equal(
        codec_decode_progress(buf, len - 1, &CODEC_LIMITS_DOCUMENT, &doc, &err, count_beat, &none),
        -1);
    assert_err_contains(err, "declared array of 200000 elements but only 199999 bytes remain");
    free(buf);
    json_decref(arr);
}

/* A document of many small maps passes every declared count; its total is
 * refused before anything is built (issue 13: a 17M-value snapshot peaked
 * at 830 MB before it was refused; bench/bench_codec_limit.c measures it). */
static void test_value_budget_counted_first(void **state)
{
    (void)state;
    unsigned char doc[5 + 20 * 25];
    unsigned char *p = doc;
    *p++ = 0xdd;
    *p++ = 0, *p++ = 0, *p++ = 0, *p++ = 20;
    for (int m = 0; m < 20; m++) {
        *p++ = 0x88;
        for (int k = 0; k < 8; k++)
            *p++ = 0xa1, *p++ = (unsigned char)('a' + k), *p++ = (unsigned char)k;
    }
    codec_limits_t lim = CODEC_LIMITS_DOCUMENT;
    lim.max_items = 100; /* the document holds 1 + 20 x 17 = 341 */
    json_t *t = NULL;
    err_t err = {{0}};
    assert_int_equal(codec_decode(doc, sizeof doc, &lim, &t, &err), -1);
    assert_null(t);
    /* the sixth map (offset 5 + 5 x 25) is declared when 87 of the 100
     * values are counted: its 16 keys and values do not fit */
    assert_string_equal(err.msg, "offset 130, at $: declared map of 8 entries exceeds the limit of "
                                 "100 values (keys count)");
    lim.max_items = 341;
    assert_int_equal(codec_decode(doc, sizeof doc, &lim, &t, &err), 0);
    assert_int_equal(json_array_size(t), 20);
    json_decref(t);
    lim.max_items = 340;
    assert_int_equal(codec_decode(doc, sizeof doc, &lim, &t, &err), -1);
    assert_err_contains(err, "exceeds the limit of 340 values");
    /* long but few values: the count does not refuse it */
    unsigned char str[3 + 300] = {0xda, 0x01, 0x2c};
    memset(str + 3, 'x', 300);
    lim.max_items = 1;
    assert_int_equal(codec_decode(str, sizeof str, &lim, &t, &err), 0);
    json_decref(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_budget_counted_first),
        cmocka_unit_test(test_roundtrip_msgpack_identical),
        cmocka_unit_test(test_roundtrip_through_json),
        cmocka_unit_test(test_canonical_bytes),
        cmocka_unit_test(test_noncanonical_accepted),
        cmocka_unit_test(test_truncated_every_prefix),
        cmocka_unit_test(test_trailing_bytes),
        cmocka_unit_test(test_hostile_counts),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_ext_rejected),
        cmocka_unit_test(test_bin_rejected),
        cmocka_unit_test(test_oversized_frame),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_nonstring_keys),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_path_rendering),
        cmocka_unit_test(test_encode_rejects_nul_key),
        cmocka_unit_test(test_memory_bounded),
        cmocka_unit_test(test_decode_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
