/*
 * make_corpus.c - writes the seed corpus of the fuzz targets (committed in
 * tests/fuzz/corpus/): valid samples of every shape and one sample of every
 * malformation the decoders must refuse, so mutations start close to both.
 *
 *   pgopt-fuzz-make-corpus tests/fuzz/corpus
 *
 * Deterministic: running it again rewrites the same files.
 */
#include <errno.h>
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench/synth_snapshot.h"
#include "common/jsonout.h"
#include "coordinator/history/histframe.h"
#include "proto/codec.h"
#include "proto/message.h"
#include "proto/result_schema.h"

static const char *root;

static void put(const char *target, const char *name, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void put_tree(const char *target, const char *name, const json_t *doc)
{
    char *buf;
    size_t len;
    err_t err;
    if (codec_encode(doc, &buf, &len, &err) != 0) {
        fprintf(stderr, "%s: %s\n", name, err.msg);
        exit(1);
    }
    put(target, name, buf, len);
    free(buf);
}

static void put_text(const char *target, const char *name, const char *text)
{
    put(target, name, text, strlen(text));
}

#define PUT_BYTES(target, name, ...)                                                               \
    put(target, name, (const unsigned char[]){__VA_ARGS__},                                        \
        sizeof((const unsigned char[]){__VA_ARGS__}))

static json_t *every_type(void)
{
    return json_pack("{s:[i,i,i,i,i,i,I,I], s:[f,f,f,f,f], s:[s,s,s,s,s%], s:[[],{},[[]],{s:{}}], "
                     "s:n, s:b, s:b}",
                     "ints", 0, 127, 128, -1, -33, 65536, (json_int_t)INT64_MAX,
                     (json_int_t)INT64_MIN, "doubles", 0.1, 1e300, -0.0, 5e-324, DBL_MAX, "strings",
                     "", "ascii", "h\xc3\xa9llo", "\xf0\x9f\x90\x98", "nul\0x", (size_t)5, "nested",
                     "k", "null", "t", 1, "f", 0);
}

static void codec_corpus(void)
{
    json_t *doc = every_type();
    put_tree("codec", "valid-every-type", doc);
    char *buf;
    size_t len;
    err_t err;
    codec_encode(doc, &buf, &len, &err);
    put("codec", "bad-truncated", buf, len / 2);
    unsigned char *trailing = malloc(len + 1);
    memcpy(trailing, buf, len);
    trailing[len] = 0xc0;
    put("codec", "bad-trailing-byte", trailing, len + 1);
    free(trailing);
    free(buf);
    json_decref(doc);

    json_t *snap = synth_snapshot(3, 2, 4, 3, 7);
    put_tree("codec", "valid-synth-snapshot", snap);
    json_decref(snap);

    char s300[301];
    memset(s300, 'x', 300);
    s300[300] = '\0';
    json_t *strs = json_pack("[s, s]", s300, "\xe6\x97\xa5\xe6\x9c\xac");
    put_tree("codec", "valid-str16", strs);
    json_decref(strs);

    PUT_BYTES("codec", "bad-array32-huge", 0xdd, 0xff, 0xff, 0xff, 0xff);
    PUT_BYTES("codec", "bad-map32-huge", 0xdf, 0xff, 0xff, 0xff, 0xff);
    PUT_BYTES("codec", "bad-str32-huge", 0xdb, 0xff, 0xff, 0xff, 0xff);
    PUT_BYTES("codec", "bad-map16-short", 0xde, 0x00, 0x03, 0xa1, 'a', 0x01);
    PUT_BYTES("codec", "bad-fixext1", 0x91, 0xd4, 0x01, 0x00);
    PUT_BYTES("codec", "bad-ext8", 0xc7, 0x01, 0x05, 0x00);
    PUT_BYTES("codec", "bad-timestamp", 0xd6, 0xff, 0x00, 0x00, 0x00, 0x01);
    PUT_BYTES("codec", "bad-bin8", 0xc4, 0x02, 'h', 'i');
    PUT_BYTES("codec", "bad-reserved-c1", 0x92, 0x01, 0xc1);
    PUT_BYTES("codec", "bad-duplicate-key", 0x82, 0xa1, 'a', 0x01, 0xa1, 'a', 0x02);
    PUT_BYTES("codec", "bad-int-key", 0x81, 0x01, 0x02);
    PUT_BYTES("codec", "bad-nul-key", 0x81, 0xa2, 'a', 0x00, 0x02);
    PUT_BYTES("codec", "bad-utf8-overlong", 0xa2, 0xc0, 0x80);
    PUT_BYTES("codec", "bad-utf8-surrogate", 0xa3, 0xed, 0xa0, 0x80);
    PUT_BYTES("codec", "bad-uint64", 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    PUT_BYTES("codec", "bad-nan", 0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0);
    PUT_BYTES("codec", "valid-float32", 0x92, 0xca, 0x3f, 0x80, 0x00, 0x00, 0xd0, 0x80);
    unsigned char deep[41];
    memset(deep, 0x91, 40);
    deep[40] = 0xc0;
    put("codec", "bad-depth-40", deep, sizeof deep);
    put("codec", "valid-depth-32", deep + 8, 33);
}

static void put_header(const char *name, const msg_header_t *h)
{
    char *buf;
    size_t len;
    err_t err;
    if (msg_header_encode(h, &buf, &len, &err) != 0) {
        fprintf(stderr, "%s: %s\n", name, err.msg);
        exit(1);
    }
    put("header", name, buf, len);
    put("codec", name, buf, len); /* headers are msgpack documents too */
    free(buf);
}

static void header_corpus(void)
{
    for (int t = MSG_PING; t <= MSG_CANCEL; t++) {
        msg_header_t h;
        msg_header_init(&h, (msg_type_t)t);
        snprintf(h.job, sizeof h.job, "run7.query_rewriter.2");
        snprintf(h.agent, sizeof h.agent, "query_rewriter");
        snprintf(h.worker, sizeof h.worker, "worker-1:311");
        h.deadline_ms = 120000;
        h.progress_ms = 500;
        h.elapsed_ms = 2500;
        h.seq = 5;
        h.done = 40;
        h.total = 100;
        h.load = 1;
        h.capacity = 2;
        h.served = 12;
        snprintf(h.stage, sizeof h.stage, "parsing statements");
        snprintf(h.code, sizeof h.code, "snapshot_invalid");
        snprintf(h.message, sizeof h.message, "statements[3].calls: expected integer, got string");
        char name[64];
        snprintf(name, sizeof name, "valid-%s", msg_type_name((msg_type_t)t));
        put_header(name, &h);
    }
    msg_header_t v2;
    msg_header_init(&v2, MSG_JOB);
    v2.v_major = 2;
    snprintf(v2.job, sizeof v2.job, "r.a.1");
    snprintf(v2.agent, sizeof v2.agent, "ai_tuning");
    put_header("valid-version-2", &v2);

    json_t *t;
    t = json_pack("{s:s}", "type", "PING");
    put_tree("header", "bad-no-version", t);
    json_decref(t);
    t = json_pack("{s:i, s:s, s:s}", "v", 1, "type", "PROGRESS", "job", "j");
    put_tree("header", "bad-progress-missing-keys", t);
    json_decref(t);
    t = json_pack("{s:i, s:s, s:s, s:s, s:I, s:s}", "v", 1, "type", "JOB", "job", "j", "agent", "x",
                  "deadline_ms", (json_int_t)-1, "progress_ms", "fast");
    put_tree("header", "bad-job-wrong-types", t);
    json_decref(t);
    t = json_pack("{s:i, s:s, s:{s:[i]}, s:s}", "v", 1, "type", "PING", "ext", "a", 1, "extra",
                  "ignored");
    put_tree("header", "valid-unknown-keys", t);
    json_decref(t);
    PUT_BYTES("header", "bad-array", 0x92, 0x01, 0xa4, 'P', 'I', 'N', 'G');
}

static void json_corpus(void)
{
    json_t *snap = synth_snapshot(3, 2, 4, 3, 11);
    err_t err;
    char *text = jsonout_string(snap, JSONOUT_PRETTY, &err);
    put_text("snapshot_json", "valid-synth-snapshot.json", text);
    free(text);
    json_decref(snap);
    put_text("snapshot_json", "valid-minimal.json", "{\"meta\": {\"format_version\": 1}}");
    put_text("snapshot_json", "valid-escapes.json",
             "{\"meta\": {\"format_version\": 1}, \"code\": [{\"path\": \"a\\u00e9.py\", "
             "\"content\": \"x = '\\\\n'\\u0000\\n\\t\\\"q\\\"\", \"bytes\": -0}]}");
    put_text("snapshot_json", "bad-type.json",
             "{\"meta\": {\"format_version\": 1}, \"statements\": [{\"calls\": \"9\"}]}");
    put_text("snapshot_json", "bad-version.json", "{\"meta\": {\"format_version\": 7}}");
    put_text("snapshot_json", "bad-duplicate.json",
             "{\"meta\": {\"format_version\": 1},\n \"meta\": {}}");
    put_text("snapshot_json", "bad-nan.json", "{\"meta\": {\"format_version\": NaN}}");
    put_text("snapshot_json", "bad-bigint.json", "{\"a\": 18446744073709551615}");
    put_text("snapshot_json", "bad-trailing.json", "{\"meta\": {}} {}");
    put_text("snapshot_json", "valid-numbers.json",
             "{\"meta\": {\"format_version\": 1}, \"x\": [0.1, 1e300, -0.0, 5e-324, 2.0, -7, "
             "9223372036854775807, -9223372036854775808, 1E-400]}");
    char deep[128] = "{\"a\": ";
    size_t n = strlen(deep);
    for (int i = 0; i < 40; i++)
        deep[n++] = '[';
    deep[n] = '\0';
    put_text("snapshot_json", "bad-deep.json", deep);
}

/* A RESULT seed, checked: valid-* seeds must pass for their agent, bad-*
 * ones must not, or the corpus would start the fuzzer in the wrong place. */
static void put_result(const char *name, const json_t *t, const char *agent)
{
    err_t err = {{0}};
    int valid = result_validate(t, agent, &err) == 0;
    if (valid != (strncmp(name, "valid-", 6) == 0)) {
        fprintf(stderr, "result seed %s: %s\n", name, valid ? "accepted" : err.msg);
        exit(1);
    }
    put_tree("result", name, t);
}

/* RESULT bodies: the smallest valid result of each agent, and the
 * violations the validator must name. */
static void result_corpus(void)
{
    static const char *const shapes[][2] = {
        {"index_advisor", "{s:s, s:s, s:[{s:s, s:s, s:i, s:n}], s:[], s:[{s:s}], s:[s]}"},
        {"query_rewriter", "{s:s, s:s, s:[{s:s, s:n, s:n}], s:[{s:s, s:[s]}], s:[s]}"},
    };
    json_t *t =
        json_pack(shapes[0][1], "phase", "OPTIMIZE", "agent", "index_advisor", "recommendations",
                  "id", "idx-001", "create_statement", "CREATE INDEX CONCURRENTLY i ON t (a)",
                  "affected_queries", 3, "rollback", "unused_indexes_to_drop", "duplicate_indexes",
                  "unneeded_index", "i2", "notes", "n");
    put_result("valid-index-advisor", t, "index_advisor");
    json_object_set_new(json_array_get(json_object_get(t, "recommendations"), 0),
                        "affected_queries", json_string("3"));
    put_result("bad-index-advisor-type", t, "index_advisor");
    json_decref(t);
    t = json_pack(shapes[1][1], "phase", "OPTIMIZE", "agent", "query_rewriter", "rewrites", "id",
                  "qry-001", "file", "line", "sql_rewrites", "original_query", "SELECT 1",
                  "changes", "c", "notes", "n");
    put_result("valid-query-rewriter", t, "query_rewriter");
    json_object_set_new(t, "agent", json_string("index_advisor"));
    put_result("bad-label", t, "query_rewriter");
    json_decref(t);
    t = json_pack("{s:s, s:s, s:{s:{s:{s:s, s:s, s:s}}}, s:{}, s:{}, s:{}, s:s}", "phase",
                  "OPTIMIZE", "agent", "config_tuner", "postgresql", "memory", "work_mem",
                  "current", "4MB", "recommended", "16MB", "reason", "r", "sqlalchemy", "pgbouncer",
                  "timescaledb", "apply_script", "");
    put_result("valid-config-tuner", t, "config_tuner");
    json_decref(t);
    t = json_pack("{s:s, s:s, s:{s:s, s:[]}, s:{}, s:{s:n}, s:{s:[]}, s:{s:[]}}", "phase",
                  "OPTIMIZE", "agent", "ai_tuning", "workload_analysis", "classification", "OLTP",
                  "peak_hours", "predictions", "cloud_native", "provider", "ml_insights",
                  "anomalies", "cost_optimization", "recommendations");
    put_result("valid-ai-tuning", t, "ai_tuning");
    json_object_del(t, "predictions");
    put_result("bad-ai-tuning-missing", t, "ai_tuning");
    json_decref(t);
}

/* History segments: frames as history.c writes them (msgpack header and
 * body), then the damage a reader must step over. */
static void history_corpus(void)
{
    char seg[4096];
    size_t len = 0;
    for (int k = 0; k < 3; k++) {
        json_t *h = json_pack("{s:i, s:I, s:I, s:s}", "v", 1, "t", (json_int_t)(1704067200 + k),
                              "t_us", (json_int_t)(1704067200 + k) * 1000000, "collected_at",
                              "2024-01-01T00:00:00Z");
        json_t *b = json_pack("{s:{s:[I,I], s:[i,i]}}", "statements", "queryid",
                              (json_int_t)101 + k, (json_int_t)-7, "calls", k, k * 2);
        char *hb, *bb, *fr;
        size_t hl, bl, fl;
        err_t err;
        if (codec_encode(h, &hb, &hl, &err) != 0 || codec_encode(b, &bb, &bl, &err) != 0 ||
            histframe_encode(hb, hl, bb, bl, &fr, &fl, &err) != 0 || len + fl > sizeof seg) {
            fprintf(stderr, "history corpus: %s\n", err.msg);
            exit(1);
        }
        memcpy(seg + len, fr, fl);
        len += fl;
        free(hb);
        free(bb);
        free(fr);
        json_decref(h);
        json_decref(b);
    }
    put("history_frames", "valid-3-frames", seg, len);
    char bad[4096];
    memcpy(bad, seg, len);
    bad[len / 3 + 6] ^= 0x40; /* inside the second frame */
    put("history_frames", "bad-flipped-middle", bad, len);
    memcpy(bad, seg, len);
    bad[5] ^= 0x01; /* the first frame's header length */
    put("history_frames", "bad-first-length", bad, len);
    put("history_frames", "torn-tail", seg, len - 9);
    memcpy(bad, seg, len);
    memset(bad + len, 0, 300);
    put("history_frames", "torn-zeros", bad, len + 300);
    memcpy(bad, "garbage!", 8);
    memcpy(bad + 8, seg, len);
    put("history_frames", "bad-leading-garbage", bad, len + 8);
    PUT_BYTES("history_frames", "torn-magic-prefix", 'P', 'G', 'H');
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    root = argv[1];
    if (mkdir(root, 0755) != 0 && errno != EEXIST) {
        perror(root);
        return 1;
    }
    codec_corpus();
    header_corpus();
    json_corpus();
    result_corpus();
    history_corpus();
    return 0;
}
