/*
 * test_message.c - proto/message.c: every header type round-trips, carries
 * exactly the keys PROTOCOL.md lists for it, and every malformed header is
 * refused with the key and the reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "proto_test.h"

#include "proto/codec.h"
#include "proto/message.h"

static msg_header_t full_header(msg_type_t type)
{
    msg_header_t h;
    msg_header_init(&h, type);
    snprintf(h.job, sizeof h.job, "run42.index_advisor.1");
    snprintf(h.agent, sizeof h.agent, "index_advisor");
    snprintf(h.worker, sizeof h.worker, "db-worker-3:4242");
    h.deadline_ms = 60000;
    h.progress_ms = 500;
    h.elapsed_ms = 1234;
    h.seq = 17;
    h.done = 3;
    h.total = 9;
    h.load = 2;
    h.capacity = 4;
    h.served = 1000;
    snprintf(h.stage, sizeof h.stage, "costing candidates");
    snprintf(h.code, sizeof h.code, "agent_failed");
    snprintf(h.message, sizeof h.message, "hypopg is not installed");
    return h;
}

/* The keys each type carries (PROTOCOL.md, "Header keys"), in wire order. */
static const char *const expected_keys[][18] = {
    [MSG_PING] = {"v", "vm", "type"},
    [MSG_PONG] = {"v", "vm", "type", "agent", "worker", "load", "capacity", "served"},
    [MSG_JOB] = {"v", "vm", "type", "job", "agent", "deadline_ms", "progress_ms"},
    [MSG_PROGRESS] = {"v", "vm", "type", "job", "elapsed_ms", "seq", "stage", "done", "total"},
    [MSG_RESULT] = {"v", "vm", "type", "job", "agent", "worker", "elapsed_ms"},
    [MSG_ERROR] = {"v", "vm", "type", "job", "worker", "code", "message"},
    [MSG_BUSY] = {"v", "vm", "type", "job", "worker", "load", "capacity"},
    [MSG_CANCEL] = {"v", "vm", "type", "job"},
    [MSG_STATS] = {"v", "vm", "type"},
    [MSG_COUNTERS] = {"v", "vm", "type", "agent", "worker", "load", "capacity", "served",
                      "received", "failed", "cancelled", "busy", "refused", "auth_refused",
                      "uptime_ms", "total_ms", "max_ms"},
};

static void test_roundtrip_every_type(void **state)
{
    (void)state;
    for (int t = MSG_PING; t <= MSG_TYPE_LAST; t++) {
        msg_header_t h = full_header((msg_type_t)t);
        char *buf = NULL;
        size_t len = 0;
        err_t err = {{0}};
        if (msg_header_encode(&h, &buf, &len, &err) != 0)
            fail_msg("%s: %s", msg_type_name((msg_type_t)t), err.msg);
        assert_true(len <= MSG_HEADER_MAX_BYTES);

        /* Exactly the listed keys, in order. */
        json_t *tree = NULL;
        assert_int_equal(codec_decode(buf, len, &CODEC_LIMITS_HEADER, &tree, &err), 0);
        size_t n = 0;
        for (void *it = json_object_iter(tree); it; it = json_object_iter_next(tree, it), n++) {
            assert_non_null(expected_keys[t][n]);
            assert_string_equal(json_object_iter_key(it), expected_keys[t][n]);
        }
        assert_null(expected_keys[t][n]);
        assert_string_equal(json_string_value(json_object_get(tree, "type")),
                            msg_type_name((msg_type_t)t));
        json_decref(tree);

        msg_header_t d;
        if (msg_header_decode(buf, len, &d, &err) != 0)
            fail_msg("%s: %s", msg_type_name((msg_type_t)t), err.msg);
        assert_int_equal(d.type, t);
        assert_int_equal(d.v_major, PROTO_VERSION_MAJOR);
        assert_int_equal(d.v_minor, PROTO_VERSION_MINOR);
        /* Carried fields equal, the others stay zero. */
        for (size_t k = 3; expected_keys[t][k]; k++) {
            const char *key = expected_keys[t][k];
            if (strcmp(key, "job") == 0)
                assert_string_equal(d.job, h.job);
            else if (strcmp(key, "agent") == 0)
                assert_string_equal(d.agent, h.agent);
            else if (strcmp(key, "worker") == 0)
                assert_string_equal(d.worker, h.worker);
            else if (strcmp(key, "stage") == 0)
                assert_string_equal(d.stage, h.stage);
            else if (strcmp(key, "code") == 0)
                assert_string_equal(d.code, h.code);
            else if (strcmp(key, "message") == 0)
                assert_string_equal(d.message, h.message);
        }
        if (t == MSG_JOB) {
            assert_int_equal(d.deadline_ms, 60000);
            assert_int_equal(d.progress_ms, 500);
            assert_int_equal(d.seq, 0);
        } else if (t == MSG_PROGRESS) {
            assert_int_equal(d.seq, 17);
            assert_int_equal(d.done, 3);
            assert_int_equal(d.total, 9);
            assert_int_equal(d.elapsed_ms, 1234);
            assert_int_equal(d.load, 0);
        } else if (t == MSG_PONG) {
            assert_int_equal(d.load, 2);
            assert_int_equal(d.capacity, 4);
            assert_int_equal(d.served, 1000);
            assert_string_equal(d.job, "");
        } else if (t == MSG_BUSY) {
            assert_int_equal(d.load, 2);
            assert_int_equal(d.capacity, 4);
        } else if (t == MSG_PING) {
            assert_string_equal(d.agent, "");
        }
        free(buf);
    }
}

/* Optional keys are left out when empty (an ERROR about no job in particular). */
static void test_optional_keys(void **state)
{
    (void)state;
    msg_header_t h;
    msg_header_init(&h, MSG_ERROR);
    snprintf(h.code, sizeof h.code, MSG_ERR_MALFORMED);
    snprintf(h.message, sizeof h.message, "header frame: offset 0, at $: empty input");
    char *buf;
    size_t len;
    err_t err = {{0}};
    assert_int_equal(msg_header_encode(&h, &buf, &len, &err), 0);
    json_t *tree = NULL;
    assert_int_equal(codec_decode(buf, len, &CODEC_LIMITS_HEADER, &tree, &err), 0);
    assert_int_equal(json_object_size(tree), 5);
    assert_null(json_object_get(tree, "job"));
    json_decref(tree);
    msg_header_t d;
    assert_int_equal(msg_header_decode(buf, len, &d, &err), 0);
    assert_string_equal(d.code, "malformed");
    assert_string_equal(d.job, "");
    free(buf);
}

static void test_encode_refuses(void **state)
{
    (void)state;
    msg_header_t h;
    char *buf = NULL;
    size_t len;
    err_t err = {{0}};
    msg_header_init(&h, MSG_JOB);
    snprintf(h.agent, sizeof h.agent, "config_tuner");
    assert_int_equal(msg_header_encode(&h, &buf, &len, &err), -1);
    assert_err_contains(err, "encoding JOB header: \"job\" is required");
    msg_header_init(&h, MSG_INVALID);
    assert_int_equal(msg_header_encode(&h, &buf, &len, &err), -1);
    assert_err_contains(err, "invalid message type");
    msg_header_init(&h, MSG_PROGRESS);
    snprintf(h.job, sizeof h.job, "j");
    h.seq = -1;
    assert_int_equal(msg_header_encode(&h, &buf, &len, &err), -1);
    assert_err_contains(err, "\"seq\" is -1, must be >= 0");
    msg_header_init(&h, MSG_CANCEL);
    snprintf(h.job, sizeof h.job, "j\xff");
    assert_int_equal(msg_header_encode(&h, &buf, &len, &err), -1);
    assert_err_contains(err, "\"job\" is not valid UTF-8");
    assert_null(buf);
}

/* Free text is repaired rather than refused: a cut multi-byte character is
 * dropped, other invalid bytes become '?'. */
static void test_free_text_repaired(void **state)
{
    (void)state;
    msg_header_t h, d;
    char *buf;
    size_t len;
    err_t err = {{0}};
    msg_header_init(&h, MSG_ERROR);
    snprintf(h.code, sizeof h.code, "agent_failed");
    snprintf(h.message, sizeof h.message, "caf\xc3\xa9 \xe2\x82");
    assert_int_equal(msg_header_encode(&h, &buf, &len, &err), 0);
    assert_int_equal(msg_header_decode(buf, len, &d, &err), 0);
    assert_string_equal(d.message, "caf\xc3\xa9 ");
    free(buf);
    snprintf(h.message, sizeof h.message, "bad \xff byte \xc3\xa9");
    assert_int_equal(msg_header_encode(&h, &buf, &len, &err), 0);
    assert_int_equal(msg_header_decode(buf, len, &d, &err), 0);
    assert_string_equal(d.message, "bad ? byte ??");
    free(buf);
}

/* Encodes a tree as a header frame, bypassing msg_header_encode's checks. */
static void raw_header(const char *json, char **buf, size_t *len)
{
    json_error_t je;
    json_t *tree = json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!tree)
        fail_msg("bad test JSON %s: %s", json, je.text);
    err_t err = {{0}};
    assert_int_equal(codec_encode(tree, buf, len, &err), 0);
    json_decref(tree);
}

static err_t decode_raw_bad(const char *json)
{
    char *buf;
    size_t len;
    raw_header(json, &buf, &len);
    msg_header_t h;
    err_t err = {{0}};
    if (msg_header_decode(buf, len, &h, &err) != -1)
        fail_msg("accepted: %s", json);
    free(buf);
    return err;
}

static void test_decode_rejects(void **state)
{
    (void)state;
    err_t err;
    err = decode_raw_bad("[1, 2]");
    assert_err_contains(err, "header must be a map, got array");
    err = decode_raw_bad("{\"type\": \"PING\"}");
    assert_err_contains(err, "header has no \"v\"");
    err = decode_raw_bad("{\"v\": 1}");
    assert_err_contains(err, "header has no \"type\"");
    err = decode_raw_bad("{\"v\": \"1\", \"type\": \"PING\"}");
    assert_err_contains(err, "header key \"v\": expected integer, got string");
    err = decode_raw_bad("{\"v\": 1, \"type\": 3}");
    assert_err_contains(err, "header key \"type\": expected string, got integer");
    err = decode_raw_bad("{\"v\": 1, \"type\": \"HELLO\"}");
    assert_err_contains(err, "unknown message type \"HELLO\"");
    err = decode_raw_bad("{\"v\": 1, \"type\": \"CANCEL\"}");
    assert_err_contains(err, "CANCEL header has no \"job\"");
    err = decode_raw_bad("{\"v\": 1, \"type\": \"CANCEL\", \"job\": \"\"}");
    assert_err_contains(err, "CANCEL header: \"job\" is empty");
    err = decode_raw_bad("{\"v\":1,\"type\":\"JOB\",\"job\":\"a\",\"agent\":\"x\",\"deadline_ms\":"
                         "\"soon\",\"progress_ms\":500}");
    assert_err_contains(err, "header key \"deadline_ms\": expected integer, got string");
    err = decode_raw_bad("{\"v\":1,\"type\":\"JOB\",\"job\":\"a\",\"agent\":\"x\",\"deadline_ms\":"
                         "-5,\"progress_ms\":500}");
    assert_err_contains(err, "header key \"deadline_ms\": -5 is negative");
    err = decode_raw_bad("{\"v\":1,\"type\":\"JOB\",\"job\":\"a\",\"agent\":\"x\",\"deadline_ms\":"
                         "1.5,\"progress_ms\":500}");
    assert_err_contains(err, "expected integer, got double");
    err = decode_raw_bad("{\"v\":1,\"type\":\"JOB\",\"job\":\"a\",\"deadline_ms\":1,"
                         "\"progress_ms\":500}");
    assert_err_contains(err, "JOB header has no \"agent\"");
    /* A known key of the wrong type is an error even where the type does not use it. */
    err = decode_raw_bad("{\"v\": 1, \"type\": \"PING\", \"seq\": [1]}");
    assert_err_contains(err, "header key \"seq\": expected integer, got array");
    err = decode_raw_bad("{\"v\": 1, \"type\": \"PING\", \"vm\": -1}");
    assert_err_contains(err, "header key \"vm\": -1 is out of range");
    err = decode_raw_bad("{\"v\": 1, \"type\": \"CANCEL\", \"job\": \"a\\u0000b\"}");
    assert_err_contains(err, "header key \"job\": string contains a NUL byte");

    /* Strings one byte over their limit. */
    char json[2048];
    char long_job[66];
    memset(long_job, 'j', 65);
    long_job[65] = '\0';
    snprintf(json, sizeof json, "{\"v\":1,\"type\":\"CANCEL\",\"job\":\"%s\"}", long_job);
    err = decode_raw_bad(json);
    assert_err_contains(err, "header key \"job\": string of 65 bytes exceeds 64");
    long_job[64] = '\0'; /* exactly 64 is fine */
    snprintf(json, sizeof json, "{\"v\":1,\"type\":\"CANCEL\",\"job\":\"%s\"}", long_job);
    char *buf;
    size_t len;
    raw_header(json, &buf, &len);
    msg_header_t h;
    err_t ok = {{0}};
    assert_int_equal(msg_header_decode(buf, len, &h, &ok), 0);
    assert_int_equal(strlen(h.job), 64);
    free(buf);
    char long_msg[514];
    memset(long_msg, 'm', 513);
    long_msg[513] = '\0';
    snprintf(json, sizeof json, "{\"v\":1,\"type\":\"ERROR\",\"code\":\"x\",\"message\":\"%s\"}",
             long_msg);
    err = decode_raw_bad(json);
    assert_err_contains(err, "header key \"message\": string of 513 bytes exceeds 512");
}

/* Header frames get the header codec limits. */
static void test_decode_limits(void **state)
{
    (void)state;
    char *frame = malloc(MSG_HEADER_MAX_BYTES + 1);
    memset(frame, 0xc0, MSG_HEADER_MAX_BYTES + 1);
    msg_header_t h;
    err_t err = {{0}};
    assert_int_equal(msg_header_decode(frame, MSG_HEADER_MAX_BYTES + 1, &h, &err), -1);
    assert_err_contains(err, "frame of 4097 bytes exceeds the limit of 4096 bytes");
    free(frame);
    /* Deeply nested garbage in an unknown key: depth 4 at most. */
    static const unsigned char nested[] = {0x83, 0xa1, 'v',  0x01, 0xa4, 't',  'y',
                                           'p',  'e',  0xa4, 'P',  'I',  'N',  'G',
                                           0xa1, 'x',  0x91, 0x91, 0x91, 0x91, 0xc0};
    assert_int_equal(msg_header_decode(nested, sizeof nested, &h, &err), -1);
    assert_err_contains(err, "offset 19, at x[0][0][0]: nesting deeper than 4 levels");
    /* Truncated header. */
    static const unsigned char cut[] = {0x82, 0xa1, 'v', 0x01, 0xa4, 't', 'y'};
    assert_int_equal(msg_header_decode(cut, sizeof cut, &h, &err), -1);
    assert_err_contains(err, "truncated");
    assert_int_equal(msg_header_decode(cut, 0, &h, &err), -1);
    assert_err_contains(err, "empty input");
}

static void test_unknown_keys_ignored(void **state)
{
    (void)state;
    char *buf;
    size_t len;
    raw_header("{\"v\":1,\"vm\":7,\"type\":\"PING\",\"future\":{\"a\":[1,2]},\"trace\":\"x\"}",
               &buf, &len);
    msg_header_t h;
    err_t err = {{0}};
    assert_int_equal(msg_header_decode(buf, len, &h, &err), 0);
    assert_int_equal(h.type, MSG_PING);
    assert_int_equal(h.v_minor, 7);
    free(buf);
}

/* Another major version decodes, keeping what is needed to answer it. */
static void test_version_mismatch(void **state)
{
    (void)state;
    char *buf;
    size_t len;
    raw_header("{\"v\":2,\"vm\":3,\"type\":\"JOB\",\"job\":\"r.a.1\",\"deadline_ms\":\"1m\","
               "\"agent\":[\"x\"]}",
               &buf, &len);
    msg_header_t h;
    err_t err = {{0}};
    assert_int_equal(msg_header_decode(buf, len, &h, &err), 0);
    assert_int_equal(h.v_major, 2);
    assert_int_equal(h.v_minor, 3);
    assert_int_equal(h.type, MSG_JOB);
    assert_string_equal(h.job, "r.a.1");
    assert_int_equal(h.deadline_ms, 0);
    free(buf);
    /* Even a type this version does not know. */
    raw_header("{\"v\":0,\"type\":\"SUBSCRIBE\",\"job\":7}", &buf, &len);
    assert_int_equal(msg_header_decode(buf, len, &h, &err), 0);
    assert_int_equal(h.v_major, 0);
    assert_int_equal(h.type, MSG_INVALID);
    assert_string_equal(h.job, "");
    free(buf);
    /* Encoding keeps the version it is given. */
    msg_header_init(&h, MSG_PING);
    h.v_major = 9;
    assert_int_equal(msg_header_encode(&h, &buf, &len, &err), 0);
    msg_header_t d;
    assert_int_equal(msg_header_decode(buf, len, &d, &err), 0);
    assert_int_equal(d.v_major, 9);
    free(buf);
}

static void test_type_names(void **state)
{
    (void)state;
    for (int t = MSG_PING; t <= MSG_TYPE_LAST; t++)
        assert_int_equal(msg_type_parse(msg_type_name((msg_type_t)t)), t);
    assert_int_equal(msg_type_parse("ping"), MSG_INVALID);
    assert_int_equal(msg_type_parse(NULL), MSG_INVALID);
    assert_string_equal(msg_type_name((msg_type_t)(MSG_TYPE_LAST + 1)), "INVALID");
    assert_string_equal(msg_type_name(MSG_INVALID), "INVALID");
    for (int t = MSG_INVALID; t <= MSG_TYPE_LAST; t++)
        assert_int_equal(msg_type_has_body((msg_type_t)t), t == MSG_JOB || t == MSG_RESULT);
}

/* The bytes shown in PROTOCOL.md, section 14, are what the encoder produces. */
static void test_protocol_md_example(void **state)
{
    (void)state;
    static const unsigned char ping[] = {0x83, 0xa1, 0x76, 0x01, 0xa2, 0x76, 0x6d, 0x01, 0xa4,
                                         0x74, 0x79, 0x70, 0x65, 0xa4, 0x50, 0x49, 0x4e, 0x47};
    static const unsigned char job[] = {
        0x87, 0xa1, 0x76, 0x01, 0xa2, 0x76, 0x6d, 0x01, 0xa4, 0x74, 0x79, 0x70, 0x65, 0xa3, 0x4a,
        0x4f, 0x42, 0xa3, 0x6a, 0x6f, 0x62, 0xb3, 0x72, 0x37, 0x66, 0x33, 0x2e, 0x63, 0x6f, 0x6e,
        0x66, 0x69, 0x67, 0x5f, 0x74, 0x75, 0x6e, 0x65, 0x72, 0x2e, 0x31, 0xa5, 0x61, 0x67, 0x65,
        0x6e, 0x74, 0xac, 0x63, 0x6f, 0x6e, 0x66, 0x69, 0x67, 0x5f, 0x74, 0x75, 0x6e, 0x65, 0x72,
        0xab, 0x64, 0x65, 0x61, 0x64, 0x6c, 0x69, 0x6e, 0x65, 0x5f, 0x6d, 0x73, 0xcd, 0xea, 0x60,
        0xab, 0x70, 0x72, 0x6f, 0x67, 0x72, 0x65, 0x73, 0x73, 0x5f, 0x6d, 0x73, 0xcd, 0x01, 0xf4};
    msg_header_t h;
    char *buf;
    size_t len;
    err_t err = {{0}};
    msg_header_init(&h, MSG_PING);
    assert_int_equal(msg_header_encode(&h, &buf, &len, &err), 0);
    assert_int_equal(len, sizeof ping);
    assert_memory_equal(buf, ping, len);
    free(buf);
    msg_header_init(&h, MSG_JOB);
    snprintf(h.job, sizeof h.job, "r7f3.config_tuner.1");
    snprintf(h.agent, sizeof h.agent, "config_tuner");
    h.deadline_ms = 60000;
    h.progress_ms = 500;
    assert_int_equal(msg_header_encode(&h, &buf, &len, &err), 0);
    assert_int_equal(len, sizeof job);
    assert_memory_equal(buf, job, len);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_every_type), cmocka_unit_test(test_optional_keys),
        cmocka_unit_test(test_encode_refuses),       cmocka_unit_test(test_free_text_repaired),
        cmocka_unit_test(test_decode_rejects),       cmocka_unit_test(test_decode_limits),
        cmocka_unit_test(test_unknown_keys_ignored), cmocka_unit_test(test_version_mismatch),
        cmocka_unit_test(test_type_names),           cmocka_unit_test(test_protocol_md_example),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
