/*
 * fuzz_snapshot_json.c - snapshot_parse_json() + snapshot_validate() on any
 * text (snapshot files are user input).
 *
 * Parse refusals must say "line L, column C" (or name the limit); a parsed
 * document, valid or not, must survive msgpack and JSON round trips.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "fuzz_targets.h"
#include "proto/codec.h"
#include "proto/snapshot.h"

#define NAME "snapshot_json"

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    json_t *doc = NULL;
    err_t err = {{0}};
    if (snapshot_parse_json((const char *)data, size, &doc, &err) != 0) {
        if (doc)
            fuzz_fail(NAME, "refused input but returned a tree", err.msg);
        if (strncmp(err.msg, "line ", 5) != 0 && !strstr(err.msg, "exceeds") &&
            !strstr(err.msg, "more than"))
            fuzz_fail(NAME, "parse refusal without line and column", err.msg);
        return 0;
    }
    if (snapshot_validate(doc, &err) != 0 && err.msg[0] == '\0')
        fuzz_fail(NAME, "validation refusal without a message", NULL);

    char *mp = NULL;
    size_t mp_len = 0;
    if (codec_encode(doc, &mp, &mp_len, &err) != 0)
        fuzz_fail(NAME, "parsed document does not encode", err.msg);
    json_t *back = NULL;
    if (codec_decode(mp, mp_len, &CODEC_LIMITS_DOCUMENT, &back, &err) != 0)
        fuzz_fail(NAME, "encoded document does not decode", err.msg);
    if (!json_equal(doc, back))
        fuzz_fail(NAME, "JSON -> msgpack -> tree changed the document", NULL);
    char *text = jsonout_string(doc, 0, &err);
    if (!text)
        fuzz_fail(NAME, "parsed document does not print", err.msg);
    json_t *again = NULL;
    if (snapshot_parse_json(text, strlen(text), &again, &err) != 0)
        fuzz_fail(NAME, "printed JSON does not parse back", err.msg);
    if (!json_equal(doc, again))
        fuzz_fail(NAME, "JSON -> tree -> JSON -> tree changed the document", NULL);
    free(text);
    free(mp);
    json_decref(again);
    json_decref(back);
    json_decref(doc);
    return 0;
}
