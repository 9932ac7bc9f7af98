/*
 * report_text.c - the terminal report: a summary, then per agent the top
 * recommendations (priority, then gain), each with one or two lines of
 * evidence and the command or code to apply. Every line fits the width
 * (80 columns unless told otherwise); colour only when the caller asks.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coordinator/history/applied.h"
#include "coordinator/report/report_internal.h"
#include "proto/agents.h"

#define C_RESET  "\033[0m"
#define C_BOLD   "\033[1m"
#define C_DIM    "\033[2m"
#define C_RED    "\033[31m"
#define C_YELLOW "\033[33m"
#define C_CYAN   "\033[36m"
#define C_GREEN  "\033[32m"

typedef struct {
    FILE *out;
    int width;
    int color;
    int top;
} tctx_t;

static const char *col(const tctx_t *t, const char *code)
{
    return t->color ? code : "";
}

/* Display columns of n bytes of UTF-8 (continuation bytes take none; ANSI
 * colour sequences "ESC [ ... m" take none). */
static size_t columns(const char *s, size_t n)
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

/* Bytes of s that fit in cols columns (never splitting a UTF-8 sequence). */
static size_t fit_bytes(const char *s, size_t n, size_t cols)
{
    size_t c = 0, i = 0;
    while (i < n) {
        size_t k = 1;
        while (i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
            k++;
        if (c + 1 > cols)
            break;
        c++;
        i += k;
    }
    return i;
}

/* Source code as it is, line for line (Python's lines and indentation are
 * its syntax: re-wrapping would change the code a user copies). Control
 * characters other than newline and tab print as spaces. */
static void code_lines(const tctx_t *t, const char *text, const char *first_indent,
                       const char *indent, const char *pre, const char *post)
{
    const char *p = text;
    const char *ind = first_indent;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        fputs(ind, t->out);
        fputs(pre, t->out);
        for (size_t i = 0; i < len; i++)
            fputc((unsigned char)p[i] < 0x20 && p[i] != '\t' ? ' ' : p[i], t->out);
        fputs(post, t->out);
        fputc('\n', t->out);
        if (!nl || !nl[1])
            return;
        p = nl + 1;
        ind = indent;
    }
}

/* A unified diff (coordinator/report/textdiff.h), line for line like code: removed
 * lines red, added green, hunk headers cyan when colour is on. */
static void diff_lines(const tctx_t *t, const char *diff)
{
    const char *p = diff;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *c = "";
        if (len >= 3 && (!strncmp(p, "---", 3) || !strncmp(p, "+++", 3)))
            c = col(t, C_BOLD);
        else if (*p == '-')
            c = col(t, C_RED);
        else if (*p == '+')
            c = col(t, C_GREEN);
        else if (*p == '@')
            c = col(t, C_CYAN);
        fputs("     ", t->out);
        fputs(c, t->out);
        for (size_t i = 0; i < len; i++)
            fputc((unsigned char)p[i] < 0x20 && p[i] != '\t' ? ' ' : p[i], t->out);
        fputs(*c ? col(t, C_RESET) : "", t->out);
        fputc('\n', t->out);
        if (!nl)
            break;
        p = nl + 1;
    }
}

/* Whether the word of s (n bytes) around byte at is a path: it holds a '/'
 * (a file path, a URL). */
static int pathlike(const char *s, size_t n, size_t at)
{
    size_t b = at, e = at;
    while (b > 0 && s[b - 1] != ' ')
        b--;
    while (e < n && s[e] != ' ')
        e++;
    return memchr(s + b, '/', e - b) != NULL;
}

/*
 * Word-wraps text into lines of at most width columns: the first line starts
 * with first_indent, the others with indent. With quote_aware, spaces inside
 * '...' or "..." are not break points (a broken SQL literal would change its
 * value). Words longer than a line are cut. At most max_lines lines
 * (0 = unlimited); a cut last line ends in "...". Control characters other
 * than newline print as spaces. pre/post wrap every line (colour).
 */
static void wrap(const tctx_t *t, const char *text, const char *first_indent, const char *indent,
                 int max_lines, int quote_aware, const char *pre, const char *post)
{
    if (!text)
        return;
    size_t width = (size_t)t->width;
    int lines = 0;
    const char *p = text;
    const char *ind = first_indent;
    while (*p || lines == 0) {
        /* one source line at a time */
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *s = p;
        size_t rest = len;
        do {
            size_t room = width > columns(ind, strlen(ind)) ? width - columns(ind, strlen(ind)) : 1;
            size_t take;
            if (columns(s, rest) <= room) {
                take = rest;
            } else {
                size_t limit = fit_bytes(s, rest, room);
                /* last break point within limit, outside quotes */
                size_t brk = 0;
                char q = 0;
                for (size_t i = 0; i <= limit && i < rest; i++) {
                    if (quote_aware && (s[i] == '\'' || s[i] == '"')) {
                        if (!q)
                            q = s[i];
                        else if (q == s[i])
                            q = 0;
                    }
                    if (!q && s[i] == ' ' && i > 0)
                        brk = i;
                }
                take = brk ? brk : limit;
                if (!brk && !quote_aware && pathlike(s, rest, 0)) {
                    /* a path is never cut: it overflows the line (copied
                     * or searched for, a cut path names nothing) */
                    take = limit;
                    while (take < rest && s[take] != ' ')
                        take++;
                }
                if (!brk && quote_aware) {
                    /* a command: a word longer than the line overflows it
                     * rather than being cut (copied back, a cut word is a
                     * different command) */
                    take = limit;
                    while (take < rest && s[take] != ' ')
                        take++;
                }
                if (take == 0)
                    take = 1;
            }
            int last = max_lines && lines + 1 == max_lines;
            int more = (take < rest) || (nl && nl[1]);
            fputs(ind, t->out);
            fputs(pre, t->out);
            if (last && more) {
                size_t cut = fit_bytes(s, take, room > 3 ? room - 3 : 0);
                if (cut < take && pathlike(s, take, cut)) {
                    /* the "..." goes before the path, or after all of it */
                    size_t w = cut;
                    while (w > 0 && s[w - 1] != ' ')
                        w--;
                    if (w > 0) {
                        cut = w;
                        while (cut > 0 && s[cut - 1] == ' ')
                            cut--;
                    } else {
                        while (cut < take && s[cut] != ' ')
                            cut++;
                    }
                }
                for (size_t i = 0; i < cut; i++)
                    fputc((unsigned char)s[i] < 0x20 ? ' ' : s[i], t->out);
                fputs("...", t->out);
            } else {
                for (size_t i = 0; i < take; i++)
                    fputc((unsigned char)s[i] < 0x20 ? ' ' : s[i], t->out);
            }
            fputs(post, t->out);
            fputc('\n', t->out);
            lines++;
            if (last && more)
                return;
            s += take;
            rest -= take;
            while (rest && *s == ' ') {
                s++;
                rest--;
            }
            ind = indent;
        } while (rest);
        if (!nl)
            break;
        p = nl + 1;
    }
}

/* Prints a section heading "== title ===" filled with '=' to the text width
 * (bold when colour is on). */
static void heading(const tctx_t *t, const char *title)
{
    size_t n = columns(title, strlen(title));
    fprintf(t->out, "\n%s== %s ", col(t, C_BOLD), title);
    for (size_t i = n + 4; i < (size_t)t->width; i++)
        fputc('=', t->out);
    fprintf(t->out, "%s\n", col(t, C_RESET));
}

/* "label: value" wrapped with the value's continuation under the value. */
static void field(const tctx_t *t, const char *label, const char *value)
{
    char first[64], ind[64];
    snprintf(first, sizeof first, "  %-16s", label);
    snprintf(ind, sizeof ind, "  %-16s", "");
    wrap(t, value ? value : "no data", first, ind, 0, 0, "", "");
}

/* The snapshot's lines of the summary: server, time, contents, redaction. */
static void summary_snapshot(const tctx_t *t, const json_t *s)
{
    char line[1024];
    snprintf(line, sizeof line, "PostgreSQL %s",
             rj_str(s, "server_version") ? rj_str(s, "server_version") : "(version not collected)");
    field(t, "server", line);
    field(t, "snapshot", rj_str(s, "collected_at") ? rj_str(s, "collected_at") : "time unknown");
    strbuf_t c = {0};
    static const char *const keys[] = {"statements", "tables",     "indexes",
                                       "settings",   "code_files", "history_entries"};
    static const char *const names[] = {"statements", "tables",     "indexes",
                                        "settings",   "code files", "history entries"};
    for (int i = 0; i < 6; i++) {
        long long n = r_summary_count(s, keys[i]);
        if (n >= 0)
            strbuf_printf(&c, "%s%lld %s", c.len ? ", " : "", n, names[i]);
    }
    if (r_summary_count(s, "history_entries") < 0)
        strbuf_printf(&c, "%sno history", c.len ? ", " : "");
    field(t, "contents", c.len ? strbuf_str(&c) : "no counts in the snapshot");
    strbuf_free(&c);
    /* Say that texts were redacted: a reader comparing with
     * pg_stat_statements would otherwise wonder. */
    const json_t *red = json_object_get(s, "redaction");
    double lits = 0, stmts = 0;
    if (rj_num(red, "literals", &lits) && lits > 0) {
        rj_num(red, "statements", &stmts);
        snprintf(line, sizeof line,
                 "%.0f secret literal(s) in %.0f statement text(s) replaced by '<redacted>' "
                 "at collection",
                 lits, stmts);
        field(t, "redacted", line);
    }
}

/* The summary's host line (CPUs, RAM, storage, cloud), when the snapshot
 * has host facts. */
static void summary_host(const tctx_t *t, const json_t *s)
{
    char b[32];
    const json_t *h = json_object_get(s, "host");
    if (h) {
        double cpus = NAN, mem = NAN;
        rj_num(h, "cpus", &cpus);
        rj_num(h, "memory_bytes", &mem);
        strbuf_t hb = {0};
        if (isfinite(cpus))
            strbuf_printf(&hb, "%.0f CPUs", cpus);
        if (isfinite(mem)) {
            r_fmt_bytes(mem, b);
            strbuf_printf(&hb, "%s%s RAM", hb.len ? ", " : "", b);
        }
        if (rj_str(h, "storage"))
            strbuf_printf(&hb, "%s%s storage", hb.len ? ", " : "", rj_str(h, "storage"));
        const json_t *cl = json_object_get(h, "cloud");
        if (rj_str(cl, "provider"))
            strbuf_printf(&hb, "%s%s %s", hb.len ? ", " : "", rj_str(cl, "provider"),
                          rj_str(cl, "instance_class") ? rj_str(cl, "instance_class") : "");
        if (hb.len)
            field(t, "host", strbuf_str(&hb));
        strbuf_free(&hb);
    }
}

/* The summary's "took" line: the whole run, the collection and the slowest
 * agent, each when measured. */
static void summary_took(const tctx_t *t, const json_t *p3, const json_t *s, const report_opts_t *o)
{
    char b[32];
    strbuf_t tb = {0};
    if (o->total_ms >= 0) {
        r_fmt_ms((double)o->total_ms, b);
        strbuf_printf(&tb, "%s in total", b);
    }
    double cms = (double)o->collect_ms;
    if (cms < 0 && s)
        rj_num(s, "collection_ms", &cms);
    if (cms >= 0) {
        r_fmt_ms(cms, b);
        strbuf_printf(&tb, "%scollection %s", tb.len ? ", " : "", b);
    }
    const json_t *fleet = json_object_get(p3, "fleet");
    double slowest = -1;
    const char *k;
    const json_t *f;
    json_object_foreach((json_t *)fleet, k, f)
    {
        double ms;
        if (rj_num(f, "elapsed_ms", &ms) && ms > slowest)
            slowest = ms;
    }
    if (slowest >= 0) {
        r_fmt_ms(slowest, b);
        strbuf_printf(&tb, "%sslowest agent %s", tb.len ? ", " : "", b);
    }
    field(t, "took", tb.len ? strbuf_str(&tb) : "not measured");
    strbuf_free(&tb);
}

/* The summary's "agents" line: how many of those asked answered, and each
 * one's time or status. */
static void summary_agents(const tctx_t *t, const json_t *p3)
{
    char b[32], line[1024];
    const json_t *fleet = json_object_get(p3, "fleet");
    strbuf_t ab = {0};
    int answered = 0, asked = 0;
    for (int i = 0; i < AGENT_COUNT; i++) {
        const json_t *fa = json_object_get(fleet, AGENTS[i].name);
        const char *st = rj_str(fa, "status");
        if (!st || !strcmp(st, "skipped"))
            continue;
        asked++;
        answered += !strcmp(st, "ok");
        double ms = -1;
        rj_num(fa, "elapsed_ms", &ms);
        r_fmt_ms(ms, b);
        strbuf_printf(&ab, "%s%s %s", ab.len ? ", " : "", AGENTS[i].name,
                      !strcmp(st, "ok") ? b : st);
    }
    snprintf(line, sizeof line, "%d of %d answered (%s): %s", answered, asked,
             rj_str(p3, "status") ? rj_str(p3, "status") : "status unknown", strbuf_str(&ab));
    field(t, "agents", line);
    strbuf_free(&ab);
}

/* The report's head: what was analysed, the snapshot, the host, the time
 * taken, the agents' answers and the collection's notes. */
static void summary(const tctx_t *t, const json_t *p3, const report_opts_t *o)
{
    const json_t *s = o->snapshot_summary;
    fprintf(t->out, "%spgopt report%s", col(t, C_BOLD), col(t, C_RESET));
    if (s && rj_str(s, "database"))
        fprintf(t->out, " - database %s", rj_str(s, "database"));
    fputc('\n', t->out);
    if (o->source)
        field(t, "analysed", o->source);
    if (s) {
        summary_snapshot(t, s);
        summary_host(t, s);
    } else {
        field(t, "snapshot", "no summary (the report was made from phase3_output alone)");
    }
    summary_took(t, p3, s, o);
    summary_agents(t, p3);
    const json_t *notes = json_object_get(s, "notes");
    size_t i;
    const json_t *n;
    json_array_foreach(notes, i, n)
    {
        field(t, i ? "" : "collection", json_string_value(n));
    }
}

/* An agent section's notes (what it could not do and why), when it has any. */
static void notes(const tctx_t *t, const json_t *section)
{
    const json_t *n = r_notes(section);
    if (!n || !json_array_size(n))
        return;
    fprintf(t->out, "  %sNotes%s\n", col(t, C_BOLD), col(t, C_RESET));
    size_t i;
    const json_t *v;
    json_array_foreach(n, i, v)
    {
        if (json_is_string(v))
            wrap(t, json_string_value(v), "  - ", "    ", 0, 0, "", "");
    }
}

/* An agent's items, numbered with their priority tag, title, evidence and the change to make: the
 * first --top (10 by default; all when negative), then how many more there are; "No <what>." when
 * none. */
static void items(const tctx_t *t, const ritems_t *l, const char *what)
{
    if (!l->n) {
        fprintf(t->out, "  No %s.\n", what);
        return;
    }
    size_t shown = t->top < 0 ? l->n : (size_t)(t->top ? t->top : 10);
    if (shown > l->n)
        shown = l->n;
    for (size_t i = 0; i < shown; i++) {
        const ritem_t *it = &l->items[i];
        char num[16], tag[16] = "", first[64], rest_ind[16];
        snprintf(num, sizeof num, "%2zu.", i + 1);
        const char *pc = it->priority == 1 ? C_RED : it->priority == 2 ? C_YELLOW : C_CYAN;
        if (it->priority)
            snprintf(tag, sizeof tag, "P%d ", it->priority);
        snprintf(first, sizeof first, "%s %s%s%s", num, col(t, pc), tag, col(t, C_RESET));
        snprintf(rest_ind, sizeof rest_ind, "%*s", (int)(strlen(num) + 1 + strlen(tag)), "");
        strbuf_t title = {0};
        strbuf_printf(&title, "%s [%s]", it->title ? it->title : "?", it->kind ? it->kind : "");
        wrap(t, strbuf_str(&title), first, rest_ind, 2, 0, col(t, C_BOLD), col(t, C_RESET));
        strbuf_free(&title);
        if (it->evidence && *it->evidence)
            wrap(t, it->evidence, "     ", "     ", 2, 0, "", "");
        /* what an ORM rewrite is safe under is never cut short */
        if (it->safety)
            wrap(t, it->safety, "     ", "     ", 0, 0, "", "");
        if (it->diff)
            diff_lines(t, it->diff);
        else if (it->apply && *it->apply && it->apply_is_code)
            code_lines(t, it->apply, "     $ ", "       ", col(t, C_GREEN), col(t, C_RESET));
        else if (it->apply && *it->apply)
            wrap(t, it->apply, "     $ ", "       ", 0, 1, col(t, C_GREEN), col(t, C_RESET));
    }
    if (shown < l->n) {
        char more[160];
        snprintf(more, sizeof more,
                 "... and %zu more (all of them in --format html or json, or with a larger "
                 "--top)",
                 l->n - shown);
        wrap(t, more, "  ", "  ", 0, 0, col(t, C_DIM), col(t, C_RESET));
    }
}

/* The ai_tuning section's facts: workload class and time, peak hours, query clusters, growth and
 * scaling trigger, auto-scaling, cost now. */
static void ai_facts(const tctx_t *t, const json_t *s)
{
    const json_t *wa = json_object_get(s, "workload_analysis");
    char b1[32], b2[32], line[2048];
    const char *cls = rj_str(wa, "classification");
    const json_t *ce = rj_path(wa, "evidence.classification");
    double an = NAN, tr = NAN;
    rj_num(ce, "analytical_time_share", &an);
    rj_num(ce, "transactional_time_share", &tr);
    if (cls && isfinite(an) && isfinite(tr)) {
        r_fmt_share(an, b1);
        r_fmt_share(tr, b2);
        snprintf(line, sizeof line, "%s (%s of execution time analytical, %s transactional)", cls,
                 b1, b2);
        field(t, "workload", line);
    } else {
        field(t, "workload", cls);
    }
    const json_t *ph = json_object_get(wa, "peak_hours");
    strbuf_t b = {0};
    size_t i;
    const json_t *v;
    json_array_foreach(ph, i, v)
    {
        strbuf_printf(&b, "%s%s", i ? ", " : "", json_string_value(v) ? json_string_value(v) : "?");
    }
    if (b.len)
        strbuf_add(&b, " UTC");
    else
        strbuf_printf(&b, "no data: %s",
                      rj_str(rj_path(wa, "evidence.peak_hours"), "missing")
                          ? rj_str(rj_path(wa, "evidence.peak_hours"), "missing")
                          : "none found");
    field(t, "peak hours", strbuf_str(&b));
    strbuf_free(&b);
    const json_t *qc = json_object_get(wa, "query_clusters");
    if (json_array_size(qc)) {
        const json_t *big = NULL;
        double best = -1;
        json_array_foreach(qc, i, v)
        {
            double sh;
            if (rj_num(v, "time_share", &sh) && sh > best) {
                best = sh;
                big = v;
            }
        }
        r_fmt_share(best, b1);
        snprintf(line, sizeof line, "%zu; the largest, \"%s\", takes %s of execution time",
                 json_array_size(qc), big && rj_str(big, "label") ? rj_str(big, "label") : "?", b1);
        field(t, "query clusters", line);
    } else {
        field(t, "query clusters", "no data");
    }
    const json_t *p = json_object_get(s, "predictions");
    field(t, "growth", rj_str(p, "growth_rate"));
    field(t, "scaling trigger", rj_str(p, "scaling_trigger"));
    const json_t *as = rj_path(s, "ml_insights.auto_scaling");
    if (rj_str(as, "scale_up_when"))
        field(t, "scale up when", rj_str(as, "scale_up_when"));
    else
        field(t, "auto-scaling", rj_str(as, "status"));
    const json_t *co = json_object_get(s, "cost_optimization");
    /* each on its own line: either may be an "unknown: why" sentence */
    const char *now = rj_str(co, "current_monthly"), *savings = rj_str(co, "projected_savings");
    if (now && strncmp(now, "unknown", 7) != 0) {
        snprintf(line, sizeof line, "%s%s", now, now[0] == '$' ? " a month" : "");
        field(t, "cost now", line);
    } else if (now) {
        field(t, "cost now", now);
    }
    if (savings)
        field(t, "savings", savings);
}

/* The config_tuner section's facts: the workload profile and why, the settings that need a restart.
 */
static void config_facts(const tctx_t *t, const json_t *s)
{
    const json_t *w = json_object_get(s, "workload");
    if (rj_str(w, "profile")) {
        char line[1024];
        snprintf(line, sizeof line, "%s (%s)", rj_str(w, "profile"),
                 rj_str(w, "why") ? rj_str(w, "why") : "no reason given");
        field(t, "profile", line);
    }
    const json_t *rr = json_object_get(s, "restart_required");
    if (json_array_size(rr)) {
        strbuf_t b = {0};
        size_t i;
        const json_t *v;
        json_array_foreach(rr, i, v)
        {
            strbuf_printf(&b, "%s%s", i ? ", " : "",
                          json_string_value(v) ? json_string_value(v) : "?");
        }
        field(t, "needs restart", strbuf_str(&b));
        strbuf_free(&b);
    }
}

/* The index advisor's facts: the workload's time, planner cost before and after the
 * recommendations, and the new storage against the budget. */
static void index_facts(const tctx_t *t, const json_t *s)
{
    const json_t *e = json_object_get(s, "evaluation");
    double before, after, used, budget;
    char line[512], b1[32], b2[32];
    if (r_fmt_workload_time(e, line, sizeof line))
        field(t, "workload", line);
    if (rj_num(e, "workload_cost_before", &before) && rj_num(e, "workload_cost_after", &after) &&
        before > 0) {
        snprintf(line, sizeof line, "calls x cost %.0f -> %.0f (-%.0f%%) by %s", before, after,
                 100 * (before - after) / before, rj_str(e, "method") ? rj_str(e, "method") : "?");
        field(t, "planner cost", line);
    }
    if (rj_num(e, "storage_used_bytes", &used) && rj_num(e, "storage_budget_bytes", &budget)) {
        r_fmt_bytes(used, b1);
        r_fmt_bytes(budget, b2);
        snprintf(line, sizeof line, "%s of a %s budget", b1, b2);
        field(t, "new storage", line);
    }
}

int report_text_write(const json_t *phase3, FILE *out, const report_opts_t *o, err_t *err)
{
    (void)err;
    tctx_t t = {out, o->width > 20 ? o->width : 80, o->color, o->top};
    summary(&t, phase3, o);
    const json_t *fleet = json_object_get(phase3, "fleet");
    for (int a = 0; a < AGENT_COUNT; a++) {
        const char *agent = AGENTS[a].name;
        const json_t *section = json_object_get(phase3, agent);
        const json_t *fa = json_object_get(fleet, agent);
        const char *st = rj_str(fa, "status");
        if (st && !strcmp(st, "skipped"))
            continue;
        heading(&t, AGENTS[a].title);
        if (!json_is_object(section)) {
            char line[1024];
            snprintf(line, sizeof line, "no answer: %s%s%s", st ? st : "not in the output",
                     rj_str(fa, "error") ? ": " : "",
                     rj_str(fa, "error") ? rj_str(fa, "error") : "");
            wrap(&t, line, "  ", "  ", 0, 0, col(&t, C_RED), col(&t, C_RESET));
            continue;
        }
        if (!strcmp(agent, "ai_tuning"))
            ai_facts(&t, section);
        else if (!strcmp(agent, "config_tuner"))
            config_facts(&t, section);
        else if (!strcmp(agent, "index_advisor"))
            index_facts(&t, section);
        ritems_t l;
        ritems_collect(section, agent, &l);
        items(&t, &l, AGENTS[a].found);
        ritems_free(&l);
        notes(&t, section);
    }
    /* Earlier advice checked against the history (coordinator/history/applied.h). */
    const json_t *ver = json_object_get(phase3, "verification");
    if (json_is_object(ver)) {
        heading(&t, "Applied advice: did it help?");
        size_t i;
        const json_t *it;
        json_array_foreach(json_object_get(ver, "items"), i, it)
        {
            strbuf_t line = {0};
            applied_item_text(it, &line);
            wrap(&t, strbuf_str(&line), "  - ", "    ", 0, 0, "", "");
            strbuf_free(&line);
        }
        if (json_array_size(json_object_get(ver, "items")) == 0)
            wrap(&t, "no earlier recommendation to check", "  ", "  ", 0, 0, "", "");
    }
    fputc('\n', out);
    /* fflush reports the error of buffered data; its errno is the reason */
    if (fflush(out) != 0 || ferror(out))
        return err_set(err, "text report: write error: %s", strerror(errno ? errno : EIO));
    return 0;
}
