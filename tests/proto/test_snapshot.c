/*
 * test_snapshot.c - proto/snapshot.c: validation errors with field paths,
 * strict JSON parsing (duplicates and depth with line:column), and file
 * round trips in both formats.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto_test.h"

#include "common/jsonout.h"
#include "proto/codec.h"
#include "proto/snapshot.h"

/* A small snapshot touching every section of docs/SNAPSHOT.md. */
static const char *const SAMPLE =
    "{\"meta\": {\"format_version\": 1, \"collected_at\": \"2024-05-01T10:00:00Z\","
    "  \"collector\": \"file\", \"server_version_num\": 150018, \"database\": \"shop\","
    "  \"collection_ms\": 153.25, \"stats_reset\": {\"database\": null},"
    "  \"notes\": [\"pg_qualstats not installed\"], \"skipped_files\": [{\"path\": \"a.py\","
    "  \"reason\": \"too large\"}], \"extensions\": [{\"name\": \"hypopg\", \"version\": "
    "\"1.3.1\"}]},"
    " \"host\": {\"cpus\": 8, \"memory_bytes\": 34359738368, \"storage\": \"ssd\","
    "  \"cloud\": {\"provider\": \"aws\", \"instance_class\": \"db.r6g.large\", \"region\": null},"
    "  \"sources\": {\"cpus\": \"proc\"}},"
    " \"settings\": [{\"name\": \"work_mem\", \"setting\": \"4096\", \"unit\": \"kB\", "
    "\"pending_restart\": false, \"min_val\": null}],"
    " \"tables\": [{\"schema\": \"public\", \"name\": \"orders\", \"oid\": 16384, \"reltuples\": "
    "1000000, \"n_live_tup\": 999000, \"last_vacuum\": null, \"reloptions\": null,"
    "  \"has_primary_key\": true}],"
    " \"columns\": [{\"schema\": \"public\", \"table\": \"orders\", \"name\": \"status\", "
    "\"attnum\": 3, \"null_frac\": 0, \"n_distinct\": -0.5, \"most_common_vals\": [\"new\", "
    "\"paid\"], \"most_common_freqs\": [0.6, 0.4], \"histogram_bounds\": null}],"
    " \"indexes\": [{\"name\": \"orders_pkey\", \"columns\": [\"id\"], \"include\": [], "
    "\"predicate\": null, \"is_unique\": true, \"size_bytes\": 22487040}],"
    " \"constraints\": [{\"name\": \"orders_pkey\", \"type\": \"p\", \"columns\": [\"id\"], "
    "\"ref_columns\": null, \"validated\": true}],"
    " \"statements\": [{\"queryid\": -7290581048239480000, \"query\": \"SELECT 1\", \"calls\": "
    "10, \"total_exec_time\": 12.5, \"mean_exec_time\": 1.25, \"plan\": null}],"
    " \"qualstats\": [{\"queryid\": null, \"column\": \"status\", \"opno\": 98, \"eval_type\": "
    "\"f\"}],"
    " \"database\": {\"name\": \"shop\", \"blks_hit\": 100, \"blk_read_time\": 0},"
    " \"bgwriter\": {\"checkpoints_timed\": 5, \"wal\": {\"wal_bytes\": 1024}, "
    "\"seconds_since_reset\": 3600.5},"
    " \"activity\": {\"total\": 12, \"by_state\": {\"active\": 2, \"idle\": 10}, "
    "\"by_application\": [{\"application_name\": \"web\", \"state\": \"idle\", \"count\": 10}],"
    "  \"locks\": [{\"mode\": \"AccessShareLock\", \"granted\": true, \"count\": 3}]},"
    " \"code\": [{\"path\": \"app/models.py\", \"content\": \"class A: pass\\n\", \"bytes\": 14}],"
    " \"sqlalchemy\": {\"engines\": [{\"file\": \"app/db.py\", \"line\": 3, \"options\": "
    "{\"pool_size\": 5}}]},"
    " \"pgbouncer\": {\"pool_mode\": \"transaction\"},"
    " \"timescaledb\": {\"version\": \"2.14\", \"hypertables\": [{\"name\": \"metrics\", "
    "\"chunks\": [{\"name\": \"_hyper_1_1_chunk\", \"total_bytes\": 8192}]}]},"
    " \"history\": [{\"collected_at\": \"2024-04-30T10:00:00Z\", \"statements\": "
    "[{\"queryid\": 1, \"calls\": 5}]}],"
    " \"target\": {\"dsn\": \"host=/tmp dbname=shop\"},"
    " \"options\": {\"index_budget_bytes\": 1048576, \"index_max_write_overhead\": 0.25,"
    " \"index_min_gain_fraction\": 0, \"verify\": true, \"rewriter_offline\": false,"
    " \"index_offline\": null, \"an_agents_own_key\": [\"x\"]},"
    " \"future_section\": {\"anything\": [1, \"x\"]}}";

static json_t *sample(void)
{
    json_t *doc = NULL;
    err_t err = {{0}};
    if (snapshot_parse_json(SAMPLE, strlen(SAMPLE), &doc, &err) != 0)
        fail_msg("sample does not parse: %s", err.msg);
    return doc;
}

static void test_validate_sample(void **state)
{
    (void)state;
    json_t *doc = sample();
    err_t err = {{0}};
    if (snapshot_validate(doc, &err) != 0)
        fail_msg("sample rejected: %s", err.msg);
    json_decref(doc);
}

/* Applies a JSON-path-free mutation: sets doc[section] ... through a small
 * JSON patch text merged into a copy of the sample, then expects the error. */
static void expect_invalid(const char *patch_json, const char *expected)
{
    json_t *doc = sample();
    json_error_t je;
    json_t *patch = json_loads(patch_json, 0, &je);
    if (!patch)
        fail_msg("bad patch %s: %s", patch_json, je.text);
    /* Shallow replacement of whole sections keeps the test readable. */
    json_object_update(doc, patch);
    json_decref(patch);
    err_t err = {{0}};
    if (snapshot_validate(doc, &err) == 0)
        fail_msg("accepted: %s", patch_json);
    if (strcmp(err.msg, expected) != 0)
        fail_msg("error \"%s\", expected \"%s\"", err.msg, expected);
    json_decref(doc);
}

static void test_validate_errors(void **state)
{
    (void)state;
    expect_invalid("{\"statements\": [{}, {}, {}, {\"calls\": \"12\"}]}",
                   "statements[3].calls: expected integer, got string");
    expect_invalid("{\"statements\": [{\"rows\": 1.5}]}",
                   "statements[0].rows: expected integer, got double");
    expect_invalid("{\"statements\": [{\"mean_exec_time\": \"slow\"}]}",
                   "statements[0].mean_exec_time: expected number, got string");
    expect_invalid("{\"statements\": {\"calls\": 1}}", "statements: expected array, got map");
    expect_invalid("{\"statements\": null}", "statements: expected array, got null");
    expect_invalid("{\"tables\": [7]}", "tables[0]: expected map, got integer");
    expect_invalid("{\"tables\": [{\"has_primary_key\": 1}]}",
                   "tables[0].has_primary_key: expected boolean, got integer");
    expect_invalid("{\"tables\": [{\"reloptions\": [\"fillfactor=70\", 3]}]}",
                   "tables[0].reloptions[1]: expected string, got integer");
    expect_invalid("{\"columns\": [{\"most_common_freqs\": [0.5, true]}]}",
                   "columns[0].most_common_freqs[1]: expected number, got boolean");
    expect_invalid("{\"bgwriter\": {\"wal\": {\"wal_bytes\": \"1 kB\"}}}",
                   "bgwriter.wal.wal_bytes: expected integer, got string");
    expect_invalid("{\"activity\": {\"by_state\": {\"idle\": 1.5}}}",
                   "activity.by_state.idle: expected integer, got double");
    expect_invalid("{\"activity\": {\"locks\": [{\"granted\": \"yes\"}]}}",
                   "activity.locks[0].granted: expected boolean, got string");
    expect_invalid("{\"host\": {\"cloud\": {\"region\": 1}}}",
                   "host.cloud.region: expected string, got integer");
    expect_invalid("{\"pgbouncer\": {\"pool_mode\": [\"x\"]}}",
                   "pgbouncer.pool_mode: expected string, got array");
    expect_invalid("{\"timescaledb\": {\"hypertables\": [{\"chunks\": [{\"total_bytes\": "
                   "\"big\"}]}]}}",
                   "timescaledb.hypertables[0].chunks[0].total_bytes: expected integer, got "
                   "string");
    expect_invalid("{\"history\": [{\"statements\": [{\"calls\": []}]}]}",
                   "history[0].statements[0].calls: expected integer, got array");
    expect_invalid("{\"statements\": [{\"plan\": \"Seq Scan\"}]}",
                   "statements[0].plan: expected map, got string");
    expect_invalid("{\"target\": {\"dsn\": 5}}", "target.dsn: expected string, got integer");
    /* options: the keys agents read have types (docs/SNAPSHOT.md) */
    expect_invalid("{\"options\": [\"verify\"]}", "options: expected map, got array");
    expect_invalid("{\"options\": {\"verify\": \"yes\"}}",
                   "options.verify: expected boolean, got string");
    expect_invalid("{\"options\": {\"rewriter_offline\": 1}}",
                   "options.rewriter_offline: expected boolean, got integer");
    expect_invalid("{\"options\": {\"index_budget_bytes\": \"2GB\"}}",
                   "options.index_budget_bytes: expected integer, got string");
    expect_invalid("{\"options\": {\"index_min_improvement\": true}}",
                   "options.index_min_improvement: expected number, got boolean");
    expect_invalid("{\"meta\": {\"format_version\": 2}}",
                   "meta.format_version: unsupported version 2 (this pgopt reads 1)");
    expect_invalid("{\"meta\": {\"format_version\": \"1\"}}",
                   "meta.format_version: expected integer, got string");
    expect_invalid("{\"meta\": {\"collected_at\": \"now\"}}", "meta.format_version: required");
    expect_invalid("{\"meta\": [1]}", "meta: expected map, got array");
    expect_invalid("{\"meta\": {\"format_version\": 1, \"notes\": \"none\"}}",
                   "meta.notes: expected array, got string");

    err_t err = {{0}};
    json_t *no_meta = json_object();
    assert_int_equal(snapshot_validate(no_meta, &err), -1);
    assert_string_equal(err.msg, "meta: section is required");
    json_decref(no_meta);
    json_t *arr = json_array();
    assert_int_equal(snapshot_validate(arr, &err), -1);
    assert_string_equal(err.msg, "snapshot must be a map, got array");
    json_decref(arr);
}

/* Nulls (PostgreSQL NULL), integers for doubles, and unknown fields pass. */
static void test_validate_lenient_where_documented(void **state)
{
    (void)state;
    json_t *doc = sample();
    json_t *st = json_array_get(json_object_get(doc, "statements"), 0);
    json_object_set_new(st, "calls", json_null());
    json_object_set_new(st, "total_exec_time", json_integer(12));
    json_object_set_new(st, "new_pg17_field", json_string("x"));
    json_array_append_new(
        json_object_get(json_array_get(json_object_get(doc, "columns"), 0), "most_common_vals"),
        json_null());
    err_t err = {{0}};
    if (snapshot_validate(doc, &err) != 0)
        fail_msg("rejected: %s", err.msg);
    json_decref(doc);
}

static void test_parse_json_errors(void **state)
{
    (void)state;
    json_t *doc = NULL;
    err_t err = {{0}};
    const char *dup = "{\"meta\": {\"format_version\": 1},\n"
                      " \"tables\": [],\n"
                      " \"tables\": []}";
    assert_int_equal(snapshot_parse_json(dup, strlen(dup), &doc, &err), -1);
    assert_null(doc);
    assert_err_contains(err, "line 3, column");
    assert_err_contains(err, "duplicate object key");

    char deep[200] = "{\"a\":";
    size_t n = strlen(deep);
    for (int i = 0; i < 32; i++)
        deep[n++] = '[';
    deep[n] = '\0';
    assert_int_equal(snapshot_parse_json(deep, strlen(deep), &doc, &err), -1);
    assert_string_equal(err.msg, "line 1, column 37: nesting deeper than 32 levels");
    /* Brackets inside strings do not count. */
    const char *quoted = "{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[[[[[[\"}";
    assert_int_equal(snapshot_parse_json(quoted, strlen(quoted), &doc, &err), 0);
    json_decref(doc);

    const char *trailing = "{\"meta\": {}} x";
    assert_int_equal(snapshot_parse_json(trailing, strlen(trailing), &doc, &err), -1);
    assert_err_contains(err, "line 1, column 14");
    const char *nan = "{\"a\": NaN}";
    assert_int_equal(snapshot_parse_json(nan, strlen(nan), &doc, &err), -1);
    assert_err_contains(err, "line 1");
    const char *big = "{\"a\": 9223372036854775808}";
    assert_int_equal(snapshot_parse_json(big, strlen(big), &doc, &err), -1);
    assert_err_contains(err, "too big");
    const char *inf = "{\"a\": 1e400}";
    assert_int_equal(snapshot_parse_json(inf, strlen(inf), &doc, &err), -1);
    assert_err_contains(err, "overflow");
    const char *bad_utf8 = "{\"a\": \"\xc3\x28\"}";
    assert_int_equal(snapshot_parse_json(bad_utf8, strlen(bad_utf8), &doc, &err), -1);
    assert_err_contains(err, "line 1, column 7: invalid UTF-8: unable to decode byte 0xc3");
    /* NUL inside strings is fine (msgpack allows it, so JSON must too). */
    const char *nul = "{\"a\": \"x\\u0000y\"}";
    assert_int_equal(snapshot_parse_json(nul, strlen(nul), &doc, &err), 0);
    assert_int_equal(json_string_length(json_object_get(doc, "a")), 3);
    json_decref(doc);
}

/* ---- files ------------------------------------------------------------ */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pgopt-test-snapshot-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *path_in_tmp(const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    return path;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void test_file_roundtrip(void **state)
{
    (void)state;
    json_t *doc = sample();
    err_t err = {{0}};
    char json_path[128], mp_path[128];
    snprintf(json_path, sizeof json_path, "%s", path_in_tmp("snap.json"));
    snprintf(mp_path, sizeof mp_path, "%s", path_in_tmp("snap.msgpack"));

    if (snapshot_write_file(json_path, doc, &err) != 0)
        fail_msg("%s", err.msg);
    if (snapshot_write_file(mp_path, doc, &err) != 0)
        fail_msg("%s", err.msg);
    /* No temporary file is left behind. */
    assert_int_equal(access(path_in_tmp("snap.json.tmp"), F_OK), -1);
    assert_int_equal(access(path_in_tmp("snap.msgpack.tmp"), F_OK), -1);
    /* It has a target (a DSN): owner-only. */
    struct stat st;
    assert_int_equal(stat(mp_path, &st), 0);
    assert_int_equal(st.st_mode & 0077, 0);

    json_t *from_json = NULL, *from_mp = NULL;
    if (snapshot_read_file(json_path, &from_json, &err) != 0)
        fail_msg("%s", err.msg);
    if (snapshot_read_file(mp_path, &from_mp, &err) != 0)
        fail_msg("%s", err.msg);
    assert_true(json_equal(doc, from_json));
    assert_true(json_equal(doc, from_mp));

    /* The .msgpack file is exactly the codec's bytes, and JSON -> msgpack
     * gives the same bytes again. */
    char *expected;
    size_t expected_len;
    assert_int_equal(codec_encode(doc, &expected, &expected_len, &err), 0);
    size_t file_len;
    char *file = slurp(mp_path, &file_len);
    assert_int_equal(file_len, expected_len);
    assert_memory_equal(file, expected, file_len);
    char *again;
    size_t again_len;
    assert_int_equal(codec_encode(from_json, &again, &again_len, &err), 0);
    assert_int_equal(again_len, expected_len);
    assert_memory_equal(again, expected, again_len);

    /* The .json file is jsonout's pretty text. */
    char *text = jsonout_string(doc, JSONOUT_PRETTY, &err);
    size_t json_len;
    char *json_file = slurp(json_path, &json_len);
    assert_int_equal(json_len, strlen(text) + 1);
    assert_memory_equal(json_file, text, strlen(text));

    /* Other names: the content decides. */
    spit(path_in_tmp("snap.dat"), json_file, json_len);
    spit(path_in_tmp("snapshot"), file, file_len);
    json_t *sniffed = NULL;
    if (snapshot_read_file(path_in_tmp("snap.dat"), &sniffed, &err) != 0)
        fail_msg("%s", err.msg);
    assert_true(json_equal(doc, sniffed));
    json_decref(sniffed);
    if (snapshot_read_file(path_in_tmp("snapshot"), &sniffed, &err) != 0)
        fail_msg("%s", err.msg);
    assert_true(json_equal(doc, sniffed));
    json_decref(sniffed);

    /* Overwriting replaces the file. */
    json_object_del(doc, "target");
    assert_int_equal(snapshot_write_file(mp_path, doc, &err), 0);
    json_t *replaced = NULL;
    assert_int_equal(snapshot_read_file(mp_path, &replaced, &err), 0);
    assert_null(json_object_get(replaced, "target"));
    json_decref(replaced);

    free(text);
    free(json_file);
    free(again);
    free(file);
    free(expected);
    json_decref(from_json);
    json_decref(from_mp);
    json_decref(doc);
}

static void test_file_errors(void **state)
{
    (void)state;
    json_t *doc = NULL;
    err_t err = {{0}};
    char path[128];

    snprintf(path, sizeof path, "%s", path_in_tmp("missing.json"));
    assert_int_equal(snapshot_read_file(path, &doc, &err), -1);
    assert_err_contains(err, path);
    assert_err_contains(err, "No such file");

    /* Duplicate keys in a file: path, format, line and column. */
    snprintf(path, sizeof path, "%s", path_in_tmp("dup.json"));
    const char *dup = "{\n  \"meta\": {\"format_version\": 1},\n  \"meta\": {}\n}\n";
    spit(path, dup, strlen(dup));
    assert_int_equal(snapshot_read_file(path, &doc, &err), -1);
    assert_err_contains(err, path);
    assert_err_contains(err, "JSON: line 3, column");
    assert_err_contains(err, "duplicate object key");

    /* Malformed msgpack: path, format, offset. */
    snprintf(path, sizeof path, "%s", path_in_tmp("bad.msgpack"));
    static const unsigned char bad[] = {0x81, 0xa4, 'm',  'e',  't', 'a',
                                        0xdf, 0xff, 0xff, 0xff, 0xff};
    spit(path, bad, sizeof bad);
    assert_int_equal(snapshot_read_file(path, &doc, &err), -1);
    assert_err_contains(err, "bad.msgpack: msgpack: offset 6, at meta: declared map of 4294967295 "
                             "entries but only 0 bytes remain");

    /* Decodes but does not validate: path then field. */
    snprintf(path, sizeof path, "%s", path_in_tmp("v2.json"));
    const char *v2 = "{\"meta\": {\"format_version\": 2}}";
    spit(path, v2, strlen(v2));
    assert_int_equal(snapshot_read_file(path, &doc, &err), -1);
    assert_err_contains(err, "v2.json: meta.format_version: unsupported version 2");

    /* Larger than 256 MiB: refused from its size, without reading it (sparse). */
    snprintf(path, sizeof path, "%s", path_in_tmp("huge.msgpack"));
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, ((off_t)256 << 20) + 1), 0);
    close(fd);
    assert_int_equal(snapshot_read_file(path, &doc, &err), -1);
    assert_err_contains(err, "file is 268435457 bytes, more than the 256 MiB a snapshot may have");
    unlink(path);

    /* A directory. */
    assert_int_equal(snapshot_read_file(tmpdir, &doc, &err), -1);
    assert_err_contains(err, "is a directory");

    /* Writing: the name decides the format. */
    json_t *small = json_pack("{s:{s:i}}", "meta", "format_version", 1);
    snprintf(path, sizeof path, "%s", path_in_tmp("snap.yaml"));
    assert_int_equal(snapshot_write_file(path, small, &err), -1);
    assert_err_contains(err, "unknown format: the name must end in .json or .msgpack");
    assert_int_equal(snapshot_write_file("/nonexistent-dir/x.json", small, &err), -1);
    assert_err_contains(err, "/nonexistent-dir");
    /* A symlink planted at a guessable temporary name is never written
     * through: the temporary file gets an unpredictable name (mkostemp). */
    snprintf(path, sizeof path, "%s", path_in_tmp("victim"));
    spit(path, "keep", 4);
    assert_int_equal(symlink(path, path_in_tmp("out.json.tmp")), 0);
    snprintf(path, sizeof path, "%s", path_in_tmp("out.json"));
    assert_int_equal(snapshot_write_file(path, small, &err), 0);
    struct stat out_st;
    assert_int_equal(stat(path, &out_st), 0);
    assert_int_equal(out_st.st_mode & 0777, 0600); /* snapshots are private */
    size_t victim_len;
    char *victim = slurp(path_in_tmp("victim"), &victim_len);
    assert_string_equal(victim, "keep");
    free(victim);
    json_decref(small);
    assert_null(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_sample),
        cmocka_unit_test(test_validate_errors),
        cmocka_unit_test(test_validate_lenient_where_documented),
        cmocka_unit_test(test_parse_json_errors),
        cmocka_unit_test(test_file_roundtrip),
        cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
