/* test_options.c - the agent contract's rule on options (workers/agent.h,
 * docs/SNAPSHOT.md "options"): every option a worker honours travels in the
 * snapshot's options section.
 *  - over the wire: pgopt-coordinator --offline --verify --index-budget
 *    (embedded fleet: real worker processes, msgpack over ipc://) changes
 *    what the query rewriter and the index advisor do, and without the
 *    flags they do the default, even with the old PGOPT_REWRITER_* variables
 *    in the workers' environment;
 *  - compatibility: a snapshot without the section analyses like one with
 *    an empty section or with every flag false. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/snapshot.h"
#include "workers/index_advisor/index_advisor.h"
#include "workers/query_rewriter/query_rewriter.h"

/* A small shop: one table, two statements; target.dsn names a socket
 * directory that does not exist, so an agent that tries to connect fails at
 * once and says so in a note. */
static const char *snapshot_text =
    "{\"meta\": {\"format_version\": 1, \"collected_at\": \"2026-11-26T12:00:00Z\","
    " \"server_version_num\": 150018, \"database\": \"shop\"},"
    " \"database\": {\"size_bytes\": 1073741824},"
    " \"tables\": [{\"schema\": \"public\", \"name\": \"orders\", \"reltuples\": 1000000.0,"
    "  \"n_live_tup\": 1000000, \"relpages\": 10000, \"total_bytes\": 81920000,"
    "  \"seq_scan\": 500, \"seq_tup_read\": 500000000, \"idx_scan\": 0}],"
    " \"columns\": [{\"schema\": \"public\", \"table\": \"orders\", \"name\": \"customer_id\","
    "  \"type\": \"integer\", \"null_frac\": 0.0, \"n_distinct\": 50000.0, \"avg_width\": 4,"
    "  \"correlation\": 0.01},"
    "  {\"schema\": \"public\", \"table\": \"orders\", \"name\": \"id\", \"type\": \"integer\","
    "  \"null_frac\": 0.0, \"n_distinct\": -1.0, \"avg_width\": 4, \"correlation\": 1.0}],"
    " \"statements\": [{\"queryid\": 1,"
    "  \"query\": \"SELECT id FROM orders WHERE customer_id = $1 OR customer_id = $2\","
    "  \"calls\": 5000, \"total_exec_time\": 250000.0, \"mean_exec_time\": 50.0, \"rows\": "
    "100000}],"
    " \"target\": {\"dsn\": \"host=/nonexistent/pgopt-agent-options port=1 dbname=shop\"}}";

static int has_note(const json_t *section, const char *prefix)
{
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(section, "notes"), i, n)
    {
        const char *s = json_string_value(n);
        if (s && strncmp(s, prefix, strlen(prefix)) == 0)
            return 1;
    }
    return 0;
}

static void dump_notes(const char *agent, const json_t *section)
{
    char *s = json_dumps(json_object_get(section, "notes"), JSON_INDENT(1));
    fprintf(stderr, "%s notes: %s\n", agent, s ? s : "(none)");
    free(s);
}

typedef struct {
    char dir[64];
    char snap_path[128];
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/pgopt-agent-options-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->snap_path, sizeof f->snap_path, "%s/snapshot.json", f->dir);
    json_t *snap = NULL;
    err_t err = {{0}};
    if (snapshot_parse_json(snapshot_text, strlen(snapshot_text), &snap, &err) != 0 ||
        snapshot_write_file(f->snap_path, snap, &err) != 0) {
        fprintf(stderr, "test snapshot: %s\n", err.msg);
        json_decref(snap);
        return -1;
    }
    json_decref(snap);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* Runs the coordinator on the fixture's snapshot with the query rewriter and
 * the index advisor as real worker processes; env and flags are prepended /
 * appended to the command line. Returns phase3_output. */
static json_t *run_coordinator(const fixture_t *f, const char *env, const char *flags,
                               const char *tag)
{
    const char *bin = getenv("PGOPT_BIN_DIR");
    if (!bin)
        fail_msg("PGOPT_BIN_DIR is not set (run through ctest)");
    char out_path[256], cmd[4096];
    snprintf(out_path, sizeof out_path, "%s/%s.json", f->dir, tag);
    snprintf(cmd, sizeof cmd,
             "%s PGOPT_WORKER_DIR='%s' '%s/pgopt-coordinator' --snapshot '%s' "
             "--agents query_rewriter,index_advisor -t 60s -f json -o '%s' %s >'%s/%s.stderr' "
             "2>&1",
             env, bin, bin, f->snap_path, out_path, flags, f->dir, tag);
    int rc = system(cmd);
    json_error_t je;
    json_t *out = json_load_file(out_path, 0, &je);
    if (rc != 0 || !out)
        fail_msg("coordinator (%s) exit %d, output %s (see %s/%s.stderr)", tag, rc,
                 out ? "ok" : je.text, f->dir, tag);
    const char *agents[] = {"query_rewriter", "index_advisor"};
    for (int i = 0; i < 2; i++) {
        json_t *st =
            json_object_get(json_object_get(json_object_get(out, "fleet"), agents[i]), "status");
        if (!json_is_string(st) || strcmp(json_string_value(st), "ok") != 0)
            fail_msg("%s: %s did not answer (see %s/%s.stderr)", tag, agents[i], f->dir, tag);
    }
    return out;
}

static int64_t budget_of(const json_t *ia)
{
    return json_integer_value(
        json_object_get(json_object_get(ia, "evaluation"), "storage_budget_bytes"));
}

static void test_flags_reach_the_workers(void **state)
{
    fixture_t *f = *state;
    /* Defaults. The worker's environment carries the variables the query
     * rewriter used to read: they no longer change anything. */
    json_t *dflt =
        run_coordinator(f, "PGOPT_REWRITER_OFFLINE=1 PGOPT_REWRITER_VERIFY=1", "", "default");
    json_t *qr = json_object_get(dflt, "query_rewriter");
    json_t *ia = json_object_get(dflt, "index_advisor");
    if (!has_note(qr, "target not reachable") || has_note(qr, "offline") ||
        has_note(qr, "verify")) {
        dump_notes("query_rewriter", qr);
        fail_msg("default run: the query rewriter should try the target, without verify");
    }
    if (has_note(ia, "offline mode")) {
        dump_notes("index_advisor", ia);
        fail_msg("default run: the index advisor should not be offline");
    }
    /* 25% of database.size_bytes */
    assert_int_equal(budget_of(ia), 1073741824 / 4);

    json_t *set = run_coordinator(f, "", "--offline --verify --index-budget 3MB", "flags");
    qr = json_object_get(set, "query_rewriter");
    ia = json_object_get(set, "index_advisor");
    if (!has_note(qr, "offline: gains are pgopt's own estimates") ||
        !has_note(qr, "verify requested but there is no target to run on") ||
        has_note(qr, "target not reachable")) {
        dump_notes("query_rewriter", qr);
        fail_msg("--offline --verify did not reach the query rewriter");
    }
    if (!has_note(ia, "offline mode: every estimate comes from pgopt's cost model")) {
        dump_notes("index_advisor", ia);
        fail_msg("--offline did not reach the index advisor");
    }
    assert_int_equal(budget_of(ia), 3 * 1048576);
    json_decref(dflt);
    json_decref(set);
}

/* The library on one snapshot with the options section absent, empty, and
 * with every flag false: the same result (the agents' defaults). */
static void test_absent_section_means_defaults(void **state)
{
    (void)state;
    json_t *base = NULL;
    err_t err = {{0}};
    if (snapshot_parse_json(snapshot_text, strlen(snapshot_text), &base, &err) != 0)
        fail_msg("%s", err.msg);
    json_object_del(base, "target"); /* no connection attempts: the results compare */
    json_t *variants[3];
    variants[0] = json_deep_copy(base);
    variants[1] = json_deep_copy(base);
    json_object_set_new(variants[1], "options", json_object());
    variants[2] = json_deep_copy(base);
    json_object_set_new(variants[2], "options",
                        json_pack("{s:b,s:b,s:b,s:n}", "verify", 0, "rewriter_offline", 0,
                                  "index_offline", 0, "index_budget_bytes"));
    json_t *qr[3], *ia[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(snapshot_validate(variants[i], &err), 0);
        if (query_rewriter_analyze(variants[i], NULL, NULL, NULL, &qr[i], &err) != 0)
            fail_msg("query rewriter, variant %d: %s", i, err.msg);
        if (index_advisor_analyze(variants[i], NULL, NULL, NULL, &ia[i], &err) != 0)
            fail_msg("index advisor, variant %d: %s", i, err.msg);
        /* the index advisor times itself: not part of the comparison */
        json_t *ev = json_object_get(ia[i], "evaluation");
        json_object_del(ev, "run_ms");
        json_object_del(ev, "phases");
    }
    for (int i = 1; i < 3; i++) {
        if (!json_equal(qr[0], qr[i]) || !json_equal(ia[0], ia[i])) {
            char *a = json_dumps(json_equal(qr[0], qr[i]) ? ia[0] : qr[0], JSON_SORT_KEYS);
            char *b = json_dumps(json_equal(qr[0], qr[i]) ? ia[i] : qr[i], JSON_SORT_KEYS);
            fprintf(stderr, "absent:  %.3000s\nvariant: %.3000s\n", a, b);
            free(a);
            free(b);
            fail_msg("variant %d differs from the snapshot without options", i);
        }
    }
    for (int i = 0; i < 3; i++) {
        json_decref(qr[i]);
        json_decref(ia[i]);
        json_decref(variants[i]);
    }
    json_decref(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flags_reach_the_workers, setup, teardown),
        cmocka_unit_test(test_absent_section_means_defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
