/*
 * report_html.c - the HTML report: one self-contained file (inline CSS, a
 * few lines of inline JS to sort tables, inline SVG charts; no network, no
 * external asset), readable offline and attachable to a ticket.
 *
 * Charts draw only what the agents measured: load by hour of day and
 * statement clusters (ai_tuning.workload_analysis), the database size
 * forecast with its trigger dates (ai_tuning.predictions), each new index's
 * estimated time saved against its size (index_advisor) and settings before
 * and after (config_tuner). A chart without data says "no data" and why.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "coordinator/history/applied.h"
#include "coordinator/report/report_internal.h"
#include "proto/agents.h"

/* ---- escaping ---------------------------------------------------------------- */

/* Appends s with HTML's special characters escaped (every string in phase3_output came from a
 * worker and is untrusted). */
static void esc(strbuf_t *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            strbuf_add(b, "&lt;");
            break;
        case '>':
            strbuf_add(b, "&gt;");
            break;
        case '&':
            strbuf_add(b, "&amp;");
            break;
        case '"':
            strbuf_add(b, "&quot;");
            break;
        case '\'':
            strbuf_add(b, "&#39;");
            break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
                strbuf_add(b, " ");
            else
                strbuf_addn(b, s, 1);
        }
    }
}

static void tag_text(strbuf_t *b, const char *open, const char *text, const char *close)
{
    strbuf_add(b, open);
    esc(b, text);
    strbuf_add(b, close);
}

/* A unified diff (coordinator/report/textdiff.h) as a table cell: every line escaped,
 * removed and added lines marked, never re-wrapped (code). */
static void diff_html(strbuf_t *b, const char *diff)
{
    strbuf_add(b, "<td><pre class=\"diff\">");
    const char *p = diff;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *line = xstrndup(p, len);
        const char *cls = !strncmp(p, "---", 3) || !strncmp(p, "+++", 3) ? "file"
                          : *p == '-'                                    ? "del"
                          : *p == '+'                                    ? "add"
                          : *p == '@'                                    ? "hunk"
                                                                         : NULL;
        if (cls)
            strbuf_printf(b, "<span class=\"%s\">", cls);
        esc(b, line);
        strbuf_add(b, cls ? "</span>\n" : "\n");
        free(line);
        if (!nl)
            break;
        p = nl + 1;
    }
    strbuf_add(b, "</pre></td>");
}

/* ---- style and script --------------------------------------------------- */

static const char *const CSS =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;"
    "color:#1d2433;background:#f5f6f8}"
    "header{background:#1f3a5f;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}"
    "header p{margin:4px 0 0;opacity:.85}main{padding:8px 28px 40px;max-width:1280px}"
    "h2{margin:28px 0 8px;font-size:18px;border-bottom:2px solid #d5dae3;padding-bottom:4px}"
    "h3{margin:18px 0 6px;font-size:15px}"
    ".cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}"
    ".card{background:#fff;border:1px solid #d5dae3;border-radius:6px;padding:8px 14px;"
    "min-width:150px}.card b{display:block;font-size:12px;color:#5b6577;font-weight:600}"
    ".card span{font-size:16px}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:14px}"
    ".chart{background:#fff;border:1px solid #d5dae3;border-radius:6px;padding:10px 14px}"
    ".chart h3{margin:0 0 6px}.chart svg{width:100%;height:auto;display:block}"
    ".nodata{color:#8a5a00;background:#fff7e0;border:1px dashed #e0b95a;padding:10px;"
    "border-radius:4px}"
    "table{border-collapse:collapse;width:100%;background:#fff;margin:6px 0 10px;"
    "font-size:13px}th,td{border:1px solid #d5dae3;padding:5px 7px;vertical-align:top;"
    "text-align:left}th{background:#e9edf3;cursor:pointer;user-select:none;white-space:nowrap}"
    "th.sorted-asc::after{content:' \\25B2'}th.sorted-desc::after{content:' \\25BC'}"
    "td.num{text-align:right;white-space:nowrap}"
    "pre{margin:0;white-space:pre-wrap;word-break:break-word;font:12px/1.35 ui-monospace,"
    "SFMono-Regular,Menlo,Consolas,monospace;background:#f1f4f8;padding:4px 6px;"
    "border-radius:3px}"
    "pre.diff{white-space:pre;overflow-x:auto;word-break:normal}"
    ".diff .add{color:#17643a;background:#e3f6ea}.diff .del{color:#8e1d12;background:#fbe6e3}"
    ".diff .hunk{color:#2c6e9b}.diff .file{font-weight:600}.safety{margin-top:4px}"
    ".p1{color:#fff;background:#c0392b}.p2{color:#1d2433;background:#f1c40f}"
    ".p3{color:#fff;background:#2c7fb8}.p0{color:#1d2433;background:#dfe3ea}"
    ".prio{display:inline-block;padding:1px 6px;border-radius:3px;font-weight:600}"
    ".status-ok{color:#1e8449;font-weight:600}.status-bad{color:#c0392b;font-weight:600}"
    "ul.notes{margin:4px 0 0 18px;padding:0;color:#4a5568}"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}"
    "dl.facts dt{font-weight:600;color:#5b6577}dl.facts dd{margin:0}"
    "footer{color:#6b7385;font-size:12px;padding:0 28px 24px}";

/* Sorting: a click on a header sorts its table's body by that column
 * (data-v holds the sort key; numeric when every key parses). */
static const char *const JS =
    "(function(){\n"
    "function key(td){var v=td.getAttribute('data-v');return v===null?td.textContent:v;}\n"
    "document.querySelectorAll('table.sortable').forEach(function(table){\n"
    " var ths=table.querySelectorAll('thead th');\n"
    " ths.forEach(function(th,col){th.addEventListener('click',function(){\n"
    "  var body=table.tBodies[0];if(!body)return;\n"
    "  var rows=Array.prototype.slice.call(body.rows);\n"
    "  var asc=!th.classList.contains('sorted-asc');\n"
    "  var num=rows.every(function(r){var k=key(r.cells[col]);return k!==''&&!isNaN(+k);});\n"
    "  rows.sort(function(a,b){var x=key(a.cells[col]),y=key(b.cells[col]);\n"
    "   var c=num?(+x)-(+y):String(x).localeCompare(String(y));return asc?c:-c;});\n"
    "  ths.forEach(function(h){h.classList.remove('sorted-asc','sorted-desc');});\n"
    "  th.classList.add(asc?'sorted-asc':'sorted-desc');\n"
    "  rows.forEach(function(r){body.appendChild(r);});\n"
    " });});\n"
    "});\n"
    "document.documentElement.setAttribute('data-report-ready','1');\n"
    "})();\n";

/* ---- small helpers ---------------------------------------------------------- */

/* Appends an HTML summary card (label and value, both escaped; "no data" for
 * a NULL value) to b. */
static void card(strbuf_t *b, const char *label, const char *value)
{
    strbuf_add(b, "<div class=\"card\"><b>");
    esc(b, label);
    strbuf_add(b, "</b><span>");
    esc(b, value ? value : "no data");
    strbuf_add(b, "</span></div>");
}

/* A "No data" paragraph with the reason, where a chart or section has nothing to show. */
static void nodata(strbuf_t *b, const char *why)
{
    strbuf_add(b, "<p class=\"nodata\">No data");
    if (why && *why) {
        strbuf_add(b, ": ");
        esc(b, why);
    }
    strbuf_add(b, "</p>");
}

static void chart_open(strbuf_t *b, const char *id, const char *title)
{
    strbuf_printf(b, "<div class=\"chart\" id=\"%s\"><h3>", id);
    esc(b, title);
    strbuf_add(b, "</h3>");
}

/* Axis label numbers: 3 significant digits, SI suffix for big ones. */
static void num_label(double v, char out[32])
{
    double a = fabs(v);
    if (a >= 1e9)
        snprintf(out, 32, "%.3gG", v / 1e9);
    else if (a >= 1e6)
        snprintf(out, 32, "%.3gM", v / 1e6);
    else if (a >= 1e4)
        snprintf(out, 32, "%.3gk", v / 1e3);
    else
        snprintf(out, 32, "%.3g", v);
}

/* ---- charts ------------------------------------------------------------------------ */

/* SVG bar chart of the load by hour of day from ai_tuning's peak-hour evidence, peak hours in red,
 * the agent's threshold dashed; "no data" with the reason otherwise. */
static void chart_load_by_hour(strbuf_t *b, const json_t *ai)
{
    chart_open(b, "chart-load-by-hour", "Load by hour of day (UTC)");
    const json_t *ev = rj_path(ai, "workload_analysis.evidence.peak_hours");
    const json_t *prof = json_object_get(ev, "hour_of_day_profile_utc");
    if (json_array_size(prof) != 24) {
        nodata(b, !json_is_object(ai)     ? "the AI tuning advisor did not answer"
                  : rj_str(ev, "missing") ? rj_str(ev, "missing")
                                          : "no hour-of-day profile in the output");
        strbuf_add(b, "</div>");
        return;
    }
    double v[24], max = 0, thr = NAN;
    for (int h = 0; h < 24; h++) {
        const json_t *x = json_array_get(prof, (size_t)h);
        v[h] = json_is_number(x) ? json_number_value(x) : NAN;
        if (isfinite(v[h]) && v[h] > max)
            max = v[h];
    }
    rj_num(ev, "threshold", &thr);
    if (max <= 0)
        max = 1;
    const double W = 640, H = 240, L = 50, R = 10, T = 10, B = 40;
    const double pw = W - L - R, ph = H - T - B, bw = pw / 24;
    strbuf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"load by hour\">", W,
                  H);
    for (int k = 0; k <= 4; k++) {
        double y = T + ph - ph * k / 4;
        char lab[32];
        num_label(max * k / 4, lab);
        strbuf_printf(b,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e7ee\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
                      "fill=\"#5b6577\">%s</text>",
                      L, y, W - R, y, L - 4, y + 3, lab);
    }
    for (int h = 0; h < 24; h++) {
        if (!isfinite(v[h]))
            continue;
        double hgt = ph * v[h] / max;
        int peak = isfinite(thr) && v[h] > thr;
        strbuf_printf(b,
                      "<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                      "fill=\"%s\"><title>%02d:00 UTC: %.4g</title></rect>",
                      peak ? " peak" : "", L + h * bw + 1, T + ph - hgt, bw - 2, hgt,
                      peak ? "#c0392b" : "#2c7fb8", h, v[h]);
        if (h % 3 == 0)
            strbuf_printf(b,
                          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\" "
                          "fill=\"#5b6577\">%02d</text>",
                          L + h * bw + bw / 2, T + ph + 14, h);
    }
    if (isfinite(thr))
        strbuf_printf(b,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#c0392b\" "
                      "stroke-dasharray=\"4 3\"/>",
                      L, T + ph - ph * thr / max, W - R, T + ph - ph * thr / max);
    strbuf_add(b, "<text x=\"50\" y=\"234\" font-size=\"11\" fill=\"#5b6577\">");
    esc(b, rj_str(ev, "metric") ? rj_str(ev, "metric") : "load");
    strbuf_add(b, "</text></svg>");
    const json_t *ph_list = rj_path(ai, "workload_analysis.peak_hours");
    strbuf_add(b, "<p>Peak hours: ");
    size_t i;
    const json_t *x;
    json_array_foreach(ph_list, i, x)
    {
        if (i)
            strbuf_add(b, ", ");
        esc(b, json_string_value(x));
    }
    if (!json_array_size(ph_list))
        strbuf_add(b, "none above the threshold");
    strbuf_add(b, " (UTC), in red; dashed: the agent's peak threshold.</p></div>");
}

/* SVG chart of the statement clusters by share of execution time
 * (ai_tuning.workload_analysis.query_clusters). */
static void chart_clusters(strbuf_t *b, const json_t *ai)
{
    chart_open(b, "chart-clusters", "Statement clusters by share of execution time");
    const json_t *qc = rj_path(ai, "workload_analysis.query_clusters");
    size_t n = json_array_size(qc);
    if (!n) {
        const json_t *ev = rj_path(ai, "workload_analysis.evidence.query_clusters");
        nodata(b, !json_is_object(ai)     ? "the AI tuning advisor did not answer"
                  : rj_str(ev, "missing") ? rj_str(ev, "missing")
                                          : "no clusters in the output");
        strbuf_add(b, "</div>");
        return;
    }
    /* largest share first */
    size_t order[64];
    size_t m = n < 64 ? n : 64;
    for (size_t i = 0; i < m; i++)
        order[i] = i;
    for (size_t i = 1; i < m; i++) {
        size_t k = order[i], j = i;
        double sk = 0, sj;
        rj_num(json_array_get(qc, k), "time_share", &sk);
        while (j > 0) {
            sj = 0;
            rj_num(json_array_get(qc, order[j - 1]), "time_share", &sj);
            if (sj >= sk)
                break;
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    const double W = 640, rowh = 26, L = 230, R = 60;
    double H = 16 + rowh * (double)m;
    strbuf_printf(
        b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"statement clusters\">", W, H);
    for (size_t r = 0; r < m; r++) {
        const json_t *c = json_array_get(qc, order[r]);
        double share = 0, stmts = 0, mean = NAN, calls = NAN;
        rj_num(c, "time_share", &share);
        rj_num(c, "statements", &stmts);
        rj_num(c, "mean_ms", &mean);
        rj_num(c, "calls", &calls);
        double y = 8 + rowh * (double)r;
        char lab[160], sh[32];
        snprintf(lab, sizeof lab, "%s (%.0f stmt)",
                 rj_str(c, "label") ? rj_str(c, "label") : "cluster", stmts);
        r_fmt_share(share, sh);
        strbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">", L - 6,
                      y + 14);
        esc(b, lab);
        strbuf_printf(
            b,
            "</text><rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" "
            "fill=\"#6c5ce7\"><title>",
            L, y + 2, fmax(1, (W - L - R) * share));
        esc(b, rj_str(c, "description") ? rj_str(c, "description") : lab);
        strbuf_printf(b,
                      "</title></rect><text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
                      "fill=\"#1d2433\">%s</text>",
                      L + fmax(1, (W - L - R) * share) + 4, y + 15, sh);
    }
    strbuf_add(b, "</svg></div>");
}

/* months since the epoch-like origin, for forecast math */
static int parse_date(const char *s, double *epoch_s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (!s || sscanf(s, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *epoch_s = (double)timegm(&tm);
    return 0;
}

/* SVG chart of the database size forecast with its scaling trigger dates (ai_tuning.predictions).
 */
static void chart_growth(strbuf_t *b, const json_t *ai)
{
    chart_open(b, "chart-growth", "Database size forecast and scaling triggers");
    const json_t *p = json_object_get(ai, "predictions");
    const json_t *db = rj_path(p, "evidence.database");
    double now = NAN, g = NAN, t0 = NAN;
    rj_num(db, "size_bytes_now", &now);
    rj_num(db, "monthly_growth", &g);
    const char *model = rj_str(db, "model");
    if (!isfinite(now) || !isfinite(g) || !model || parse_date(rj_str(db, "window_to"), &t0) != 0) {
        nodata(b, !json_is_object(ai)        ? "the AI tuning advisor did not answer"
                  : rj_str(p, "growth_rate") ? rj_str(p, "growth_rate")
                  : rj_str(db, "status")     ? rj_str(db, "status")
                                             : "no growth fit in the output");
        strbuf_add(b, "</div>");
        return;
    }
    const int months = 24;
    int expo = !strcmp(model, "exponential");
    double ys[25], ymax = 0;
    for (int m = 0; m <= months; m++) {
        ys[m] = expo ? now * pow(1 + g, m) : now * (1 + g * m);
        if (ys[m] > ymax)
            ymax = ys[m];
    }
    const double W = 640, H = 250, L = 64, R = 14, T = 12, B = 44;
    const double pw = W - L - R, ph = H - T - B;
    strbuf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"growth forecast\">",
                  W, H);
    for (int k = 0; k <= 4; k++) {
        double y = T + ph - ph * k / 4;
        char lab[32];
        r_fmt_bytes(ymax * k / 4, lab);
        strbuf_printf(b,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e7ee\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
                      "fill=\"#5b6577\">%s</text>",
                      L, y, W - R, y, L - 4, y + 3, lab);
    }
    strbuf_add(b, "<polyline fill=\"none\" stroke=\"#1e8449\" stroke-width=\"2\" points=\"");
    for (int m = 0; m <= months; m++)
        strbuf_printf(b, "%.1f,%.1f ", L + pw * m / months, T + ph - ph * ys[m] / ymax);
    strbuf_add(b, "\"/>");
    for (int m = 0; m <= months; m += 6) {
        time_t t = (time_t)(t0 + m * 30.0 * 86400);
        struct tm tm;
        gmtime_r(&t, &tm);
        char lab[16];
        strftime(lab, sizeof lab, "%Y-%m", &tm);
        strbuf_printf(b,
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"%s\" "
                      "fill=\"#5b6577\">%s</text>",
                      L + pw * m / months, T + ph + 14, m == months ? "end" : "middle", lab);
    }
    /* trigger dates the agent computed */
    int ntrig = 0;
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(p, "scaling_triggers"), i, t)
    {
        double td;
        if (parse_date(rj_str(t, "date"), &td) != 0)
            continue;
        double m = (td - t0) / (30.0 * 86400);
        if (m < 0 || m > months)
            continue;
        double x = L + pw * m / months;
        strbuf_printf(b,
                      "<line class=\"trigger\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                      "stroke=\"#c0392b\" stroke-dasharray=\"5 3\"/><text x=\"%.1f\" y=\"%.1f\" "
                      "font-size=\"10\" fill=\"#c0392b\">",
                      x, T, x, T + ph, x + 3, T + 12 + 12 * ntrig);
        esc(b, rj_str(t, "resource") ? rj_str(t, "resource") : "trigger");
        strbuf_add(b, " ");
        esc(b, rj_str(t, "date"));
        strbuf_add(b, "</text>");
        ntrig++;
    }
    strbuf_add(b, "<text x=\"64\" y=\"244\" font-size=\"11\" fill=\"#5b6577\">");
    char lab[256];
    snprintf(lab, sizeof lab, "%s fit, %.1f%% per month, from %s; dashed red: trigger dates", model,
             g * 100, rj_str(db, "window_to"));
    esc(b, lab);
    strbuf_add(b, "</text></svg><p>Growth: ");
    esc(b, rj_str(p, "growth_rate"));
    strbuf_add(b, ". Scaling trigger: ");
    esc(b, rj_str(p, "scaling_trigger") ? rj_str(p, "scaling_trigger") : "no data");
    strbuf_add(b, ".</p></div>");
}

/* SVG chart of each new index's estimated time saved against its size
 * (index_advisor.recommendations). */
static void chart_index_impact(strbuf_t *b, const json_t *ia)
{
    chart_open(b, "chart-index-impact", "New indexes: estimated time saved vs storage");
    const json_t *recs = json_object_get(ia, "recommendations");
    size_t n = json_array_size(recs);
    double xmax = 0, ymax = 0;
    size_t usable = 0;
    size_t i;
    const json_t *r;
    json_array_foreach(recs, i, r)
    {
        double sz, saved;
        if (rj_num(r, "storage_bytes", &sz) &&
            rj_num(json_object_get(r, "evidence"), "estimated_time_saved_ms", &saved)) {
            xmax = fmax(xmax, sz);
            ymax = fmax(ymax, saved);
            usable++;
        }
    }
    if (!usable) {
        nodata(b, !json_is_object(ia) ? "the index advisor did not answer"
                  : n                 ? "the recommendations carry no size or time estimate"
                                      : "no index to create");
        strbuf_add(b, "</div>");
        return;
    }
    /* headroom, so that the largest point and its label stay inside */
    xmax = xmax > 0 ? xmax * 1.15 : 1;
    ymax = ymax > 0 ? ymax * 1.1 : 1;
    const double W = 640, H = 250, L = 64, R = 20, T = 14, B = 44;
    const double pw = W - L - R, ph = H - T - B;
    strbuf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"index impact\">", W,
                  H);
    for (int k = 0; k <= 4; k++) {
        double y = T + ph - ph * k / 4, x = L + pw * k / 4;
        char ly[32], lx[32];
        r_fmt_ms(ymax * k / 4, ly);
        r_fmt_bytes(xmax * k / 4, lx);
        strbuf_printf(b,
                      "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e7ee\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
                      "fill=\"#5b6577\">%s</text>"
                      "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\" "
                      "fill=\"#5b6577\">%s</text>",
                      L, y, W - R, y, L - 4, y + 3, ly, x, T + ph + 14, lx);
    }
    json_array_foreach(recs, i, r)
    {
        double sz, saved;
        if (!rj_num(r, "storage_bytes", &sz) ||
            !rj_num(json_object_get(r, "evidence"), "estimated_time_saved_ms", &saved))
            continue;
        const char *pr = rj_str(r, "priority");
        const char *fill = pr && !strcmp(pr, "P1")   ? "#c0392b"
                           : pr && !strcmp(pr, "P2") ? "#e1a500"
                                                     : "#2c7fb8";
        double x = L + pw * sz / xmax, y = T + ph - ph * saved / ymax;
        strbuf_printf(b,
                      "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\"><title>",
                      x, y, fill);
        char tip[512], sb[32], tb[32];
        r_fmt_bytes(sz, sb);
        r_fmt_ms(saved, tb);
        snprintf(tip, sizeof tip, "%s %s: %s saved, %s, %s", rj_str(r, "id") ? rj_str(r, "id") : "",
                 rj_str(r, "table") ? rj_str(r, "table") : "", tb, sb,
                 rj_str(r, "estimated_improvement") ? rj_str(r, "estimated_improvement") : "");
        esc(b, tip);
        strbuf_printf(b, "</title></circle><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">", x + 8,
                      y + 4);
        esc(b, rj_str(r, "id"));
        strbuf_add(b, "</text>");
    }
    strbuf_add(b, "<text x=\"64\" y=\"244\" font-size=\"11\" fill=\"#5b6577\">x: estimated size; "
                  "y: execution time saved over the measured window; colour: priority</text>"
                  "</svg></div>");
}

/* "128MB" -> bytes, "9709kB", "4GB", "200", "1.1" -> value; unit class in *mem. */
static int parse_setting(const char *s, double *v, int *mem)
{
    if (!s)
        return -1;
    char *end;
    double x = strtod(s, &end);
    if (end == s || !isfinite(x))
        return -1;
    while (*end == ' ')
        end++;
    double mul = 1;
    *mem = 1;
    if (!strcmp(end, "kB"))
        mul = 1024;
    else if (!strcmp(end, "MB"))
        mul = 1024.0 * 1024;
    else if (!strcmp(end, "GB"))
        mul = 1024.0 * 1024 * 1024;
    else if (!strcmp(end, "TB"))
        mul = 1024.0 * 1024 * 1024 * 1024;
    else if (!*end)
        *mem = 0;
    else
        return -1; /* ms, s, min, ...: not drawn against bytes */
    *v = x * mul;
    return 0;
}

/* SVG chart of the changed numeric settings, current against recommended
 * (config_tuner.postgresql). */
static void chart_config(strbuf_t *b, const json_t *ct)
{
    chart_open(b, "chart-config", "Settings before and after (changed, numeric)");
    typedef struct {
        const char *name, *cur, *rec;
        double a, b;
        int mem;
    } row_t;
    row_t rows[48];
    int n = 0;
    const char *gname, *name;
    const json_t *g, *v;
    json_object_foreach((json_t *)json_object_get(ct, "postgresql"), gname, g)
    {
        json_object_foreach((json_t *)g, name, v)
        {
            if (n >= 48 || !json_is_object(v) || !json_is_true(json_object_get(v, "change")))
                continue;
            row_t r = {name, rj_str(v, "current"), rj_str(v, "recommended"), 0, 0, 0};
            int m1, m2;
            if (parse_setting(r.cur, &r.a, &m1) != 0 || parse_setting(r.rec, &r.b, &m2) != 0 ||
                m1 != m2)
                continue;
            r.mem = m1;
            rows[n++] = r;
        }
    }
    if (!n) {
        nodata(b, !json_is_object(ct) ? "the config tuner did not answer"
                                      : "no numeric setting changes recommended");
        strbuf_add(b, "</div>");
        return;
    }
    const double W = 640, rowh = 34, L = 190, R = 90;
    double H = 30 + rowh * n;
    strbuf_printf(
        b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"config before after\">", W, H);
    for (int i = 0; i < n; i++) {
        double mx = fmax(rows[i].a, rows[i].b);
        if (mx <= 0)
            mx = 1;
        double y = 6 + rowh * i, pw = W - L - R;
        strbuf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">", L - 6,
                      y + 18);
        esc(b, rows[i].name);
        strbuf_printf(b,
                      "</text><rect class=\"before\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                      "height=\"12\" fill=\"#95a5a6\"/><text x=\"%.1f\" y=\"%.1f\" "
                      "font-size=\"10\">",
                      L, y + 2, fmax(1, pw * rows[i].a / mx), L + fmax(1, pw * rows[i].a / mx) + 4,
                      y + 12);
        esc(b, rows[i].cur);
        strbuf_printf(b,
                      "</text><rect class=\"after\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                      "height=\"12\" fill=\"#1e8449\"/><text x=\"%.1f\" y=\"%.1f\" "
                      "font-size=\"10\">",
                      L, y + 16, fmax(1, pw * rows[i].b / mx), L + fmax(1, pw * rows[i].b / mx) + 4,
                      y + 26);
        esc(b, rows[i].rec);
        strbuf_add(b, "</text>");
    }
    strbuf_printf(b,
                  "<rect x=\"190\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"#95a5a6\"/>"
                  "<text x=\"204\" y=\"%.1f\" font-size=\"11\">current</text>"
                  "<rect x=\"270\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"#1e8449\"/>"
                  "<text x=\"284\" y=\"%.1f\" font-size=\"11\">recommended (each row to its own "
                  "scale)</text></svg></div>",
                  H - 18, H - 9, H - 18, H - 9);
}

/* ---- sections ---------------------------------------------------------------- */

/* The report's head: the analysed snapshot's cards (database, server, contents, host, redaction),
 * the source, and the table of which agents answered. */
static void summary(strbuf_t *b, const json_t *p3, const report_opts_t *o)
{
    const json_t *s = o->snapshot_summary;
    char buf[256], t1[32];
    strbuf_add(b, "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">");
    card(b, "Database", s ? rj_str(s, "database") : NULL);
    card(b, "PostgreSQL", s ? rj_str(s, "server_version") : NULL);
    card(b, "Snapshot", s ? rj_str(s, "collected_at") : NULL);
    static const char *const keys[] = {"statements", "tables", "indexes", "history_entries"};
    static const char *const names[] = {"Statements", "Tables", "Indexes", "History entries"};
    for (int i = 0; i < 4; i++) {
        long long n = r_summary_count(s, keys[i]);
        snprintf(buf, sizeof buf, "%lld", n);
        card(b, names[i], n >= 0 ? buf : NULL);
    }
    if (o->total_ms >= 0) {
        r_fmt_ms((double)o->total_ms, t1);
        card(b, "Took", t1);
    }
    double cms = (double)o->collect_ms;
    if (cms < 0 && s)
        rj_num(s, "collection_ms", &cms);
    if (cms >= 0) {
        r_fmt_ms(cms, t1);
        card(b, "Collection", t1);
    }
    card(b, "Status", rj_str(p3, "status"));
    double lits = 0;
    if (s && rj_num(json_object_get(s, "redaction"), "literals", &lits) && lits > 0) {
        snprintf(buf, sizeof buf, "%.0f secret literal(s)", lits);
        card(b, "Redacted", buf);
    }
    strbuf_add(b, "</div>");
    if (o->source) {
        strbuf_add(b, "<p>Analysed: ");
        esc(b, o->source);
        strbuf_add(b, "</p>");
    }
    if (!s)
        strbuf_add(b, "<p class=\"nodata\">No snapshot summary: this report was made from "
                      "phase3_output alone.</p>");
    /* which agents answered */
    strbuf_add(b, "<table id=\"fleet\" class=\"sortable\"><thead><tr><th>Agent</th><th>Status</th>"
                  "<th>Time (ms)</th><th>Attempts</th><th>Worker</th><th>Error</th></tr></thead>"
                  "<tbody>");
    const json_t *fleet = json_object_get(p3, "fleet");
    for (int a = 0; a < AGENT_COUNT; a++) {
        const json_t *f = json_object_get(fleet, AGENTS[a].name);
        const char *st = rj_str(f, "status");
        double ms = -1, att = -1;
        rj_num(f, "elapsed_ms", &ms);
        rj_num(f, "attempts", &att);
        strbuf_add(b, "<tr><td>");
        esc(b, AGENTS[a].name);
        strbuf_printf(b, "</td><td class=\"%s\">",
                      st && !strcmp(st, "ok") ? "status-ok" : "status-bad");
        esc(b, st ? st : "not in the output");
        if (ms >= 0)
            strbuf_printf(b, "</td><td class=\"num\" data-v=\"%.0f\">%.0f", ms, ms);
        else
            strbuf_add(b, "</td><td class=\"num\" data-v=\"\">");
        strbuf_add(b, "</td><td class=\"num\">");
        if (att >= 0)
            strbuf_printf(b, "%.0f", att);
        strbuf_add(b, "</td><td>");
        esc(b, rj_str(f, "worker"));
        strbuf_add(b, "</td><td>");
        esc(b, rj_str(f, "error"));
        strbuf_add(b, "</td></tr>");
    }
    strbuf_add(b, "</tbody></table>");
    const json_t *notes = json_object_get(s, "notes");
    if (json_array_size(notes)) {
        strbuf_add(b, "<h3>Collection notes</h3><ul class=\"notes\">");
        size_t i;
        const json_t *n;
        json_array_foreach(notes, i, n)
        {
            tag_text(b, "<li>", json_string_value(n), "</li>");
        }
        strbuf_add(b, "</ul>");
    }
    strbuf_add(b, "</section>");
}

static void fact(strbuf_t *b, const char *label, const char *value)
{
    tag_text(b, "<dt>", label, "</dt>");
    tag_text(b, "<dd>", value ? value : "no data", "</dd>");
}

/* An agent section's facts list (workload, profile, evaluation...), as in the text report. */
static void agent_facts(strbuf_t *b, const char *agent, const json_t *s)
{
    char line[1024], b1[32], b2[32];
    strbuf_add(b, "<dl class=\"facts\">");
    if (!strcmp(agent, "ai_tuning")) {
        const json_t *wa = json_object_get(s, "workload_analysis");
        fact(b, "Workload", rj_str(wa, "classification"));
        const json_t *ce = rj_path(wa, "evidence.classification");
        if (rj_str(ce, "method"))
            fact(b, "Classified by", rj_str(ce, "method"));
        const json_t *p = json_object_get(s, "predictions");
        fact(b, "Growth", rj_str(p, "growth_rate"));
        fact(b, "Scaling trigger", rj_str(p, "scaling_trigger"));
        const json_t *as = rj_path(s, "ml_insights.auto_scaling");
        if (rj_str(as, "scale_up_when")) {
            fact(b, "Scale up when", rj_str(as, "scale_up_when"));
            fact(b, "Scale down when", rj_str(as, "scale_down_when"));
        } else {
            fact(b, "Auto-scaling", rj_str(as, "status"));
        }
        const json_t *co = json_object_get(s, "cost_optimization");
        fact(b, "Cost now (monthly)", rj_str(co, "current_monthly"));
        fact(b, "Projected savings", rj_str(co, "projected_savings"));
        if (rj_str(co, "assumptions"))
            fact(b, "Cost assumptions", rj_str(co, "assumptions"));
    } else if (!strcmp(agent, "config_tuner")) {
        const json_t *w = json_object_get(s, "workload");
        if (rj_str(w, "profile")) {
            snprintf(line, sizeof line, "%s (%s)", rj_str(w, "profile"),
                     rj_str(w, "why") ? rj_str(w, "why") : "");
            fact(b, "Profile", line);
        }
        const json_t *rr = json_object_get(s, "restart_required");
        strbuf_t names = {0};
        size_t i;
        const json_t *v;
        json_array_foreach(rr, i, v)
        {
            strbuf_printf(&names, "%s%s", i ? ", " : "",
                          json_string_value(v) ? json_string_value(v) : "?");
        }
        fact(b, "Needs a restart", names.len ? strbuf_str(&names) : "none");
        strbuf_free(&names);
    } else if (!strcmp(agent, "index_advisor")) {
        const json_t *e = json_object_get(s, "evaluation");
        double before, after, used, budget;
        if (r_fmt_workload_time(e, line, sizeof line))
            fact(b, "Workload time", line);
        if (rj_num(e, "workload_cost_before", &before) &&
            rj_num(e, "workload_cost_after", &after) && before > 0) {
            snprintf(line, sizeof line, "%.0f -> %.0f (-%.0f%%), %s", before, after,
                     100 * (before - after) / before,
                     rj_str(e, "method") ? rj_str(e, "method") : "method not stated");
            fact(b, "Workload planner cost", line);
        }
        if (rj_num(e, "storage_used_bytes", &used) && rj_num(e, "storage_budget_bytes", &budget)) {
            r_fmt_bytes(used, b1);
            r_fmt_bytes(budget, b2);
            snprintf(line, sizeof line, "%s of a %s budget", b1, b2);
            fact(b, "New index storage", line);
        }
    } else if (!strcmp(agent, "query_rewriter")) {
        snprintf(line, sizeof line, "%zu rewrites, %zu SQL rewrites",
                 json_array_size(json_object_get(s, "rewrites")),
                 json_array_size(json_object_get(s, "sql_rewrites")));
        fact(b, "Found", line);
    }
    strbuf_add(b, "</dl>");
}

/* One agent's section: its heading, why there is no answer when there is none, else its facts,
 * a sortable table of all its items (priority, gain, kind, evidence, the change) and its notes. */
static void agent_section(strbuf_t *b, const json_t *p3, const char *agent, const char *title)
{
    const json_t *s = json_object_get(p3, agent);
    const json_t *f = json_object_get(json_object_get(p3, "fleet"), agent);
    strbuf_printf(b, "<section id=\"agent-%s\" class=\"agent\"><h2>", agent);
    esc(b, title);
    strbuf_add(b, "</h2>");
    if (!json_is_object(s)) {
        char why[1024];
        snprintf(why, sizeof why, "the agent did not answer (%s%s%s)",
                 rj_str(f, "status") ? rj_str(f, "status") : "not in the output",
                 rj_str(f, "error") ? ": " : "", rj_str(f, "error") ? rj_str(f, "error") : "");
        nodata(b, why);
        strbuf_add(b, "</section>");
        return;
    }
    agent_facts(b, agent, s);
    ritems_t l;
    ritems_collect(s, agent, &l);
    if (!l.n) {
        strbuf_add(b, "<p>No recommendations.</p>");
    } else {
        strbuf_printf(b,
                      "<table class=\"sortable recs\" id=\"recs-%s\"><thead><tr><th>#</th>"
                      "<th>Priority</th><th>Gain</th><th>Kind</th><th>Recommendation</th>"
                      "<th>Evidence</th><th>Apply</th></tr></thead><tbody>",
                      agent);
        for (size_t i = 0; i < l.n; i++) {
            const ritem_t *it = &l.items[i];
            strbuf_printf(b, "<tr><td class=\"num\" data-v=\"%zu\">%zu</td>", i + 1, i + 1);
            if (it->priority)
                strbuf_printf(b, "<td data-v=\"%d\"><span class=\"prio p%d\">P%d</span></td>",
                              it->priority, it->priority, it->priority);
            else
                strbuf_add(b, "<td data-v=\"9\"><span class=\"prio p0\">-</span></td>");
            if (it->gain >= 0)
                strbuf_printf(b, "<td class=\"num\" data-v=\"%.6g\">", it->gain);
            else
                strbuf_add(b, "<td class=\"num\" data-v=\"-1\">");
            esc(b, it->gain_text ? it->gain_text : "");
            strbuf_add(b, "</td>");
            tag_text(b, "<td>", it->kind, "</td>");
            tag_text(b, "<td>", it->title, "</td>");
            strbuf_add(b, "<td>");
            esc(b, it->evidence);
            if (it->safety)
                tag_text(b, "<div class=\"safety\">", it->safety, "</div>");
            strbuf_add(b, "</td>");
            if (it->diff)
                diff_html(b, it->diff);
            else if (it->apply)
                tag_text(b, "<td><pre>", it->apply, "</pre></td>");
            else
                strbuf_add(b, "<td></td>");
            strbuf_add(b, "</tr>");
        }
        strbuf_add(b, "</tbody></table>");
    }
    ritems_free(&l);
    const json_t *notes = r_notes(s);
    if (notes && json_array_size(notes)) {
        strbuf_add(b, "<h3>Notes</h3><ul class=\"notes\">");
        size_t i;
        const json_t *n;
        json_array_foreach(notes, i, n)
        {
            if (json_is_string(n))
                tag_text(b, "<li>", json_string_value(n), "</li>");
        }
        strbuf_add(b, "</ul>");
    }
    strbuf_add(b, "</section>");
}

int report_html_write(const json_t *phase3, FILE *out, const report_opts_t *o, err_t *err)
{
    strbuf_t b = {0};
    const json_t *s = o->snapshot_summary;
    const char *db = s ? rj_str(s, "database") : NULL;
    strbuf_add(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">"
                   "<title>pgopt report");
    if (db) {
        strbuf_add(&b, " - ");
        esc(&b, db);
    }
    strbuf_printf(&b, "</title><style>%s</style></head><body><header><h1>pgopt report", CSS);
    if (db) {
        strbuf_add(&b, ": ");
        esc(&b, db);
    }
    strbuf_add(&b, "</h1><p>");
    esc(&b, rj_str(phase3, "phase") ? rj_str(phase3, "phase") : "OPTIMIZE");
    strbuf_add(&b, " &middot; ");
    esc(&b, rj_str(phase3, "timestamp") ? rj_str(phase3, "timestamp") : "time unknown");
    strbuf_add(&b, "</p></header><main>");
    summary(&b, phase3, o);
    strbuf_add(&b, "<section id=\"charts\"><h2>Charts</h2><div class=\"charts\">");
    const json_t *ai = json_object_get(phase3, "ai_tuning");
    chart_load_by_hour(&b, ai);
    chart_clusters(&b, ai);
    chart_growth(&b, ai);
    chart_index_impact(&b, json_object_get(phase3, "index_advisor"));
    chart_config(&b, json_object_get(phase3, "config_tuner"));
    strbuf_add(&b, "</div></section>");
    for (int a = 0; a < AGENT_COUNT; a++)
        agent_section(&b, phase3, AGENTS[a].name, AGENTS[a].title);
    const json_t *ver = json_object_get(phase3, "verification");
    if (json_is_object(ver)) {
        strbuf_add(&b, "<section id=\"verification\"><h2>Applied advice: did it help?</h2><ul>");
        size_t i;
        const json_t *it;
        json_array_foreach(json_object_get(ver, "items"), i, it)
        {
            strbuf_t line = {0};
            applied_item_text(it, &line);
            strbuf_add(&b, "<li>");
            esc(&b, strbuf_str(&line));
            strbuf_add(&b, "</li>");
            strbuf_free(&line);
        }
        if (json_array_size(json_object_get(ver, "items")) == 0)
            strbuf_add(&b, "<li>no earlier recommendation to check</li>");
        strbuf_add(&b, "</ul></section>");
    }
    strbuf_add(&b, "</main><footer>Generated by pgopt ");
    esc(&b, o->version ? o->version : PGOPT_VERSION);
    strbuf_add(&b, ". Every figure comes from the agents' output (phase3_output JSON); "
                   "click a column header to sort a table.</footer><script>");
    strbuf_add(&b, JS);
    strbuf_add(&b, "</script></body></html>\n");
    int rc = fputs(strbuf_str(&b), out) < 0 || fflush(out) != 0
                 ? err_set(err, "html report: write error: %s", strerror(errno ? errno : EIO))
                 : 0;
    strbuf_free(&b);
    return rc;
}
