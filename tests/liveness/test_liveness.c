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
#include "common/progress.h"
#include "coordinator/collect/collect.h"
#include "synth_history.h"
#include "workers/ai_tuning/ai_tuning.h"
#include "tests/support/pgtest.h"
#include "tests/support/proc.h"
#include "tests/support/tcpproxy.h"

#define CODE_COPIES 300 /* x 9 files: 2700 files, ~2.8 MB of Python */
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

#define IA_DB     "pgopt_liveness_ia"
#define IA_TABLES 8

/* A workload whose what-if selection needs hundreds of round trips: eight
 * tables (large enough not to count as tiny), four filtered statements
 * each, run through pg_stat_statements with their $n kept. */
static void ia_workload(void)
{
    assert_int_equal(pgtest_create_db(IA_DB), 0);
    PGconn *c = pgtest_connect(IA_DB);
    pgtest_exec(c, "CREATE EXTENSION IF NOT EXISTS hypopg;"
                   "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    for (int t = 0; t < IA_TABLES; t++) {
        char sql[600];
        snprintf(sql, sizeof sql,
                 "CREATE TABLE t%d (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL, "
                 "c int NOT NULL, d text NOT NULL);"
                 "INSERT INTO t%d SELECT i, i %% 997, i %% 89, (i * 7) %% 5003, md5(i::text) "
                 "FROM generate_series(1, 20000) i",
                 t, t);
        pgtest_exec(c, sql);
    }
    pgtest_exec(c, "ANALYZE");
    static const char *const shapes[] = {
        "SELECT id, d FROM t%d WHERE a = $1",
        "SELECT count(*) FROM t%d WHERE b = $1 AND c = $2",
        "SELECT id FROM t%d WHERE c > $1 ORDER BY c LIMIT 10",
        "SELECT a, b FROM t%d WHERE d = $1",
    };
    for (int t = 0; t < IA_TABLES; t++)
        for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
            char q[200];
            snprintf(q, sizeof q, shapes[k], t);
            for (int i = 0; i < 5; i++) {
                char v1[16], v2[16];
                snprintf(v1, sizeof v1, "%d", 10 + i);
                snprintf(v2, sizeof v2, "%d", 20 + i);
                const char *p[2] = {v1, v2};
                int n = strstr(q, "$2") ? 2 : 1;
                PGresult *r = PQexecParams(c, q, n, NULL, p, NULL, NULL, 0);
                if (PQresultStatus(r) != PGRES_TUPLES_OK)
                    fail_msg("%s: %s", q, PQresultErrorMessage(r));
                PQclear(r);
            }
        }
    PQfinish(c);
}

/* The index advisor over a link that adds 20-35 ms to every round trip:
 * before, the selection's silent stretches at that latency ran past the
 * hang window (4.8 s and more) and a healthy agent was killed. */
static void test_index_advisor_slow_link(void **state)
{
    (void)state;
    ia_workload();
    const char *port = pgtest_env("PGPORT");
    assert_non_null(port);
    tcpproxy_t *p = tcpproxy_start("127.0.0.1", atoi(port));
    assert_non_null(p);
    /* The snapshot is collected through the proxy, so target.dsn is the
     * slow link the worker will use. */
    char ci[256];
    const char *user = pgtest_env("PGUSER");
    snprintf(ci, sizeof ci, "host=127.0.0.1 port=%d user=%s dbname=" IA_DB, tcpproxy_port(p),
             user ? user : "postgres");
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = ci;
    o.include_target_dsn = 1;
    json_t *snap = NULL;
    err_t err = {{0}};
    if (collect_snapshot(&o, &snap, &err) != 0)
        fail_msg("collect: %s", err.msg);
    char path[400];
    snprintf(path, sizeof path, "%s/ia.json", tmp);
    assert_int_equal(json_dump_file(snap, path, JSON_COMPACT), 0);
    json_decref(snap);

    tcpproxy_set_latency(p, 20, 35);
    json_t *doc = run_coordinator("ia", path, "index_advisor");
    assert_alive(doc, "index_advisor");
    /* The run was long enough to matter: the round trips the worker waited
     * for, at 20 ms or more each, add up to twice the hang window. */
    const json_t *ev = json_object_get(json_object_get(doc, "index_advisor"), "evaluation");
    int64_t trips = tcpproxy_delayed(p);
    printf("index_advisor: %lld round trips at 20-35 ms (%lld what-if EXPLAINs, %lld "
           "hypothetical indexes)\n",
           (long long)trips, (long long)json_integer_value(json_object_get(ev, "whatif_explains")),
           (long long)json_integer_value(json_object_get(ev, "hypothetical_indexes_created")));
    assert_true(trips * 20 >= 2 * 2000);
    json_decref(doc);
    tcpproxy_destroy(&p);
}

/* ai_tuning's loops over history entries and statements beat from inside
 * (progress_alive through the thread's sink), not only between its five
 * stages: a month of one-minute entries made each stage one long silence.
 * In process, on a synthetic history: the beats inside "series" (the
 * history read, one per entry) and inside "ml_insights" (one per
 * statement) are counted. */
typedef struct {
    char stage[32];
    int64_t alive_in_series, alive_in_ml;
} ai_beats_t;

static int count_beat(void *user, const char *stage, int64_t done, int64_t total)
{
    (void)done;
    (void)total;
    ai_beats_t *b = user;
    if (stage)
        snprintf(b->stage, sizeof b->stage, "%s", stage);
    else if (strcmp(b->stage, "series") == 0)
        b->alive_in_series++;
    else if (strcmp(b->stage, "ml_insights") == 0)
        b->alive_in_ml++;
    return 0;
}

static void test_ai_tuning_loops_beat(void **state)
{
    (void)state;
    synth_opts_t so;
    synth_opts_init(&so);
    so.days = 7;
    so.statements = 60;
    synth_truth_t truth;
    json_t *snap = synth_history(&so, &truth);
    assert_non_null(snap);
    size_t entries = json_array_size(json_object_get(snap, "history"));
    ai_beats_t b = {{0}, 0, 0};
    progress_set_thread(count_beat, &b);
    json_t *result = NULL;
    err_t err = {{0}};
    int rc = ai_tuning_analyze(snap, NULL, count_beat, &b, &result, &err);
    progress_set_thread(NULL, NULL);
    if (rc != 0)
        fail_msg("ai_tuning: %s", err.msg);
    printf("ai_tuning: %zu history entries, %d statements: %lld beats reading the history, "
           "%lld in ml_insights\n",
           entries, so.statements, (long long)b.alive_in_series, (long long)b.alive_in_ml);
    assert_true(b.alive_in_series >= (int64_t)entries);
    assert_true(b.alive_in_ml >= so.statements);
    json_decref(result);
    json_decref(snap);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_code_agents_beat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_advisor_slow_link, setup, teardown),
        cmocka_unit_test(test_ai_tuning_loops_beat),
    };
    /* ctest runs one test per process: the name is the first argument */
    if (argc > 1) {
        int known = 0;
        for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
            known |= strcmp(tests[i].name, argv[1]) == 0;
        if (!known) {
            fprintf(stderr, "test_liveness: no test named '%s'\n", argv[1]);
            return 1;
        }
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
