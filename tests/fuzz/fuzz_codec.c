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

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    json_t *doc = NULL;
    err_t err = {{0}};
    if (codec_decode(data, size, &CODEC_LIMITS_DOCUMENT, &doc, &err) != 0) {
        if (doc)
            fuzz_fail(NAME, "refused input but returned a tree", err.msg);
        if (strncmp(err.msg, "offset ", 7) != 0 || !strstr(err.msg, ", at "))
            fuzz_fail(NAME, "refusal without offset and path", err.msg);
        return 0;
    }
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
