/*
 * test_report_text.c - the terminal report on a recorded real run
 * (data/shop-phase3.json): structure, order, 80 columns, colour only when
 * asked, agents that did not answer, malformed sections; format defaults,
 * the colour decision on a real pseudo-terminal; the `report` subcommand.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <pty.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coordinator/report/report.h"
#include "coordinator/report/report_cli.h"
#include "proto/snapshot.h"

static json_t *load(const char *name)
{
    const char *src = getenv("PGOPT_SOURCE_DIR");
    assert_non_null(src);
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/report/data/%s", src, name);
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc)
        fail_msg("%s: %s", path, je.text);
    return doc;
}

static char *render(const json_t *p3, report_format_t fmt, const report_opts_t *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    err_t err;
    int rc = report_write(p3, fmt, f, o, &err);
    fclose(f);
    if (rc != 0)
        fail_msg("report_write: %s", err.msg);
    /* A copy: gcc 12 -O2 otherwise takes pointers into the stream's buffer
     * for pointers to the local variable (-Wdangling-pointer false alarm). */
    char *copy = strdup(buf);
    free(buf);
    return copy;
}

/* Display columns of a line (UTF-8 aware, ANSI sequences skipped). */
static size_t cols(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\033') {
            while (i < n && s[i] != 'm')
                i++;
            continue;
        }
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    }
    return c;
}

static size_t widest_line(const char *text)
{
    size_t w = 0;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        size_t c = cols(p, n);
        if (c > w)
            w = c;
        p += n;
        if (*p)
            p++;
    }
    return w;
}

typedef struct {
    json_t *p3;
    json_t *summary;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->p3 = load("shop-phase3.json");
    json_t *snap = load("shop-snapshot.json");
    f->summary = report_snapshot_summary(snap);
    json_decref(snap);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    json_decref(f->p3);
    json_decref(f->summary);
    free(f);
    return 0;
}

static void test_summary_from_snapshot(void **state)
{
    fixture_t *f = *state;
    assert_string_equal(json_string_value(json_object_get(f->summary, "database")), "shop");
    assert_int_equal(json_integer_value(json_object_get(f->summary, "statements")), 28);
    assert_int_equal(json_integer_value(json_object_get(f->summary, "tables")), 3);
    assert_int_equal(json_integer_value(json_object_get(f->summary, "indexes")), 7);
    json_t *arr = json_array();
    assert_null(report_snapshot_summary(arr)); /* not an object: NULL, no crash */
    json_decref(arr);
}

static void test_text_structure(void **state)
{
    fixture_t *f = *state;
    report_opts_t o;
    report_opts_init(&o);
    o.snapshot_summary = f->summary;
    o.source = "--dsn dbname=shop";
    o.total_ms = 1234;
    char *t = render(f->p3, REPORT_TEXT, &o);
    /* summary: what, how long, which agents */
    assert_non_null(strstr(t, "pgopt report - database shop\n"));
    assert_non_null(strstr(t, "PostgreSQL 15."));
    assert_non_null(strstr(t, "28 statements, 3 tables, 7 indexes"));
    assert_non_null(strstr(t, "1.2 s in total"));
    assert_non_null(strstr(t, "4 of 4 answered (complete)"));
    /* one section per agent, in the seed's order */
    const char *ia = strstr(t, "== Index advisor ");
    const char *qr = strstr(t, "== Query rewriter ");
    const char *ct = strstr(t, "== Config tuner ");
    const char *ai = strstr(t, "== AI tuning advisor ");
    assert_true(ia && qr && ct && ai && ia < qr && qr < ct && ct < ai);
    /* priority order within the index advisor: P1, then P2s, then P3, then drops */
    const char *p1 = strstr(ia, " 1. P1 ");
    const char *p2 = strstr(ia, " 2. P2 ");
    const char *p3 = strstr(ia, " 4. P3 ");
    const char *drop = strstr(ia, "drop public.orders_status_dup2");
    assert_true(p1 && p2 && p3 && drop && p1 < p2 && p2 < p3 && p3 < drop && drop < qr);
    /* P2s ordered by estimated time saved: 20.2 s before 1.6 s */
    const char *lower = strstr(ia, "lower(email)");
    const char *events = strstr(ia, "public.events (customer_id)");
    assert_true(lower && events && lower < events);
    /* evidence and the command to apply */
    assert_non_null(strstr(ia, "164.0x faster for 2 statements (87% of workload time)"));
    assert_non_null(strstr(ia, "$ CREATE INDEX CONCURRENTLY idx_orders_customer_id"));
    assert_non_null(strstr(ct, "shared_buffers: 128MB -> 2GB (restart)"));
    assert_non_null(strstr(ct, "$ ALTER SYSTEM SET shared_buffers = '2GB';"));
    /* missing data is said, not invented */
    assert_non_null(strstr(ai, "peak hours      no data: peak hours need"));
    /* cost now and savings, each on its own line */
    assert_non_null(strstr(ai, "cost now        $116.07 a month\n"));
    assert_non_null(strstr(ai, "savings         $35.98 per month"));
    /* top 10 by default, the rest counted */
    assert_non_null(strstr(ct, "... and 6 more"));
    /* 80 columns, no colour */
    assert_true(widest_line(t) <= 80);
    assert_null(strchr(t, '\033'));
    free(t);
}

static void test_text_colour_and_width(void **state)
{
    fixture_t *f = *state;
    report_opts_t o;
    report_opts_init(&o);
    o.color = 1;
    o.width = 100;
    o.top = -1;
    char *t = render(f->p3, REPORT_TEXT, &o);
    assert_non_null(strstr(t, "\033[31mP1 "));
    assert_non_null(strstr(t, "\033[1m== Index advisor"));
    assert_true(widest_line(t) <= 100);
    assert_true(widest_line(t) > 80); /* the width is used, not ignored */
    assert_null(strstr(t, "more (all of them"));
    assert_non_null(strstr(t, "no summary (the report was made from phase3_output alone)"));
    free(t);
    o.width = 50;
    o.color = 0;
    t = render(f->p3, REPORT_TEXT, &o);
    assert_true(widest_line(t) <= 50);
    free(t);
}

/* An ORM rewrite is shown as a unified diff against the original lines,
 * numbered from the line they start at, line for line (Python's lines and
 * indentation are its syntax: the width never re-wraps code); its safety
 * condition is printed in full. */
static void test_code_verbatim(void **state)
{
    fixture_t *f = *state;
    json_t *p3 = json_deep_copy(f->p3);
    const char *longline = "        conn.execute(text(\"UPDATE orders SET status = 'shipped', "
                           "updated_at = now() WHERE id = :id\"), {\"id\": row.id})";
    char orig[512], code[512];
    snprintf(orig, sizeof orig, "    for row in rows:\n%s\n        conn.commit()", longline);
    snprintf(code, sizeof code, "    for row in rows:\n%s\n    conn.commit()", longline);
    json_t *rw = json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id", "orm-001", "file",
        "shop/worker.py", "line", 47, "type", "session_fix", "original", orig, "optimized", code,
        "explanation", "one COMMIT per row", "estimated_gain", "COMMIT ran 10 times", "priority",
        "P1", "original_line", 47, "safety", "conditional", "safety_condition",
        "the rows may be committed all or nothing: a failure at one row no longer keeps the "
        "rows before it");
    json_array_insert_new(json_object_get(json_object_get(p3, "query_rewriter"), "rewrites"), 0,
                          rw);
    report_opts_t o;
    report_opts_init(&o);
    o.width = 50;
    o.top = -1;
    char *t = render(p3, REPORT_TEXT, &o);
    char want[1200];
    snprintf(want, sizeof want,
             "     --- a/shop/worker.py\n"
             "     +++ b/shop/worker.py\n"
             "     @@ -47,3 +47,3 @@\n"
             "          for row in rows:\n"
             "      %s\n"
             "     -        conn.commit()\n"
             "     +    conn.commit()\n",
             longline);
    if (!strstr(t, want))
        printf("%s\n", t);
    assert_non_null(strstr(t, want));
    /* the condition in full, not cut to the evidence's two lines */
    assert_non_null(strstr(t, "no longer keeps\n     the rows before it."));
    assert_null(strstr(t, "$     for row in rows:"));
    free(t);
    json_decref(p3);
}

/* A path in a title or evidence is never cut in the middle: a line breaks
 * before it, or the path overflows the line; a rewrite without code says
 * why and shows no diff. */
static void test_path_not_cut(void **state)
{
    fixture_t *f = *state;
    json_t *p3 = json_deep_copy(f->p3);
    const char *path = "nova/api/openstack/compute/contrib/extended_server_attributes_v21.py";
    char expl[600];
    snprintf(expl, sizeof expl,
             "Customer.invoices is loaded lazily once per Customer (via score() in %s:12): one "
             "SELECT per row of the query at %s:40 and more words that run past two lines of "
             "the report",
             path, path);
    json_t *rw = json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:n, s:s, s:s, s:s, s:s, s:s}", "id", "orm-002", "file", path,
        "line", 40, "type", "n1_fix", "original", "    for c in customers:\n        score(c)\n",
        "optimized", "explanation", expl, "priority", "P2", "safety", "manual", "manual_reason",
        "a dynamic relationship cannot be eager-loaded", "estimated_gain", "no matching statement");
    json_array_insert_new(json_object_get(json_object_get(p3, "query_rewriter"), "rewrites"), 0,
                          rw);
    report_opts_t o;
    report_opts_init(&o);
    o.top = -1;
    for (int width = 40; width <= 120; width += 7) {
        o.width = width;
        char *t = render(p3, REPORT_TEXT, &o);
        /* every occurrence of the path's first part continues with all of it */
        int seen = 0;
        for (const char *at = strstr(t, "nova/"); at; at = strstr(at + 1, "nova/")) {
            if (strncmp(at, path, strlen(path)) != 0)
                printf("width %d: path cut at:\n%.120s\n", width, at);
            assert_int_equal(strncmp(at, path, strlen(path)), 0);
            seen++;
        }
        assert_true(seen >= 1);
        assert_non_null(strstr(t, "No code: a dynamic"));
        free(t);
    }
    json_decref(p3);
}

/* The index advisor's workload in time leads its section when present. */
static void test_workload_time(void **state)
{
    fixture_t *f = *state;
    json_t *p3 = json_deep_copy(f->p3);
    json_t *ev = json_object_get(json_object_get(p3, "index_advisor"), "evaluation");
    json_object_set_new(ev, "workload_time_ms", json_real(90000));
    json_object_set_new(ev, "workload_time_ms_after_estimated", json_real(22500));
    char *t = render(p3, REPORT_TEXT, NULL);
    const char *w = strstr(t, "  workload        1.5 min measured -> about 22.5 s (-75%)");
    const char *c = strstr(t, "  planner cost    calls x cost 4072670 -> 1610384 (-60%)");
    if (!w || !c)
        printf("%s\n", t);
    assert_true(w && c && w < c);
    free(t);
    json_decref(p3);
}

/* A verification section (coordinator/history/applied.h) renders in text and HTML:
 * the verdict first, the measured figures, the rollback when it did not
 * help; HTML escapes what the result carried. */
static void test_verification_section(void **state)
{
    fixture_t *f = *state;
    json_t *p3 = json_deep_copy(f->p3);
    json_object_set_new(
        p3, "verification",
        json_pack("{s:s, s:{s:i}, s:[{s:s, s:s, s:s, s:s, s:b, s:[s, s], s:{s:f, s:f, s:f, "
                  "s:f, s:f}}, {s:s, s:s, s:s, s:s, s:b, s:s, s:s}]}",
                  "result_timestamp", "2026-01-01T00:00:00Z", "history", "entries", 10, "items",
                  "id", "idx-001", "kind", "index", "title",
                  "CREATE INDEX CONCURRENTLY i ON public.orders (customer_id);", "verdict",
                  "helped", "applied", 1, "applied_between", "2026-01-01T00:01:00Z",
                  "2026-01-01T00:01:03Z", "measured", "mean_ms_before", 280.0, "mean_ms_after", 0.5,
                  "speedup", 560.0, "p_faster", 0.00002, "p_slower", 1.0, "id", "idx-002", "kind",
                  "index", "title", "CREATE INDEX i2 ON public.orders (note) <x>", "verdict",
                  "did not help", "applied", 1, "rollback",
                  "DROP INDEX CONCURRENTLY IF EXISTS public.i2;", "predicted", "3.0x faster"));
    char *t = render(p3, REPORT_TEXT, NULL);
    const char *h = strstr(t, "Applied advice: did it help?");
    const char *a = strstr(t, "helped: index CREATE INDEX CONCURRENTLY i ON public.orders");
    const char *b = strstr(t, "roll back with: DROP INDEX CONCURRENTLY IF EXISTS public.i2");
    if (!h || !a || !b)
        printf("%s\n", t);
    assert_true(h && a && b && h < a && a < b);
    /* Wrapped at the width: compare with the line breaks folded. */
    char *flat = strdup(t);
    size_t k = 0;
    for (size_t i = 0; t[i]; i++)
        if (!(isspace((unsigned char)t[i]) && k > 0 && flat[k - 1] == ' '))
            flat[k++] = isspace((unsigned char)t[i]) ? ' ' : t[i];
    flat[k] = 0;
    assert_non_null(strstr(flat, "280 ms -> 0.5 ms per call"));
    free(flat);
    assert_null(strstr(t, "customer_id);;"));
    free(t);
    char *html = render(p3, REPORT_HTML, NULL);
    assert_non_null(strstr(html, "<section id=\"verification\">"));
    assert_non_null(strstr(html, "(note) &lt;x&gt;"));
    assert_null(strstr(html, "(note) <x>"));
    free(html);
    json_decref(p3);
}

static void test_agents_missing(void **state)
{
    fixture_t *f = *state;
    json_t *p3 = json_deep_copy(f->p3);
    json_object_set_new(p3, "query_rewriter", json_null());
    json_object_set_new(p3, "status", json_string("partial"));
    json_t *fq = json_object_get(json_object_get(p3, "fleet"), "query_rewriter");
    json_object_set_new(fq, "status", json_string("timeout"));
    json_object_set_new(fq, "error", json_string("no RESULT within 120000 ms"));
    json_t *fa = json_object_get(json_object_get(p3, "fleet"), "ai_tuning");
    json_object_set_new(fa, "status", json_string("skipped"));
    json_object_set_new(p3, "ai_tuning", json_null());
    char *t = render(p3, REPORT_TEXT, NULL);
    assert_non_null(strstr(t, "no answer: timeout: no RESULT within 120000 ms"));
    assert_non_null(strstr(t, "2 of 3 answered (partial)"));
    assert_null(strstr(t, "== AI tuning advisor")); /* skipped: not asked for */
    free(t);
    /* html and sql say the same */
    t = render(p3, REPORT_HTML, NULL);
    assert_non_null(strstr(t, "the agent did not answer (timeout: no RESULT within 120000 ms)"));
    free(t);
    json_decref(p3);
}

static void test_malformed_sections(void **state)
{
    (void)state;
    const char *docs[] = {
        "{\"phase\":\"OPTIMIZE\",\"index_advisor\":{\"recommendations\":\"x\"},"
        "\"config_tuner\":{\"postgresql\":[1,2],\"per_table\":{}},\"fleet\":7}",
        "{\"phase\":\"OPTIMIZE\",\"index_advisor\":{\"recommendations\":[{},7,null,"
        "{\"priority\":\"P9\",\"create_statement\":\"CREATE INDEX x\"}]},"
        "\"ai_tuning\":{\"workload_analysis\":{\"peak_hours\":[1],"
        "\"evidence\":{\"peak_hours\":{\"hour_of_day_profile_utc\":[1,2]}}},"
        "\"predictions\":{\"evidence\":{\"database\":{\"size_bytes_now\":1,"
        "\"monthly_growth\":0.1,\"model\":\"linear\",\"window_to\":\"bad\"}}}},"
        "\"query_rewriter\":{\"rewrites\":[{\"sql_rewrite\":99}],\"sql_rewrites\":[3]}}",
        "{}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        json_t *d = json_loads(docs[i], 0, NULL);
        assert_non_null(d);
        for (int fmt = REPORT_JSON; fmt <= REPORT_SQL; fmt++) {
            char *t = render(d, (report_format_t)fmt, NULL);
            assert_non_null(t);
            free(t);
        }
        json_decref(d);
    }
    err_t err;
    json_t *arr = json_array();
    assert_int_equal(report_write(arr, REPORT_TEXT, stdout, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "not a JSON object"));
    json_decref(arr);
}

static void test_format_defaults(void **state)
{
    (void)state;
    report_format_t f;
    err_t err;
    assert_int_equal(report_format_parse("html", &f, &err), 0);
    assert_int_equal(f, REPORT_HTML);
    assert_int_equal(report_format_parse("pdf", &f, &err), -1);
    assert_non_null(strstr(err.msg, "'pdf'"));
    assert_int_equal(report_format_default(NULL, 1), REPORT_TEXT);
    assert_int_equal(report_format_default(NULL, 0), REPORT_JSON);
    assert_int_equal(report_format_default("-", 1), REPORT_TEXT);
    assert_int_equal(report_format_default("out.json", 1), REPORT_JSON);
    assert_int_equal(report_format_default("r.HTML", 0), REPORT_HTML);
    assert_int_equal(report_format_default("r.txt", 0), REPORT_TEXT);
    assert_int_equal(report_format_default("apply.sql", 0), REPORT_SQL);
    assert_int_equal(report_format_default("scripts/", 0), REPORT_SQL);
    assert_int_equal(report_format_default("result", 1), REPORT_JSON);
}

static void test_colour_decision_on_a_pty(void **state)
{
    (void)state;
    int master, slave;
    assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
    FILE *tty = fdopen(slave, "w");
    unsetenv("NO_COLOR");
    setenv("TERM", "xterm", 1);
    assert_int_equal(report_color_wanted(tty), 1);
    setenv("NO_COLOR", "1", 1);
    assert_int_equal(report_color_wanted(tty), 0);
    unsetenv("NO_COLOR");
    setenv("TERM", "dumb", 1);
    assert_int_equal(report_color_wanted(tty), 0);
    setenv("TERM", "xterm", 1);
    FILE *file = tmpfile();
    assert_int_equal(report_color_wanted(file), 0);
    fclose(file);
    fclose(tty);
    close(master);
}

static int run_cli(int argc, const char **argv)
{
    char *copy[16];
    for (int i = 0; i < argc; i++)
        copy[i] = strdup(argv[i]);
    copy[argc] = NULL;
    int rc = report_cli_main(argc, copy);
    for (int i = 0; i < argc; i++)
        free(copy[i]);
    return rc;
}

static void test_cli(void **state)
{
    (void)state;
    char dir[] = "/tmp/pgopt-report-cli-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char in[4200], snap[4200], out[4200], sqldir[4200], buf[4096];
    snprintf(in, sizeof in, "%s/tests/report/data/shop-phase3.json", getenv("PGOPT_SOURCE_DIR"));
    snprintf(snap, sizeof snap, "%s/tests/report/data/shop-snapshot.json",
             getenv("PGOPT_SOURCE_DIR"));
    snprintf(out, sizeof out, "%s/r.txt", dir);
    const char *a1[] = {"report", in, "--snapshot", snap, "-o", out};
    assert_int_equal(run_cli(6, a1), 0);
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_non_null(strstr(buf, "pgopt report - database shop")); /* .txt: text */
    snprintf(sqldir, sizeof sqldir, "%s/sql/", dir);
    const char *a2[] = {"report", in, "-o", sqldir};
    assert_int_equal(run_cli(4, a2), 0);
    snprintf(out, sizeof out, "%s/sql/apply.sql", dir);
    assert_int_equal(access(out, R_OK), 0);
    snprintf(out, sizeof out, "%s/sql/rollback.sql", dir);
    assert_int_equal(access(out, R_OK), 0);
    /* a device is written in place, never replaced by a file */
    const char *a7[] = {"report", in, "--format", "html", "-o", "/dev/null"};
    assert_int_equal(run_cli(6, a7), 0);
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    const char *a3[] = {"report", in, "--format", "pdf"};
    assert_int_equal(run_cli(4, a3), 2);
    const char *a4[] = {"report", "/nonexistent/x.json"};
    assert_int_equal(run_cli(2, a4), 1);
    const char *a5[] = {"report", snap}; /* a snapshot is not a phase3_output */
    assert_int_equal(run_cli(2, a5), 1);
    const char *a6[] = {"report"};
    assert_int_equal(run_cli(1, a6), 2);
    snprintf(buf, sizeof buf, "rm -rf '%s'", dir);
    assert_int_equal(system(buf), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_summary_from_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_structure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_text_colour_and_width, setup, teardown),
        cmocka_unit_test_setup_teardown(test_code_verbatim, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_not_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workload_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agents_missing, setup, teardown),
        cmocka_unit_test(test_malformed_sections),
        cmocka_unit_test(test_format_defaults),
        cmocka_unit_test(test_colour_decision_on_a_pty),
        cmocka_unit_test(test_cli),
        cmocka_unit_test_setup_teardown(test_verification_section, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
