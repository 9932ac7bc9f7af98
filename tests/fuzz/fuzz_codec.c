/*
 * fuzz_codec.c - codec_decode() under the document limits, on any bytes.
 *
 * Refusals must say where ("offset N, at PATH: ..."). Accepted input must
 * re-encode to bytes that decode to the same tree and re-encode to the same
 * bytes (canonical form is a fixed point), and must survive the JSON path
 * (jsonout -> snapshot_parse_json -> msgpack) unchanged.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "fuzz_targets.h"
#include "proto/codec.h"
#include "proto/snapshot.h"

#define NAME "codec"

/* Values in a tree as the decoder counts them (map keys included). */
static size_t count_values(const json_t *v)
{
    size_t n = 1;
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            n += count_values(json_array_get(v, i));
    } else if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            n += 1 + count_values(x);
        }
    }
    return n;
}

/* The same input under a budget of 64 values, so that the count made
 * before decoding (run when the input is longer than the budget) is fuzzed
 * too: it must refuse exactly the documents with more values, and never
 * accept what the document limits refuse. */
static void check_small_budget(const uint8_t *data, size_t size, const json_t *doc)
{
    static const codec_limits_t small = {.max_bytes = (size_t)256 << 20,
                                         .max_depth = 32,
                                         .max_str = (size_t)32 << 20,
                                         .max_items = 64};
    json_t *t = NULL;
    err_t err = {{0}};
    int rc = codec_decode(data, size, &small, &t, &err);
    json_decref(t);
    if (!doc) {
        if (rc == 0)
            fuzz_fail(NAME, "a smaller value budget accepted what the document limits refuse",
                      NULL);
        return;
    }
    size_t n = count_values(doc);
    if ((n <= 64) != (rc == 0))
        fuzz_fail(NAME, "the value budget of 64 was applied wrongly", rc ? err.msg : "accepted");
    if (rc != 0 && !strstr(err.msg, " 64 values"))
        fuzz_fail(NAME, "refused under a budget of 64 values for another reason", err.msg);
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    json_t *doc = NULL;
    err_t err = {{0}};
    if (codec_decode(data, size, &CODEC_LIMITS_DOCUMENT, &doc, &err) != 0) {
        if (doc)
            fuzz_fail(NAME, "refused input but returned a tree", err.msg);
        if (strncmp(err.msg, "offset ", 7) != 0 || !strstr(err.msg, ", at "))
            fuzz_fail(NAME, "refusal without offset and path", err.msg);
        check_small_budget(data, size, NULL);
        return 0;
    }
    check_small_budget(data, size, doc);
    char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    if (codec_encode(doc, &a, &alen, &err) != 0)
        fuzz_fail(NAME, "accepted tree does not encode", err.msg);
    json_t *again = NULL;
    if (codec_decode(a, alen, &CODEC_LIMITS_DOCUMENT, &again, &err) != 0)
        fuzz_fail(NAME, "re-encoded bytes do not decode", err.msg);
    if (!json_equal(doc, again))
        fuzz_fail(NAME, "re-encoded bytes decode to another tree", NULL);
    if (codec_encode(again, &b, &blen, &err) != 0 || blen != alen || memcmp(a, b, alen) != 0)
        fuzz_fail(NAME, "canonical encoding is not stable", NULL);
    free(b);
    b = NULL;

    /* jansson's parser takes maps and arrays at the top only. */
    if (json_is_object(doc) || json_is_array(doc)) {
        char *text = jsonout_string(doc, JSONOUT_PRETTY, &err);
        if (!text)
            fuzz_fail(NAME, "accepted tree does not print as JSON", err.msg);
        json_t *from_json = NULL;
        if (snapshot_parse_json(text, strlen(text), &from_json, &err) != 0)
            fuzz_fail(NAME, "printed JSON does not parse back", err.msg);
        if (codec_encode(from_json, &b, &blen, &err) != 0 || blen != alen ||
            memcmp(a, b, alen) != 0)
            fuzz_fail(NAME, "msgpack -> JSON -> msgpack changed the bytes", NULL);
        free(b);
        free(text);
        json_decref(from_json);
    }
    free(a);
    json_decref(again);
    json_decref(doc);
    return 0;
}
