/*
 * test_report_html.c - the HTML report rendered by headless Chromium:
 * no console messages (errors or otherwise), the inline script ran, the key
 * elements are in the rendered DOM, the charts have their marks, nothing
 * is loaded from outside the file, and a screenshot is written.
 *
 * Input: the recorded shop run (data/shop-phase3.json) with its ai_tuning
 * section replaced by the real agent's analysis of a synthetic 8-day history
 * with planted peaks and growth (tests/ai_tuning/synth_history.c), so every
 * chart has data; and a document with no agent answers, where every chart
 * must say "No data".
 *
 * Chromium: $PGOPT_CHROMIUM, else chromium or chromium-browser on PATH
 * (Debian: apt-get install chromium). Without one the test is skipped
 * (exit 77, SKIP_RETURN_CODE) and says so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coordinator/report/report.h"
#include "synth_history.h"
#include "workers/ai_tuning/ai_tuning.h"

static char g_dir[] = "/tmp/pgopt-report-html-XXXXXX";
static char g_chromium[1024];

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    if (len)
        *len = got;
    return buf;
}

static int find_chromium(void)
{
    const char *env = getenv("PGOPT_CHROMIUM");
    if (env && *env) {
        snprintf(g_chromium, sizeof g_chromium, "%s", env);
        return access(g_chromium, X_OK) == 0 ? 0 : -1;
    }
    const char *names[] = {"chromium", "chromium-browser"};
    const char *path = getenv("PATH");
    char *copy = strdup(path ? path : "/usr/bin:/bin");
    for (int k = 0; k < 2; k++) {
        char *save = NULL;
        char *p = strdup(copy);
        for (char *d = strtok_r(p, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
            snprintf(g_chromium, sizeof g_chromium, "%s/%s", d, names[k]);
            if (access(g_chromium, X_OK) == 0) {
                free(p);
                free(copy);
                return 0;
            }
        }
        free(p);
    }
    free(copy);
    return -1;
}

static json_t *load_data(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/report/data/%s", getenv("PGOPT_SOURCE_DIR"), name);
    json_error_t je;
    json_t *d = json_load_file(path, 0, &je);
    if (!d)
        fail_msg("%s: %s", path, je.text);
    return d;
}

static void write_html(const json_t *p3, const json_t *summary, const char *path)
{
    report_opts_t o;
    report_opts_init(&o);
    o.snapshot_summary = summary;
    o.source = "tests/report/data/shop-phase3.json + synthetic history";
    err_t err;
    if (report_write_path(p3, REPORT_HTML, path, &o, &err) != 0)
        fail_msg("%s", err.msg);
}

/* Runs Chromium on file; mode "--dump-dom" (DOM to out) or "--screenshot=PNG".
 * Its log goes to log. */
static void chromium(const char *file, const char *mode, const char *out, const char *log)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "timeout 120 '%s' --headless --no-sandbox --disable-gpu --disable-quic "
             "--no-first-run --disable-background-networking --disable-component-update "
             "--disable-sync --user-data-dir='%s/profile' --enable-logging=stderr --v=0 "
             "--window-size=1280,2400 %s 'file://%s' >'%s' 2>'%s'",
             g_chromium, g_dir, mode, file, out, log);
    int rc = system(cmd);
    if (rc != 0) {
        char *l = slurp(log, NULL);
        fail_msg("chromium failed (%d): %s\n%s", rc, cmd, l ? l : "");
    }
}

static void assert_no_console(const char *log)
{
    char *l = slurp(log, NULL);
    assert_non_null(l);
    if (strstr(l, "CONSOLE") || strstr(l, "Uncaught"))
        fail_msg("console output while rendering:\n%s", l);
    free(l);
}

/* The text between id="id" and the next id=" of a chart's div. */
static char *element(const char *dom, const char *id)
{
    char needle[128];
    snprintf(needle, sizeof needle, "id=\"%s\"", id);
    const char *s = strstr(dom, needle);
    if (!s)
        fail_msg("no element %s in the DOM", id);
    const char *e = strstr(s + strlen(needle), "class=\"chart\"");
    if (!e)
        e = strstr(s, "</section>");
    return strndup(s, e ? (size_t)(e - s) : strlen(s));
}

static void test_full_report(void **state)
{
    (void)state;
    synth_opts_t so;
    synth_opts_init(&so);
    so.days = 8;
    so.step_s = 600;
    so.statements = 16;
    so.seed = 7;
    synth_truth_t truth;
    json_t *snap = synth_history(&so, &truth);
    json_t *ai = NULL;
    err_t err;
    if (ai_tuning_analyze(snap, NULL, NULL, NULL, &ai, &err) != 0)
        fail_msg("ai_tuning: %s", err.msg);
    json_decref(snap);
    /* the planted diurnal profile must have been found, or the chart is empty */
    assert_true(json_array_size(
                    json_object_get(json_object_get(ai, "workload_analysis"), "peak_hours")) > 0);

    json_t *p3 = load_data("shop-phase3.json");
    json_object_set_new(p3, "ai_tuning", ai);
    json_t *shop = load_data("shop-snapshot.json");
    json_t *summary = report_snapshot_summary(shop);
    json_decref(shop);
    char html[4200], dom[4200], log[4200], png[4200];
    snprintf(html, sizeof html, "%s/report.html", g_dir);
    snprintf(dom, sizeof dom, "%s/dom.html", g_dir);
    snprintf(log, sizeof log, "%s/chromium.log", g_dir);
    snprintf(png, sizeof png, "%s/report.png", g_dir);
    write_html(p3, summary, html);
    json_decref(p3);
    json_decref(summary);

    /* self-contained: nothing fetched from anywhere */
    char *src = slurp(html, NULL);
    assert_non_null(src);
    assert_null(strstr(src, "src=\""));
    assert_null(strstr(src, "<link"));
    assert_null(strstr(src, "url("));
    assert_null(strstr(src, "@import"));
    free(src);

    chromium(html, "--dump-dom", dom, log);
    assert_no_console(log);
    char *d = slurp(dom, NULL);
    assert_non_null(d);
    assert_non_null(strstr(d, "data-report-ready=\"1\"")); /* the inline script ran */
    assert_non_null(strstr(d, "<h1>pgopt report: shop</h1>"));
    assert_non_null(strstr(d, "id=\"summary\""));
    assert_non_null(strstr(d, "id=\"fleet\""));
    assert_non_null(strstr(d, "id=\"recs-index_advisor\""));
    assert_non_null(strstr(d, "id=\"recs-config_tuner\""));
    assert_non_null(strstr(d, "id=\"recs-ai_tuning\""));
    assert_non_null(strstr(d, "CREATE INDEX CONCURRENTLY idx_orders_customer_id"));
    char *c = element(d, "chart-load-by-hour");
    assert_non_null(strstr(c, "class=\"bar peak\""));
    assert_non_null(strstr(c, "class=\"bar\""));
    assert_null(strstr(c, "No data"));
    free(c);
    c = element(d, "chart-clusters");
    assert_non_null(strstr(c, "<rect class=\"bar\""));
    free(c);
    c = element(d, "chart-growth");
    assert_non_null(strstr(c, "<polyline"));
    assert_null(strstr(c, "No data"));
    free(c);
    c = element(d, "chart-index-impact");
    assert_non_null(strstr(c, "<circle class=\"point\""));
    free(c);
    c = element(d, "chart-config");
    assert_non_null(strstr(c, "class=\"after\""));
    assert_non_null(strstr(c, "shared_buffers"));
    free(c);
    free(d);

    char mode[4300];
    snprintf(mode, sizeof mode, "--screenshot='%s'", png);
    chromium(html, mode, "/dev/null", log);
    assert_no_console(log);
    size_t n = 0;
    char *img = slurp(png, &n);
    assert_non_null(img);
    assert_true(n > 20000);
    assert_memory_equal(img, "\x89PNG\r\n\x1a\n", 8);
    free(img);
    const char *keep = getenv("PGOPT_REPORT_SCREENSHOT");
    if (keep && *keep) {
        char cmd[8600];
        snprintf(cmd, sizeof cmd, "cp '%s' '%s' && cp '%s' '%s.html'", png, keep, html, keep);
        assert_int_equal(system(cmd), 0);
    }
}

static void test_no_data(void **state)
{
    (void)state;
    json_t *p3 = json_pack(
        "{s:s, s:s, s:s, s:n, s:n, s:n, s:n, s:{s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s}, s:{s:s}}}",
        "phase", "OPTIMIZE", "timestamp", "2026-01-01T00:00:00Z", "status", "failed",
        "index_advisor", "query_rewriter", "config_tuner", "ai_tuning", "fleet", "index_advisor",
        "status", "timeout", "error", "no RESULT within 1000 ms", "query_rewriter", "status",
        "unavailable", "error", "no live instance", "config_tuner", "status", "error", "ai_tuning",
        "status", "unavailable");
    char html[4200], dom[4200], log[4200];
    snprintf(html, sizeof html, "%s/empty.html", g_dir);
    snprintf(dom, sizeof dom, "%s/empty-dom.html", g_dir);
    snprintf(log, sizeof log, "%s/empty.log", g_dir);
    write_html(p3, NULL, html);
    json_decref(p3);
    chromium(html, "--dump-dom", dom, log);
    assert_no_console(log);
    char *d = slurp(dom, NULL);
    assert_non_null(strstr(d, "data-report-ready=\"1\""));
    static const char *const charts[] = {"chart-load-by-hour", "chart-clusters", "chart-growth",
                                         "chart-index-impact", "chart-config"};
    for (int i = 0; i < 5; i++) {
        char *c = element(d, charts[i]);
        if (!strstr(c, "No data: the"))
            fail_msg("%s does not say why it has no data", charts[i]);
        assert_null(strstr(c, "<svg"));
        free(c);
    }
    assert_non_null(strstr(d, "the agent did not answer (timeout: no RESULT within 1000 ms)"));
    assert_non_null(strstr(d, "No snapshot summary"));
    free(d);
}

/* An ORM rewrite's change is the same unified diff as in the text report,
 * every line escaped (application code may hold markup), removed and added
 * lines marked; the safety condition is shown with the evidence. */
static void test_orm_diff(void **state)
{
    (void)state;
    json_t *rw = json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:[s]}", "id", "qry-001", "file",
        "app/views.py", "line", 12, "type", "n1_fix", "original",
        "    for a in q:\n        out.append(a.books)", "optimized",
        "    for a in q.options(selectinload(A.books)):\n        out.append(a.books)"
        "  # <script>alert(1)</script>",
        "explanation", "lazy", "priority", "P2", "original_line", 12, "safety", "conditional",
        "safety_condition", "x < y & z", "imports", "from sqlalchemy.orm import selectinload");
    json_t *p3 =
        json_pack("{s:s, s:s, s:s, s:n, s:{s:[o]}, s:n, s:n}", "phase", "OPTIMIZE", "timestamp",
                  "2026-01-01T00:00:00Z", "status", "partial", "index_advisor", "query_rewriter",
                  "rewrites", rw, "config_tuner", "ai_tuning");
    char html[4200];
    snprintf(html, sizeof html, "%s/orm.html", g_dir);
    write_html(p3, NULL, html);
    json_decref(p3);
    char *h = slurp(html, NULL);
    assert_non_null(h);
    const char *want[] = {
        "<pre class=\"diff\"><span class=\"file\">--- a/app/views.py</span>",
        "<span class=\"hunk\">@@ -12,2 +12,2 @@</span>",
        "<span class=\"del\">-    for a in q:</span>",
        "<span class=\"add\">+    for a in q.options(selectinload(A.books)):</span>",
        "<span class=\"add\">+        out.append(a.books)  # &lt;script&gt;alert(1)&lt;/script&gt;"
        "</span>",
        "<div class=\"safety\">Safe only if x &lt; y &amp; z. Add to the imports: from "
        "sqlalchemy.orm import selectinload</div>"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(h, want[i]))
            fail_msg("the HTML report lacks %s", want[i]);
    assert_null(strstr(h, "<script>alert"));
    free(h);
}

static int group_setup(void **state)
{
    (void)state;
    if (!mkdtemp(g_dir))
        return -1;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    if (find_chromium() != 0) {
        fprintf(stderr, "report_html: SKIPPED - no Chromium (set PGOPT_CHROMIUM or install "
                        "Debian's chromium package)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_report),
        cmocka_unit_test(test_no_data),
        cmocka_unit_test(test_orm_diff),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
