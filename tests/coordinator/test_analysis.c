/*
 * test_analysis.c - analysis_run (coordinator/analysis.h) called directly,
 * without the command line: a saved snapshot through the four real agent
 * workers started locally (real processes, real ipc:// sockets) to a JSON
 * report on disk; an --agents subset; and the early stops (a missing
 * snapshot, a bad endpoint) with their exit status and message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "coordinator/analysis.h"
#include "proto/snapshot.h"
#include "tests/support/proc.h"

static char dir[256], minimal[1024];

static int setup(void **state)
{
    (void)state;
    const char *src = getenv("PGOPT_SOURCE_DIR");
    if (!src || proc_tmpdir(dir, sizeof dir) != 0)
        return -1;
    snprintf(minimal, sizeof minimal, "%s/tests/data/snapshots/minimal.json", src);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    proc_rmdir(dir);
    return 0;
}

static const char *fleet_status(const json_t *result, const char *agent)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(result, "fleet"), agent), "status"));
}

/* The whole pipeline on a saved snapshot: phase3_output returned and
 * written as JSON, every agent answered, the snapshot kept. */
static void test_saved_snapshot(void **state)
{
    (void)state;
    char out[400], saved[400];
    snprintf(out, sizeof out, "%s/result.json", dir);
    snprintf(saved, sizeof saved, "%s/saved.json", dir);
    analysis_opts_t o;
    analysis_opts_init(&o);
    o.snapshot_path = minimal;
    o.save_snapshot = saved;
    o.output = out;
    o.format = "json";
    o.quiet = 1;
    json_t *result = NULL;
    err_t err;
    int status = analysis_run(&o, &result, &err);
    assert_int_equal(status, EXIT_COMPLETE);
    assert_string_equal(err.msg, "");
    assert_non_null(result);
    assert_string_equal(json_string_value(json_object_get(result, "phase")), "OPTIMIZE");
    assert_string_equal(json_string_value(json_object_get(result, "status")), "complete");
    for (int a = 0; a < AGENT_COUNT; a++) {
        assert_true(json_is_object(json_object_get(result, AGENT_NAMES[a])));
        assert_string_equal(fleet_status(result, AGENT_NAMES[a]), "ok");
    }
    json_error_t jerr;
    json_t *written = json_load_file(out, 0, &jerr);
    assert_non_null(written);
    /* the report is the returned document (the same object, written) */
    assert_true(json_equal(written, result));
    json_decref(written);
    json_t *snap = NULL;
    assert_int_equal(snapshot_read_file(saved, &snap, &err), 0);
    assert_true(json_is_object(json_object_get(snap, "meta")));
    json_decref(snap);
    json_decref(result);
}

/* Only the agents asked for run; the others are null and "skipped". */
static void test_agent_subset(void **state)
{
    (void)state;
    char out[400];
    snprintf(out, sizeof out, "%s/subset.json", dir);
    analysis_opts_t o;
    analysis_opts_init(&o);
    o.snapshot_path = minimal;
    o.agents[0] = "config_tuner";
    o.nagents = 1;
    o.output = out;
    o.format = "json";
    o.quiet = 1;
    json_t *result = NULL;
    err_t err;
    assert_int_equal(analysis_run(&o, &result, &err), EXIT_COMPLETE);
    assert_non_null(result);
    assert_true(json_is_object(json_object_get(result, "config_tuner")));
    assert_string_equal(fleet_status(result, "config_tuner"), "ok");
    assert_true(json_is_null(json_object_get(result, "index_advisor")));
    assert_string_equal(fleet_status(result, "index_advisor"), "skipped");
    json_decref(result);
}

/* A snapshot that cannot be read stops the analysis before any worker
 * starts: EXIT_ERROR, no result, the message names the file. */
static void test_missing_snapshot(void **state)
{
    (void)state;
    char missing[400];
    snprintf(missing, sizeof missing, "%s/no-such-snapshot.json", dir);
    analysis_opts_t o;
    analysis_opts_init(&o);
    o.snapshot_path = missing;
    o.quiet = 1;
    json_t *result = (json_t *)&o; /* must be reset to NULL */
    err_t err;
    assert_int_equal(analysis_run(&o, &result, &err), EXIT_ERROR);
    assert_null(result);
    assert_non_null(strstr(err.msg, "no-such-snapshot.json"));
}

/* An endpoint that is not one is the caller's mistake: EXIT_USAGE. */
static void test_bad_endpoint(void **state)
{
    (void)state;
    analysis_opts_t o;
    analysis_opts_init(&o);
    o.snapshot_path = minimal;
    o.workers[0] = "bogus://x";
    o.nworkers = 1;
    o.quiet = 1;
    json_t *result = NULL;
    err_t err;
    assert_int_equal(analysis_run(&o, &result, &err), EXIT_USAGE);
    assert_null(result);
    assert_non_null(strstr(err.msg, "--worker: endpoint 'bogus://x'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_saved_snapshot),
        cmocka_unit_test(test_agent_subset),
        cmocka_unit_test(test_missing_snapshot),
        cmocka_unit_test(test_bad_endpoint),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
