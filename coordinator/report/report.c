/*
 * report.c - dispatch of the report formats, the snapshot summary, and what
 * the renderers share (report_internal.h): strings, getters, formatting and
 * the agents' sections flattened into recommendations.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/escape.h"
#include "common/jsonout.h"
#include "common/outfile.h"
#include "coordinator/history/applied.h"
#include "coordinator/report/report_internal.h"

#include "coordinator/report/textdiff.h"

char *r_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* ---- JSON getters ----------------------------------------------------------- */

const char *rj_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

int rj_num(const json_t *obj, const char *key, double *out)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        return 0;
    *out = json_number_value(v);
    return isfinite(*out);
}

const json_t *rj_path(const json_t *obj, const char *dotted)
{
    char key[128];
    const char *p = dotted;
    while (obj && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof key)
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        obj = json_object_get(obj, key);
        p = dot ? dot + 1 : p + n;
    }
    return obj;
}

/* ---- formatting ---------------------------------------------------------------- */

void r_fmt_ms(double ms, char out[32])
{
    if (!isfinite(ms))
        snprintf(out, 32, "?");
    else if (ms < 1000)
        snprintf(out, 32, "%.0f ms", ms);
    else if (ms < 60e3)
        snprintf(out, 32, "%.1f s", ms / 1e3);
    else if (ms < 3600e3)
        snprintf(out, 32, "%.1f min", ms / 60e3);
    else
        snprintf(out, 32, "%.1f h", ms / 3600e3);
}

void r_fmt_bytes(double bytes, char out[32])
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    int u = 0;
    double v = bytes;
    while (fabs(v) >= 1024 && u < 5) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(out, 32, "%.0f B", v);
    else
        snprintf(out, 32, "%.1f %s", v, units[u]);
}

/* Appends a rewrite's estimate to its explanation: after a sentence, a new
 * one; after a phrase, a clause. Nothing when gain is NULL. */
static void append_estimate(strbuf_t *e, const char *gain)
{
    if (!gain)
        return;
    const char *sofar = strbuf_str(e);
    size_t n = strlen(sofar);
    bool sentence = n > 0 && sofar[n - 1] == '.';
    strbuf_printf(e, "%s%s %s",
                  n == 0     ? ""
                  : sentence ? " "
                             : "; ",
                  sentence || n == 0 ? "Estimated" : "estimated", gain);
}

bool r_fmt_workload_time(const json_t *evaluation, char *out, size_t size)
{
    double before, after;
    if (!rj_num(evaluation, "workload_time_ms", &before) ||
        !rj_num(evaluation, "workload_time_ms_after_estimated", &after) || before <= 0)
        return false;
    char b1[32], b2[32];
    r_fmt_ms(before, b1);
    r_fmt_ms(after, b2);
    snprintf(out, size,
             "%s measured -> about %s (-%.0f%%): each statement's time scaled by its planner "
             "cost ratio",
             b1, b2, 100 * (before - after) / before);
    return true;
}

void r_fmt_share(double share, char out[32])
{
    double p = share * 100;
    if (!isfinite(p))
        snprintf(out, 32, "?");
    else if (p > 0 && p < 0.1)
        snprintf(out, 32, "<0.1%%");
    else if (p < 10)
        snprintf(out, 32, "%.1f%%", p);
    else
        snprintf(out, 32, "%.0f%%", p);
}

long long r_summary_count(const json_t *summary, const char *key)
{
    double v;
    return summary && rj_num(summary, key, &v) ? (long long)v : -1;
}

const json_t *r_notes(const json_t *section)
{
    const json_t *n = json_object_get(section, "notes");
    return json_is_array(n) ? n : NULL;
}

/* ---- recommendations -------------------------------------------------------- */

/* A new zeroed item of agent at the end of l. */
static ritem_t *ritem_push(ritems_t *l, const char *agent)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        l->items = xreallocarray(l->items, cap, sizeof *l->items);
        l->cap = cap;
    }
    ritem_t *it = &l->items[l->n++];
    memset(it, 0, sizeof *it);
    it->agent = agent;
    it->gain = -1;
    return it;
}

static int parse_priority(const char *p)
{
    if (p && p[0] == 'P' && p[1] >= '1' && p[1] <= '3' && !p[2])
        return p[1] - '0';
    return 0;
}

/* The leading number of "164.0x faster" / "1.2x". */
static double leading_factor(const char *s)
{
    if (!s)
        return -1;
    char *end;
    double v = strtod(s, &end);
    return end != s && isfinite(v) ? v : -1;
}

/* "CREATE INDEX CONCURRENTLY x ON public.t (a, b);" -> "public.t (a, b)" */
static char *index_target(const char *ddl)
{
    const char *on = ddl ? strstr(ddl, " ON ") : NULL;
    if (!on)
        return xstrdup_or_null(ddl);
    on += 4;
    size_t n = strlen(on);
    while (n && (on[n - 1] == ';' || on[n - 1] == ' ' || on[n - 1] == '\n'))
        n--;
    return xstrndup(on, n);
}

/* The index advisor's items: recommendations (create index, with priority, time saved and the
 * statement) and the indexes to drop (duplicate, unused, invalid). */
static void collect_index_advisor(const json_t *s, ritems_t *l)
{
    const char *A = "index_advisor";
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(s, "recommendations"), i, r)
    {
        ritem_t *it = ritem_push(l, A);
        snprintf(it->id, sizeof it->id, "%s", rj_str(r, "id") ? rj_str(r, "id") : "idx");
        it->priority = parse_priority(rj_str(r, "priority"));
        const json_t *ev = json_object_get(r, "evidence");
        double saved = -1, share = -1, n = -1,
               factor = leading_factor(rj_str(r, "estimated_improvement"));
        rj_num(ev, "estimated_time_saved_ms", &saved);
        rj_num(ev, "workload_time_share", &share);
        rj_num(r, "affected_queries", &n);
        it->gain = saved >= 0 ? saved : factor;
        it->gain_text = xstrdup_or_null(rj_str(r, "estimated_improvement"));
        it->kind = xstrdup("create index");
        char *target = index_target(rj_str(r, "create_statement"));
        it->title = r_printf("%s index on %s", rj_str(r, "type") ? rj_str(r, "type") : "new",
                             target               ? target
                             : rj_str(r, "table") ? rj_str(r, "table")
                                                  : "?");
        free(target);
        strbuf_t e = {0};
        char b1[32], b2[32];
        strbuf_printf(&e, "%s",
                      rj_str(r, "estimated_improvement") ? rj_str(r, "estimated_improvement")
                                                         : "improvement not estimated");
        if (n >= 0)
            strbuf_printf(&e, " for %.0f statement%s", n, n == 1 ? "" : "s");
        if (share >= 0) {
            r_fmt_share(share, b1);
            strbuf_printf(&e, " (%s of workload time)", b1);
        }
        if (saved >= 0) {
            r_fmt_ms(saved, b2);
            strbuf_printf(&e, "; saves ~%s of the measured window", b2);
        }
        strbuf_printf(&e, "; %s, writes %s, risk %s",
                      rj_str(r, "storage_impact") ? rj_str(r, "storage_impact") : "size unknown",
                      rj_str(r, "write_overhead") ? rj_str(r, "write_overhead")
                                                  : "overhead unknown",
                      rj_str(r, "risk") ? rj_str(r, "risk") : "unknown");
        if (rj_str(r, "method"))
            strbuf_printf(&e, " (%s)", rj_str(r, "method"));
        strbuf_add(&e, ".");
        it->evidence = strbuf_take(&e);
        if (rj_str(r, "prerequisite"))
            it->apply =
                r_printf("%s\n%s", rj_str(r, "prerequisite"), rj_str(r, "create_statement"));
        else
            it->apply = xstrdup_or_null(rj_str(r, "create_statement"));
    }
    json_array_foreach(json_object_get(s, "duplicate_indexes"), i, r)
    {
        ritem_t *it = ritem_push(l, A);
        snprintf(it->id, sizeof it->id, "dup-%03zu", i + 1);
        it->kind = xstrdup("drop index");
        it->title = r_printf("drop %s (%s duplicate of %s)",
                             rj_str(r, "unneeded_index") ? rj_str(r, "unneeded_index") : "?",
                             rj_str(r, "kind") ? rj_str(r, "kind") : "a",
                             rj_str(r, "covering_index") ? rj_str(r, "covering_index") : "?");
        it->evidence = r_printf(
            "%s is served by %s; dropping it frees %s and its maintenance on every write.",
            rj_str(r, "unneeded_definition") ? rj_str(r, "unneeded_definition") : "the index",
            rj_str(r, "covering_definition") ? rj_str(r, "covering_definition") : "another index",
            rj_str(r, "size") ? rj_str(r, "size") : "its space");
        it->apply = xstrdup_or_null(rj_str(r, "drop_statement"));
    }
    json_array_foreach(json_object_get(s, "unused_indexes_to_drop"), i, r)
    {
        ritem_t *it = ritem_push(l, A);
        snprintf(it->id, sizeof it->id, "unused-%03zu", i + 1);
        it->kind = xstrdup("drop index");
        it->title = r_printf("drop unused %s", rj_str(r, "index") ? rj_str(r, "index") : "?");
        it->evidence =
            r_printf("%s; %s.", rj_str(r, "reason") ? rj_str(r, "reason") : "idx_scan = 0",
                     rj_str(r, "size") ? rj_str(r, "size") : "size unknown");
        it->apply = xstrdup_or_null(rj_str(r, "drop_statement"));
    }
    json_array_foreach(json_object_get(s, "invalid_indexes"), i, r)
    {
        ritem_t *it = ritem_push(l, A);
        snprintf(it->id, sizeof it->id, "invalid-%03zu", i + 1);
        it->kind = xstrdup("drop index");
        it->title = r_printf("drop invalid %s", rj_str(r, "index") ? rj_str(r, "index") : "?");
        it->evidence = xstrdup_or_null(rj_str(r, "reason"));
        it->apply = xstrdup_or_null(rj_str(r, "drop_statement"));
    }
}

/* An ORM rewrite's safety line and its diff: the code change shown as the
 * lines it removes and adds (numbered from original_line in the file the
 * code is in: query_file when the query is elsewhere), never as a second
 * copy of the whole region. */
static void orm_safety_and_diff(const json_t *r, ritem_t *it)
{
    strbuf_t b = {0};
    const char *safety = rj_str(r, "safety");
    if (safety && !strcmp(safety, "conditional") && rj_str(r, "safety_condition"))
        strbuf_printf(&b, "Safe only if %s.", rj_str(r, "safety_condition"));
    else if (safety && !strcmp(safety, "manual"))
        strbuf_printf(&b, "No code: %s; fix by hand as explained.",
                      rj_str(r, "manual_reason") ? rj_str(r, "manual_reason") : "not shown safe");
    else if (safety)
        strbuf_printf(&b, "Safety: %s.", safety);
    size_t i;
    const json_t *imp;
    json_array_foreach(json_object_get(r, "imports"), i, imp)
    {
        if (json_is_string(imp))
            strbuf_printf(&b, "%s%s",
                          i       ? "; "
                          : b.len ? " Add to the imports: "
                                  : "Add to the imports: ",
                          json_string_value(imp));
    }
    if (b.len)
        it->safety = strbuf_take(&b);
    else
        strbuf_free(&b);
    const char *orig = rj_str(r, "original"), *opt = rj_str(r, "optimized");
    if (!orig || !opt)
        return;
    const char *file = rj_str(r, "query_file") ? rj_str(r, "query_file") : rj_str(r, "file");
    double first = 0;
    if (!rj_num(r, "original_line", &first) || first < 1)
        first = 0;
    char *a = r_printf("a/%s", file), *bl = r_printf("b/%s", file);
    it->diff = textdiff_unified(orig, opt, (unsigned)first, a, bl, 3);
    free(a);
    free(bl);
}

/* The query rewriter's items: rewrites and the SQL rewrites they do not already cover, each with
 * its gain, evidence and the change (code or SQL, or why none is given). */
static void collect_query_rewriter(const json_t *s, ritems_t *l)
{
    const char *A = "query_rewriter";
    const json_t *sqls = json_object_get(s, "sql_rewrites");
    size_t nsql = json_array_size(sqls);
    char *used = xcalloc(nsql ? nsql : 1, 1);
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(s, "rewrites"), i, r)
    {
        ritem_t *it = ritem_push(l, A);
        snprintf(it->id, sizeof it->id, "%s", rj_str(r, "id") ? rj_str(r, "id") : "qry");
        it->priority = parse_priority(rj_str(r, "priority"));
        const json_t *sq = NULL;
        double k;
        if (rj_num(r, "sql_rewrite", &k) && k >= 0 && (size_t)k < nsql) {
            sq = json_array_get(sqls, (size_t)k);
            used[(size_t)k] = 1;
        }
        const json_t *ev = json_object_get(r, "evidence");
        if (!ev && sq)
            ev = json_object_get(sq, "evidence");
        double saved = -1;
        if (!rj_num(ev, "time_saved_ms_estimate", &saved))
            saved = -1;
        it->gain = saved >= 0 ? saved : leading_factor(rj_str(r, "estimated_gain"));
        it->gain_text = xstrdup_or_null(rj_str(r, "estimated_gain"));
        it->kind = r_printf("rewrite (%s)", rj_str(r, "type") ? rj_str(r, "type") : "query");
        double line;
        if (rj_str(r, "file") && rj_num(r, "line", &line))
            it->title = r_printf("%s:%.0f", rj_str(r, "file"), line);
        else if (rj_str(r, "file"))
            it->title = r_printf("%s", rj_str(r, "file"));
        else {
            const char *q = rj_str(r, "original");
            it->title =
                r_printf("%.*s%s", 120, q ? q : "statement", q && strlen(q) > 120 ? "..." : "");
        }
        strbuf_t e = {0};
        strbuf_printf(&e, "%s", rj_str(r, "explanation") ? rj_str(r, "explanation") : "");
        append_estimate(&e, rj_str(r, "estimated_gain"));
        if (saved >= 0) {
            char b[32];
            r_fmt_ms(saved, b);
            strbuf_printf(&e, ", ~%s saved in the window", b);
        }
        if (sq && rj_str(sq, "safety"))
            strbuf_printf(&e, ". Safety: %s", rj_str(sq, "safety"));
        strbuf_add(&e, ".");
        it->evidence = strbuf_take(&e);
        it->apply = xstrdup_or_null(rj_str(r, "optimized"));
        /* ORM rewrites carry the file they edit; SQL ones have none */
        it->apply_is_code = rj_str(r, "file") != NULL;
        if (it->apply_is_code)
            orm_safety_and_diff(r, it);
    }
    json_array_foreach(sqls, i, r)
    {
        if (used[i])
            continue;
        ritem_t *it = ritem_push(l, A);
        snprintf(it->id, sizeof it->id, "sql-%03zu", i + 1);
        it->priority = parse_priority(rj_str(r, "priority"));
        double saved = -1;
        if (!rj_num(json_object_get(r, "evidence"), "time_saved_ms_estimate", &saved))
            saved = -1;
        it->gain = saved >= 0 ? saved : leading_factor(rj_str(r, "estimated_gain"));
        it->gain_text = xstrdup_or_null(rj_str(r, "estimated_gain"));
        it->kind = xstrdup("rewrite (sql)");
        const char *q = rj_str(r, "original_query");
        it->title = r_printf("%.*s%s", 120, q ? q : "statement", q && strlen(q) > 120 ? "..." : "");
        strbuf_t e = {0};
        size_t c;
        const json_t *ch;
        json_array_foreach(json_object_get(r, "changes"), c, ch)
        {
            if (json_is_string(ch))
                strbuf_printf(&e, "%s%s", c ? "; " : "", json_string_value(ch));
        }
        append_estimate(&e, rj_str(r, "estimated_gain"));
        strbuf_add(&e, ".");
        it->evidence = strbuf_take(&e);
        it->apply = xstrdup_or_null(rj_str(r, "optimized_query"));
    }
    free(used);
}

/* A setting object of config_tuner ({"current","recommended","reason",..}). */
static int is_setting(const json_t *v)
{
    return json_is_object(v) && json_object_get(v, "recommended") && json_object_get(v, "reason");
}

/* A setting's value as text (string, integer, or number without trailing zeros) into out. */
static void value_text(const json_t *v, char *out, size_t n)
{
    if (json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
    else if (json_is_integer(v))
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v)) {
        char b[32];
        jsonout_double(json_real_value(v), b);
        snprintf(out, n, "%s", b);
    } else if (json_is_true(v))
        snprintf(out, n, "true");
    else if (json_is_false(v))
        snprintf(out, n, "false");
    else
        snprintf(out, n, "none");
}

/* The item of one config_tuner setting that changes (current -> recommended, with its reason);
 * nothing for a setting left as it is. */
static void setting_item(ritems_t *l, const char *group, const char *name, const json_t *v)
{
    if (!json_is_true(json_object_get(v, "change")))
        return;
    ritem_t *it = ritem_push(l, "config_tuner");
    char cur[128], rec[128];
    value_text(json_object_get(v, "current"), cur, sizeof cur);
    value_text(json_object_get(v, "recommended"), rec, sizeof rec);
    snprintf(it->id, sizeof it->id, "%.39s", name);
    int restart = json_is_true(json_object_get(v, "restart_required"));
    it->kind = r_printf("%s setting", group);
    it->title = r_printf("%s: %s -> %s%s", name, cur, rec,
                         restart && !strcmp(group, "postgresql") ? " (restart)" : "");
    it->evidence = xstrdup_or_null(rj_str(v, "reason"));
    if (!strcmp(group, "postgresql"))
        it->apply = r_printf("ALTER SYSTEM SET %s = '%s';", name, rec);
    else if (!strcmp(group, "sqlalchemy"))
        it->apply = r_printf("create_engine(..., %s=%s%s)", name,
                             !strcmp(rec, "true")    ? "True"
                             : !strcmp(rec, "false") ? "False"
                                                     : rec,
                             "");
    else if (!strcmp(group, "pgbouncer"))
        it->apply = r_printf("%s = %s    ; pgbouncer.ini, [pgbouncer]", name, rec);
    else
        it->apply = NULL;
}

/* The config tuner's items: changed postgresql settings by group, per-table settings, SQLAlchemy
 * pool, PgBouncer and TimescaleDB settings. */
static void collect_config_tuner(const json_t *s, ritems_t *l)
{
    const char *gname, *name;
    const json_t *g, *v;
    json_object_foreach((json_t *)json_object_get(s, "postgresql"), gname, g)
    {
        json_object_foreach((json_t *)g, name, v)
        {
            if (is_setting(v))
                setting_item(l, "postgresql", name, v);
        }
    }
    size_t i;
    const json_t *t;
    json_array_foreach(json_object_get(s, "per_table"), i, t)
    {
        ritem_t *it = ritem_push(l, "config_tuner");
        snprintf(it->id, sizeof it->id, "table-%03zu", i + 1);
        it->kind = xstrdup("per-table setting");
        double cf = NAN, rf = NAN;
        rj_num(json_object_get(t, "current"), "autovacuum_vacuum_scale_factor", &cf);
        rj_num(json_object_get(t, "recommended"), "autovacuum_vacuum_scale_factor", &rf);
        it->title = r_printf("%s: autovacuum_vacuum_scale_factor %g -> %g",
                             rj_str(t, "table") ? rj_str(t, "table") : "?", cf, rf);
        it->evidence = xstrdup_or_null(rj_str(t, "reason"));
        it->apply = xstrdup_or_null(rj_str(t, "apply"));
    }
    json_object_foreach((json_t *)json_object_get(s, "sqlalchemy"), name, v)
    {
        if (is_setting(v))
            setting_item(l, "sqlalchemy", name, v);
    }
    json_object_foreach((json_t *)json_object_get(s, "pgbouncer"), name, v)
    {
        if (is_setting(v))
            setting_item(l, "pgbouncer", name, v);
    }
    const json_t *ts = json_object_get(s, "timescaledb");
    json_object_foreach((json_t *)ts, name, v)
    {
        if (is_setting(v))
            setting_item(l, "timescaledb", name, v);
    }
    json_array_foreach(json_object_get(ts, "chunk_time_interval"), i, t)
    {
        if (!rj_str(t, "apply"))
            continue;
        ritem_t *it = ritem_push(l, "config_tuner");
        snprintf(it->id, sizeof it->id, "chunk-%03zu", i + 1);
        it->kind = xstrdup("timescaledb chunk interval");
        const char *h = rj_str(t, "hypertable") ? rj_str(t, "hypertable") : rj_str(t, "table");
        it->title = r_printf("chunk_time_interval of %s", h ? h : "a hypertable");
        it->evidence = xstrdup_or_null(rj_str(t, "reason"));
        it->apply = xstrdup_or_null(rj_str(t, "apply"));
    }
}

/* A finding's cause for people: its summary, or for "unknown" a short
 * sentence (the checks it lists are in the JSON result's cause.checked). */
static const char *ai_cause_text(const json_t *finding)
{
    const json_t *c = json_object_get(finding, "cause");
    const char *sum = rj_str(c, "summary"), *cause = rj_str(c, "cause");
    if (!sum)
        return "not attributed";
    if (cause && !strcmp(cause, "unknown"))
        return "none found in the database (host load or the application's parameters "
               "remain)";
    return sum;
}

/* The ai_tuning items of predictions.proactive_actions: the actions to take before a forecast limit
 * is reached. */
static void ai_items_actions(const json_t *s, ritems_t *l)
{
    const char *A = "ai_tuning";
    size_t i;
    const json_t *r;
    json_array_foreach(rj_path(s, "predictions.proactive_actions"), i, r)
    {
        ritem_t *it = ritem_push(l, A);
        snprintf(it->id, sizeof it->id, "action-%03zu", i + 1);
        it->kind = xstrdup("proactive action");
        if (json_is_string(r)) {
            it->title = xstrdup(json_string_value(r));
        } else {
            it->title = r_printf("%s%s%s", rj_str(r, "action") ? rj_str(r, "action") : "action",
                                 rj_str(r, "before") ? " before " : "",
                                 rj_str(r, "before") ? rj_str(r, "before") : "");
            it->evidence = xstrdup_or_null(rj_str(r, "why"));
        }
    }
}

/* The ai_tuning items of ml_insights.regressions: statements that got slower, with the test, the
 * time they cost since and the attributed cause. */
static void ai_items_regressions(const json_t *s, ritems_t *l)
{
    const char *A = "ai_tuning";
    size_t i;
    const json_t *r;
    json_array_foreach(rj_path(s, "ml_insights.regressions"), i, r)
    {
        ritem_t *it = ritem_push(l, A);
        snprintf(it->id, sizeof it->id, "regression-%03zu", i + 1);
        it->kind = xstrdup("regression");
        double pct = NAN, extra = -1, before = NAN, after = NAN, z = NAN, share = NAN, qid = NAN;
        rj_num(r, "change_pct", &pct);
        rj_num(r, "extra_ms_per_hour", &extra);
        rj_num(json_object_get(r, "before"), "mean_ms", &before);
        rj_num(json_object_get(r, "after"), "mean_ms", &after);
        rj_num(r, "robust_z", &z);
        rj_num(r, "time_share_after", &share);
        rj_num(r, "queryid", &qid);
        it->gain = extra;
        const char *q = rj_str(r, "query");
        it->title =
            r_printf("%+.0f%% since %s: %.*s%s", pct, rj_str(r, "onset") ? rj_str(r, "onset") : "?",
                     80, q ? q : "statement", q && strlen(q) > 80 ? "..." : "");
        char sh[32], ex[32];
        r_fmt_share(share, sh);
        r_fmt_ms(extra, ex);
        double pv = NAN;
        rj_num(r, "p_value", &pv);
        char test[64], pb[32], rb[32];
        if (isfinite(pv))
            snprintf(test, sizeof test, "exact Mann-Whitney %s", applied_fmt_p(pv, pb, sizeof pb));
        else
            snprintf(test, sizeof test, "robust z %.1f", z);
        /* The figure and the cause first: the text report shows two lines
         * of evidence. */
        it->evidence = r_printf("%.3g ms -> %.3g ms per call (%s slower, %s). Cause: %s. "
                                "queryid %.0f; %s of execution time since, +%s per hour.",
                                before, after,
                                applied_fmt_ratio(before > 0 ? after / before : NAN, rb, sizeof rb),
                                test, ai_cause_text(r), qid, sh, ex);
        it->apply = q ? r_printf("EXPLAIN (ANALYZE, BUFFERS) %s", q) : NULL;
    }
}

/* The ai_tuning items of ml_insights.improvements: statements that got faster, with the test and
 * the cause. */
static void ai_items_improvements(const json_t *s, ritems_t *l)
{
    const char *A = "ai_tuning";
    size_t i;
    const json_t *r;
    json_array_foreach(rj_path(s, "ml_insights.improvements"), i, r)
    {
        ritem_t *it = ritem_push(l, A);
        snprintf(it->id, sizeof it->id, "improvement-%03zu", i + 1);
        it->kind = xstrdup("improvement");
        double pct = NAN, before = NAN, after = NAN, pv = NAN, qid = NAN;
        rj_num(r, "change_pct", &pct);
        rj_num(json_object_get(r, "before"), "mean_ms", &before);
        rj_num(json_object_get(r, "after"), "mean_ms", &after);
        rj_num(r, "p_value", &pv);
        rj_num(r, "queryid", &qid);
        const char *q = rj_str(r, "query");
        it->title =
            r_printf("%+.0f%% since %s: %.*s%s", pct, rj_str(r, "onset") ? rj_str(r, "onset") : "?",
                     80, q ? q : "statement", q && strlen(q) > 80 ? "..." : "");
        char pb[32], rb[32];
        it->evidence = r_printf(
            "%.3g ms -> %.3g ms per call (%s faster, exact Mann-Whitney %s). Cause: %s. "
            "queryid %.0f.",
            before, after, applied_fmt_ratio(after > 0 ? before / after : NAN, rb, sizeof rb),
            applied_fmt_p(pv, pb, sizeof pb), ai_cause_text(r), qid);
    }
}

/* The ai_tuning items of ml_insights.anomalies: the metrics off their baseline in a window. */
static void ai_items_anomalies(const json_t *s, ritems_t *l)
{
    const char *A = "ai_tuning";
    size_t i;
    const json_t *r;
    json_array_foreach(rj_path(s, "ml_insights.anomalies"), i, r)
    {
        ritem_t *it = ritem_push(l, A);
        snprintf(it->id, sizeof it->id, "anomaly-%03zu", i + 1);
        it->kind = xstrdup("anomaly");
        double z = -1;
        rj_num(r, "peak_robust_z", &z);
        it->title = r_printf("%s %s .. %s", rj_str(r, "type") ? rj_str(r, "type") : "anomaly",
                             rj_str(r, "start") ? rj_str(r, "start") : "?",
                             rj_str(r, "end") ? rj_str(r, "end") : "?");
        strbuf_t e = {0};
        size_t k;
        const json_t *m;
        json_array_foreach(json_object_get(r, "metrics"), k, m)
        {
            double peak = NAN, base = NAN;
            rj_num(m, "peak_value", &peak);
            rj_num(m, "baseline_median", &base);
            /* %.3g would print 2350 as 2.35e+03 */
            strbuf_printf(&e, "%s%s %.*f vs median %.*f", k ? "; " : "",
                          rj_str(m, "metric") ? rj_str(m, "metric") : "?",
                          fabs(peak) >= 100 ? 0 : 3, peak, fabs(base) >= 100 ? 0 : 3, base);
        }
        if (z >= 0)
            strbuf_printf(&e, " (peak robust z %.1f)", z);
        strbuf_add(&e, ".");
        const char *cause =
            rj_str(json_object_get(r, "cause"), "summary") ? ai_cause_text(r) : NULL;
        if (cause)
            strbuf_printf(&e, " Cause: %s.", cause);
        it->evidence = strbuf_take(&e);
    }
}

/* The ai_tuning items of cloud_native.recommendations. */
static void ai_items_cloud(const json_t *s, ritems_t *l)
{
    const char *A = "ai_tuning";
    size_t i;
    const json_t *r;
    json_array_foreach(rj_path(s, "cloud_native.recommendations"), i, r)
    {
        ritem_t *it = ritem_push(l, A);
        snprintf(it->id, sizeof it->id, "cloud-%03zu", i + 1);
        it->kind = xstrdup("cloud");
        it->title =
            xstrdup_or_null(json_is_string(r) ? json_string_value(r) : rj_str(r, "recommendation"));
        if (!it->title)
            it->title = xstrdup("cloud recommendation");
        it->evidence = xstrdup_or_null(rj_str(r, "why"));
    }
}

/* The ai_tuning items of cost_optimization.recommendations: the monthly savings (1 and 3 years) and
 * their terms. */
static void ai_items_costs(const json_t *s, ritems_t *l)
{
    const char *A = "ai_tuning";
    size_t i;
    const json_t *r;
    json_array_foreach(rj_path(s, "cost_optimization.recommendations"), i, r)
    {
        ritem_t *it = ritem_push(l, A);
        snprintf(it->id, sizeof it->id, "cost-%03zu", i + 1);
        it->kind = xstrdup("cost");
        double save1 = -1, save3 = -1;
        rj_num(r, "monthly_savings_1y_usd", &save1);
        rj_num(r, "monthly_savings_3y_usd", &save3);
        if (save1 < 0)
            rj_num(r, "monthly_savings_usd", &save1);
        const char *type = rj_str(r, "type") ? rj_str(r, "type") : "cost";
        if (save1 >= 0)
            it->title = r_printf("%s %s: saves $%.2f/month (1 year)%s", type,
                                 rj_str(r, "instance") ? rj_str(r, "instance") : "", save1,
                                 save3 >= 0 ? "" : "");
        else
            it->title = r_printf("%s%s%s", type, rj_str(r, "instance") ? " " : "",
                                 rj_str(r, "instance") ? rj_str(r, "instance") : "");
        strbuf_t e = {0};
        if (save3 >= 0)
            strbuf_printf(&e, "3 years: $%.2f/month. ", save3);
        if (rj_str(r, "terms"))
            strbuf_printf(&e, "%s. ", rj_str(r, "terms"));
        strbuf_printf(&e, "%s", rj_str(r, "why") ? rj_str(r, "why") : "");
        if (rj_str(r, "as_of"))
            strbuf_printf(&e, " (prices as of %s)", rj_str(r, "as_of"));
        it->evidence = strbuf_take(&e);
        it->gain = save1;
    }
}

/* The ai_tuning section's items, in the report's order: proactive
 * actions, regressions, improvements, anomalies, cloud and cost
 * recommendations. */
static void collect_ai_tuning(const json_t *s, ritems_t *l)
{
    ai_items_actions(s, l);
    ai_items_regressions(s, l);
    ai_items_improvements(s, l);
    ai_items_anomalies(s, l);
    ai_items_cloud(s, l);
    ai_items_costs(s, l);
}

/* qsort order of items: priority first (none after P1..P3), then the larger gain. */
static int item_cmp(const void *a, const void *b)
{
    const ritem_t *x = a, *y = b;
    int px = x->priority ? x->priority : 9, py = y->priority ? y->priority : 9;
    if (px != py)
        return px - py;
    if (x->gain != y->gain)
        return x->gain > y->gain ? -1 : 1;
    return 0;
}

void ritems_collect(const json_t *section, const char *agent, ritems_t *out)
{
    memset(out, 0, sizeof *out);
    if (!json_is_object(section) || !agent)
        return;
    if (!strcmp(agent, "index_advisor"))
        collect_index_advisor(section, out);
    else if (!strcmp(agent, "query_rewriter"))
        collect_query_rewriter(section, out);
    else if (!strcmp(agent, "config_tuner"))
        collect_config_tuner(section, out);
    else if (!strcmp(agent, "ai_tuning"))
        collect_ai_tuning(section, out);
    /* Stable within equal keys: the agents' own order breaks ties. */
    if (out->n > 1) {
        for (size_t i = 1; i < out->n; i++) {
            ritem_t key = out->items[i];
            size_t j = i;
            while (j > 0 && item_cmp(&out->items[j - 1], &key) > 0) {
                out->items[j] = out->items[j - 1];
                j--;
            }
            out->items[j] = key;
        }
    }
}

void ritems_free(ritems_t *list)
{
    for (size_t i = 0; i < list->n; i++) {
        free(list->items[i].kind);
        free(list->items[i].title);
        free(list->items[i].evidence);
        free(list->items[i].apply);
        free(list->items[i].gain_text);
        free(list->items[i].safety);
        free(list->items[i].diff);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}

/* ---- public API ------------------------------------------------------------------- */

void report_opts_init(report_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->total_ms = -1;
    o->collect_ms = -1;
}

static const char *const FORMAT_NAMES[] = {"json", "text", "html", "sql"};

int report_format_parse(const char *name, report_format_t *fmt, err_t *err)
{
    for (int i = 0; name && i < 4; i++)
        if (!strcmp(name, FORMAT_NAMES[i])) {
            *fmt = (report_format_t)i;
            return 0;
        }
    return err_set(err, "unknown report format '%s' (json, text, html, sql)", name ? name : "");
}

const char *report_format_name(report_format_t fmt)
{
    return (unsigned)fmt < 4 ? FORMAT_NAMES[fmt] : "?";
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

report_format_t report_format_default(const char *output_path, int stdout_is_tty)
{
    if (output_path && strcmp(output_path, "-") != 0) {
        if (ends_with(output_path, ".txt"))
            return REPORT_TEXT;
        if (ends_with(output_path, ".html") || ends_with(output_path, ".htm"))
            return REPORT_HTML;
        if (ends_with(output_path, ".sql") || ends_with(output_path, "/"))
            return REPORT_SQL;
        return REPORT_JSON;
    }
    return stdout_is_tty ? REPORT_TEXT : REPORT_JSON;
}

int report_color_wanted(FILE *out)
{
    const char *nc = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (nc && *nc)
        return 0;
    if (term && !strcmp(term, "dumb"))
        return 0;
    return out && isatty(fileno(out));
}

static void count_into(json_t *sum, const json_t *snap, const char *section, const char *key)
{
    const json_t *v = json_object_get(snap, section);
    if (json_is_array(v))
        json_object_set_new(sum, key, json_integer((json_int_t)json_array_size(v)));
}

json_t *report_snapshot_summary(const json_t *snap)
{
    if (!json_is_object(snap))
        return NULL;
    json_t *sum = json_object();
    const json_t *meta = json_object_get(snap, "meta");
    static const char *const copy[] = {"database",     "server_version", "server_version_num",
                                       "collected_at", "collection_ms",  "system_identifier",
                                       "role",         "in_recovery"};
    for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
        json_t *v = json_object_get(meta, copy[i]);
        if (v && !json_is_null(v))
            json_object_set(sum, copy[i], v);
    }
    count_into(sum, snap, "statements", "statements");
    count_into(sum, snap, "tables", "tables");
    count_into(sum, snap, "indexes", "indexes");
    count_into(sum, snap, "settings", "settings");
    count_into(sum, snap, "history", "history_entries");
    const json_t *code = json_object_get(snap, "code");
    const json_t *files = json_is_object(code) ? json_object_get(code, "files") : code;
    if (json_is_array(files))
        json_object_set_new(sum, "code_files", json_integer((json_int_t)json_array_size(files)));
    const json_t *host = json_object_get(snap, "host");
    if (json_is_object(host))
        json_object_set(sum, "host", (json_t *)host);
    const json_t *notes = json_object_get(meta, "notes");
    if (json_is_array(notes) && json_array_size(notes))
        json_object_set(sum, "notes", (json_t *)notes);
    const json_t *red = json_object_get(meta, "redaction");
    if (json_is_object(red))
        json_object_set(sum, "redaction", (json_t *)red);
    double total = 0;
    size_t i;
    const json_t *st;
    json_array_foreach(json_object_get(snap, "statements"), i, st)
    {
        double t;
        if (rj_num(st, "total_exec_time", &t) || rj_num(st, "total_exec_time_ms", &t))
            total += t;
    }
    if (json_array_size(json_object_get(snap, "statements")))
        json_object_set_new(sum, "statements_exec_time_ms", json_real(total));
    return sum;
}

/* A copy of v whose strings (values and keys) are escaped for display
 * (common/escape.h): every string in phase3_output came from a worker, the
 * database or the application's code, and none may drive the reader's
 * terminal or reorder what a browser shows. Newlines and tabs stay (SQL and
 * code print line for line). NULL only when out of memory. */
static json_t *escaped_copy(const json_t *v)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        if (!esc_needed(s, n, ESC_KEEP_NL) && !memchr(s, '\0', n))
            return json_incref((json_t *)v);
        strbuf_t b = {0};
        /* a NUL inside a JSON string would end the C string early */
        for (size_t i = 0; i < n;) {
            const char *nul = memchr(s + i, '\0', n - i);
            size_t k = nul ? (size_t)(nul - (s + i)) : n - i;
            esc_append(&b, s + i, k, ESC_KEEP_NL);
            if (nul)
                strbuf_add(&b, "\\x00");
            i += k + (nul ? 1 : 0);
        }
        json_t *r = json_stringn(strbuf_str(&b), b.len);
        strbuf_free(&b);
        return r;
    }
    if (json_is_array(v)) {
        json_t *r = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if (!r || json_array_append_new(r, escaped_copy(x)) != 0) {
                json_decref(r);
                return NULL;
            }
        }
        return r;
    }
    if (json_is_object(v)) {
        json_t *r = json_object();
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            char *ek = esc_dup(k, ESC_KEEP_NL);
            int bad = !r || !ek || json_object_set_new(r, ek, escaped_copy(x)) != 0;
            free(ek);
            if (bad) {
                json_decref(r);
                return NULL;
            }
        }
        return r;
    }
    return json_incref((json_t *)v);
}

int report_write(const json_t *phase3, report_format_t fmt, FILE *out, const report_opts_t *o,
                 err_t *err)
{
    report_opts_t defaults;
    if (!o) {
        report_opts_init(&defaults);
        o = &defaults;
    }
    if (!json_is_object(phase3))
        return err_set(err, "report: phase3_output is not a JSON object");
    int rc;
    switch (fmt) {
    case REPORT_JSON:
        rc = jsonout_file(out, phase3, JSONOUT_PRETTY, err);
        break;
    case REPORT_TEXT:
    case REPORT_HTML: {
        json_t *shown = escaped_copy(phase3);
        if (!shown)
            return err_set(err, "report: out of memory");
        rc = fmt == REPORT_TEXT ? report_text_write(shown, out, o, err)
                                : report_html_write(shown, out, o, err);
        json_decref(shown);
        break;
    }
    case REPORT_SQL:
        rc = report_write_sql(phase3, out, NULL, err);
        break;
    default:
        return err_set(err, "report: unknown format %d", (int)fmt);
    }
    if (rc != 0)
        return -1;
    if (fflush(out) != 0 || ferror(out))
        return err_set(err, "report: write failed: %s", strerror(errno));
    return 0;
}

int report_write_path(const json_t *phase3, report_format_t fmt, const char *path,
                      const report_opts_t *o, err_t *err)
{
    if (!path || !strcmp(path, "-"))
        return report_write(phase3, fmt, stdout, o, err);
    if (fmt == REPORT_SQL)
        return report_write_sql_path(phase3, path, NULL, NULL, err);
    /* common/outfile: a file is replaced atomically (mode 0600), a device or
     * FIFO written in place, a directory refused. */
    outfile_t *f;
    if (outfile_open(path, &f, err) != 0)
        return -1;
    if (report_write(phase3, fmt, outfile_stream(f), o, err) != 0) {
        err_prefix(err, "writing %s: ", outfile_path(f));
        outfile_destroy(&f);
        return -1;
    }
    return outfile_commit(&f, err);
}
