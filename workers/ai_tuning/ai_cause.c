/*
 * ai_cause.c - attribution: the most likely cause of a regression,
 * improvement or anomaly, from what changed between the history entries
 * around the change point (docs/AI_TUNING.md, "Attribution").
 *
 * Every check runs and is listed in `checked` with its result, so
 * "unknown" always says what was ruled out. The cause is the first check
 * that found a relevant change, in an order that puts root causes before
 * their effects: an index dropped changes the plan, a setting changed can
 * change the plan and make sorts spill, data growth makes the same plan
 * slower and moves statistics; a plan change alone (statistics moved) comes
 * after those; new statements, lock waits and a restart explain load
 * rather than a statement's own time.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/jsonget.h"
#include "common/sqlparse.h"
#include "common/strbuf.h"
#include "workers/ai_tuning/ai_internal.h"

#define GROWTH_RATIO 1.5 /* rows or bytes of a table read, across the change */
#define SPILL_RATIO  2.0 /* temp blocks per call after / before (+1 block) */
#define MAX_TABLES   16

/* Settings that change plans or memory per operation: a change elsewhere
 * (logging, timeouts) is listed but not blamed. */
static const char *const PLAN_SETTINGS[] = {
    "work_mem",
    "hash_mem_multiplier",
    "random_page_cost",
    "seq_page_cost",
    "cpu_tuple_cost",
    "cpu_index_tuple_cost",
    "cpu_operator_cost",
    "effective_cache_size",
    "effective_io_concurrency",
    "default_statistics_target",
    "shared_buffers",
    "max_parallel_workers_per_gather",
    "max_parallel_workers",
    "parallel_setup_cost",
    "parallel_tuple_cost",
    "plan_cache_mode",
    "jit",
    "jit_above_cost",
    "from_collapse_limit",
    "join_collapse_limit",
    "geqo",
    "geqo_threshold",
    "constraint_exclusion",
    "temp_buffers",
    "maintenance_work_mem",
    NULL,
};

/* Whether setting name can change plans: any enable_* or one of
 * PLAN_SETTINGS. Returns 1 or 0. */
static int plan_setting(const char *name)
{
    if (!strncmp(name, "enable_", 7))
        return 1;
    for (size_t i = 0; PLAN_SETTINGS[i]; i++)
        if (!strcmp(name, PLAN_SETTINGS[i]))
            return 1;
    return 0;
}

typedef struct {
    char schema[64], name[64];
} tref_t;

typedef struct {
    tref_t t[MAX_TABLES];
    size_t n;
} tables_t;

/* sqlparse_walk callback collecting the distinct tables a statement names
 * into the tables_t at user (at most MAX_TABLES; later ones are dropped).
 * Always returns 0 (keep walking). */
static int visit_rangevar(const ProtobufCMessage *node, int depth, void *user)
{
    (void)depth;
    if (node->descriptor != &pg_query__range_var__descriptor)
        return 0;
    const PgQuery__RangeVar *rv = (const PgQuery__RangeVar *)node;
    tables_t *ts = user;
    if (!rv->relname || !*rv->relname || ts->n >= MAX_TABLES)
        return 0;
    for (size_t i = 0; i < ts->n; i++)
        if (!strcmp(ts->t[i].name, rv->relname))
            return 0;
    snprintf(ts->t[ts->n].schema, sizeof ts->t[ts->n].schema, "%s",
             rv->schemaname ? rv->schemaname : "");
    snprintf(ts->t[ts->n].name, sizeof ts->t[ts->n].name, "%s", rv->relname);
    ts->n++;
    return 0;
}

/* Relations the statement names (CTE names included: harmless, they match
 * no table). */
static void statement_tables(const char *sql, tables_t *ts)
{
    ts->n = 0;
    sqlparse_t *p = NULL;
    if (!sql || sqlparse_parse(sql, &p, NULL) != 0)
        return;
    sqlparse_walk((const ProtobufCMessage *)sqlparse_tree(p), visit_rangevar, ts);
    sqlparse_destroy(&p);
}

/* Whether ts names table schema.name; an unqualified name in ts matches any
 * schema. Returns 1 or 0, 0 for a NULL name. */
static int reads_table(const tables_t *ts, const char *schema, const char *name)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < ts->n; i++)
        if (!strcmp(ts->t[i].name, name) &&
            (!ts->t[i].schema[0] || (schema && !strcmp(ts->t[i].schema, schema))))
            return 1;
    return 0;
}

/* History entries by time. */
typedef struct {
    double t;
    const json_t *e;
} ent_t;

static int cmp_ent(const void *a, const void *b)
{
    double x = ((const ent_t *)a)->t, y = ((const ent_t *)b)->t;
    return x < y ? -1 : x > y;
}

/* The row of history entry's "statements" with this queryid, or NULL when
 * there is none. */
static const json_t *stmt_row(const json_t *entry, int64_t queryid)
{
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(entry, "statements"), i, r)
    {
        if (json_integer_value(json_object_get(r, "queryid")) == queryid)
            return r;
    }
    return NULL;
}

/* The object of array arr whose "name" is name and whose "schema" is schema
 * (a missing schema on either side matches any). Returns NULL when none
 * matches or name is NULL. */
static const json_t *find_named(const json_t *arr, const char *schema, const char *name)
{
    size_t i;
    const json_t *r;
    json_array_foreach(arr, i, r)
    {
        const char *s = jget_str(r, "schema"), *n = jget_str(r, "name");
        if (n && name && !strcmp(n, name) && (!schema || !s || !strcmp(s, schema)))
            return r;
    }
    return NULL;
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

typedef struct {
    json_t *checked;  /* [{check, result, detail}] */
    json_t *evidence; /* strings of changes found */
} acc_t;

static void checked(acc_t *a, const char *check, const char *result, json_t *detail)
{
    json_array_append_new(a->checked, json_pack("{s:s, s:s, s:o}", "check", check, "result", result,
                                                "detail", detail ? detail : json_string("")));
}

/* Lock waits (sessions waiting on a Lock) in an entry; NAN when unknown. */
static double lock_waits(const json_t *e)
{
    /* This database's waits when collected (other databases' lock waits
     * do not slow this one's statements). */
    const json_t *act = json_object_get(e, "activity");
    const json_t *w = json_object_get(act, "waiting_here");
    if (!json_is_array(w))
        w = json_object_get(act, "waiting");
    if (!json_is_array(w))
        return NAN;
    double n = 0;
    size_t i;
    const json_t *r;
    json_array_foreach(w, i, r)
    {
        const char *t = jget_str(r, "wait_event_type");
        if (t && !strcmp(t, "Lock"))
            n += isfinite(jget_num(r, "count")) ? jget_num(r, "count") : 0;
    }
    return n;
}

/* The history entries around a change, and what every check reads. */
typedef struct {
    ai_ctx_t *c;
    const ai_change_t *ch;
    ent_t *es; /* every entry, by time */
    size_t ne;
    /* e0: the last entry at or before the change's start (index i0); e1: the
     * first at or after its end (i1); efirst / elast: the first and last of
     * the change's window (before.t0 .. after.t1). */
    const json_t *e0, *e1, *efirst, *elast;
    size_t i0, i1;
    tables_t ts;     /* the tables the statement reads */
    int table_scope; /* 1 when they are known (else every table counts) */
} around_t;

/* What the checks found, for the choice of the cause: each check fills its
 * own fields (a summary only when it found something relevant). */
typedef struct {
    char idx_cause[32]; /* index_dropped, index_invalid, index_changed, index_created */
    strbuf_t idx_sum;
    char set_name[64]; /* the first plan-relevant setting changed */
    strbuf_t set_sum;
    int spill;
    strbuf_t grow_sum, stat_sum;
    int plan_changed;
    strbuf_t plan_sum;
    int new_heavy;
    strbuf_t new_sum;
    int locks, restart;
} found_t;

/* Frees the summary buffers of a found_t. Cannot fail. */
static void found_free(found_t *f)
{
    strbuf_free(&f->idx_sum);
    strbuf_free(&f->set_sum);
    strbuf_free(&f->grow_sum);
    strbuf_free(&f->stat_sum);
    strbuf_free(&f->plan_sum);
    strbuf_free(&f->new_sum);
}

/* Sorts the history's entries by time into w->es and finds the entries
 * around the change. Returns 0, or -1 when there is no entry on one side.
 * A long history ships statements, tables and indexes on a
 * subset of its entries (history_build's max_points): only those are
 * compared when there are any. */
static int around_find(ai_ctx_t *c, const ai_change_t *ch, around_t *w)
{
    memset(w, 0, sizeof *w);
    w->c = c;
    w->ch = ch;
    const json_t *hist = json_object_get(c->snapshot, "history");
    size_t nh = json_array_size(hist);
    w->es = xcalloc(nh, sizeof *w->es);
    for (size_t i = 0; i < nh; i++) {
        const json_t *e = json_array_get(hist, i);
        double t;
        if (ai_parse_time(jget_str(e, "collected_at"), &t) == 0)
            w->es[w->ne++] = (ent_t){t, e};
    }
    if (w->ne)
        qsort(w->es, w->ne, sizeof *w->es, cmp_ent);
    int rows_somewhere = 0;
    for (size_t i = 0; i < w->ne && !rows_somewhere; i++)
        rows_somewhere = json_is_array(json_object_get(w->es[i].e, "statements"));
    for (size_t i = 0; i < w->ne; i++) {
        if (rows_somewhere && !json_is_array(json_object_get(w->es[i].e, "statements")))
            continue;
        if (w->es[i].t <= ch->t0 + 1e-3) {
            w->e0 = w->es[i].e;
            w->i0 = i;
        }
        if (!w->e1 && w->es[i].t >= ch->t1 - 1e-3) {
            w->e1 = w->es[i].e;
            w->i1 = i;
        }
        if (!w->efirst && w->es[i].t >= ch->win0 - 1e-3)
            w->efirst = w->es[i].e;
        if (w->es[i].t <= ch->win1 + 1e-3)
            w->elast = w->es[i].e;
    }
    if (!w->e0 || !w->e1)
        return -1;
    const char *sql = ch->queryid ? ai_statement_text(c->snapshot, ch->queryid) : NULL;
    statement_tables(sql, &w->ts);
    w->table_scope = w->ts.n > 0;
    return 0;
}

/* Whether a change on this table concerns the statement: every table does
 * for a load change or when the statement's tables are unknown. */
static int relevant_table(const around_t *w, const char *schema, const char *table)
{
    return !w->ch->queryid || !w->table_scope || reads_table(&w->ts, schema, table);
}

/* 1. Indexes created, dropped, made invalid or redefined between e0 and
 * e1. A relevant dropped / invalidated / redefined index explains a
 * regression; a relevant index created explains an improvement (valid) or a
 * regression (invalid: a failed CREATE INDEX CONCURRENTLY). */
static void check_indexes(const around_t *w, acc_t *a, found_t *f)
{
    const ai_change_t *ch = w->ch;
    const json_t *ix0 = json_object_get(w->e0, "indexes"), *ix1 = json_object_get(w->e1, "indexes");
    if (!json_is_array(ix0) || !json_is_array(ix1)) {
        checked(a, "indexes", "no data",
                json_string("index definitions not in the history entries (recorded since "
                            "pgopt 0.1 with issue 16)"));
        return;
    }
    json_t *changes = json_array();
    size_t i;
    const json_t *r;
    json_array_foreach(ix0, i, r)
    {
        const json_t *q = find_named(ix1, jget_str(r, "schema"), jget_str(r, "name"));
        const char *what = NULL;
        if (!q)
            what = "dropped";
        else if (json_is_true(json_object_get(r, "is_valid")) &&
                 !json_is_true(json_object_get(q, "is_valid")))
            what = "made invalid";
        else if (!same(jget_str(r, "definition"), jget_str(q, "definition")))
            what = "redefined";
        if (!what)
            continue;
        int rel = relevant_table(w, jget_str(r, "schema"), jget_str(r, "table"));
        json_array_append_new(
            changes, json_sprintf("%s %s (%s)%s", what, jget_str(r, "name"),
                                  jget_str(r, "definition") ? jget_str(r, "definition") : "?",
                                  rel ? "" : " - on a table this statement does not read"));
        if (rel && ch->direction > 0 && !f->idx_cause[0]) {
            snprintf(f->idx_cause, sizeof f->idx_cause, "%s",
                     !strcmp(what, "dropped")        ? "index_dropped"
                     : !strcmp(what, "made invalid") ? "index_invalid"
                                                     : "index_changed");
            strbuf_printf(&f->idx_sum, "index %s %s between %s and %s: %s", jget_str(r, "name"),
                          what, jget_str(w->e0, "collected_at"), jget_str(w->e1, "collected_at"),
                          jget_str(r, "definition") ? jget_str(r, "definition") : "");
        }
    }
    json_array_foreach(ix1, i, r)
    {
        const json_t *p = find_named(ix0, jget_str(r, "schema"), jget_str(r, "name"));
        if (p)
            continue;
        int valid = json_is_true(json_object_get(r, "is_valid"));
        int rel = relevant_table(w, jget_str(r, "schema"), jget_str(r, "table"));
        json_array_append_new(
            changes,
            json_sprintf("created %s%s (%s)%s", jget_str(r, "name"), valid ? "" : " INVALID",
                         jget_str(r, "definition") ? jget_str(r, "definition") : "?",
                         rel ? "" : " - on a table this statement does not read"));
        if (rel && !f->idx_cause[0] &&
            ((ch->direction < 0 && valid) || (ch->direction > 0 && !valid))) {
            snprintf(f->idx_cause, sizeof f->idx_cause, "%s",
                     valid ? "index_created" : "index_invalid");
            strbuf_printf(&f->idx_sum, "index %s created%s between %s and %s: %s",
                          jget_str(r, "name"),
                          valid ? "" : " (invalid: a failed CREATE INDEX CONCURRENTLY)",
                          jget_str(w->e0, "collected_at"), jget_str(w->e1, "collected_at"),
                          jget_str(r, "definition") ? jget_str(r, "definition") : "");
        }
    }
    checked(a, "indexes", json_array_size(changes) ? "changed" : "no change", changes);
    for (size_t k = 0; k < json_array_size(changes); k++)
        json_array_append_new(
            a->evidence, json_sprintf("index %s", json_string_value(json_array_get(changes, k))));
}

/* 2. Settings changed between e0 and e1 (the maps hold the settings not at
 * their built-in default). Every change is listed; the first that changes
 * plans or memory per operation (plan_setting) is the candidate cause. */
static void check_settings(const around_t *w, acc_t *a, found_t *f)
{
    const json_t *s0 = json_object_get(w->e0, "settings"), *s1 = json_object_get(w->e1, "settings");
    if (!json_is_object(s0) || !json_is_object(s1)) {
        checked(a, "settings", "no data", json_string("settings not in the history entries"));
        return;
    }
    json_t *changes = json_array();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)s0, k, v)
    {
        const char *b = jget_str(s1, k);
        if (!same(json_string_value(v), b)) {
            json_array_append_new(
                changes, json_sprintf("%s: %s -> %s", k, json_string_value(v), b ? b : "default"));
            if (plan_setting(k) && !f->set_name[0]) {
                snprintf(f->set_name, sizeof f->set_name, "%s", k);
                strbuf_printf(&f->set_sum, "setting %s changed %s -> %s", k, json_string_value(v),
                              b ? b : "(built-in default)");
            }
        }
    }
    json_object_foreach((json_t *)s1, k, v)
    {
        if (json_object_get(s0, k))
            continue;
        json_array_append_new(changes, json_sprintf("%s: default -> %s", k, json_string_value(v)));
        if (plan_setting(k) && !f->set_name[0]) {
            snprintf(f->set_name, sizeof f->set_name, "%s", k);
            strbuf_printf(&f->set_sum, "setting %s changed (built-in default) -> %s", k,
                          json_string_value(v));
        }
    }
    checked(a, "settings", json_array_size(changes) ? "changed" : "no change", changes);
    for (size_t i = 0; i < json_array_size(changes); i++)
        json_array_append_new(
            a->evidence, json_sprintf("setting %s", json_string_value(json_array_get(changes, i))));
}

/* 3. Temp blocks written per call, before vs after (statement changes
 * only): a sort or hash that started (or stopped) spilling. */
static void check_temp_spill(const around_t *w, acc_t *a, found_t *f)
{
    const ai_change_t *ch = w->ch;
    if (!ch->queryid)
        return;
    if (!isfinite(ch->temp_before) || !isfinite(ch->temp_after)) {
        checked(a, "temp_spill", "no data",
                json_string("temp blocks not in the statement history"));
        return;
    }
    f->spill = ch->direction > 0 ? ch->temp_after > SPILL_RATIO * ch->temp_before + 1
                                 : ch->temp_before > SPILL_RATIO * ch->temp_after + 1;
    json_t *d =
        json_sprintf("%.1f -> %.1f temp blocks written per call", ch->temp_before, ch->temp_after);
    checked(a, "temp_spill", f->spill ? "changed" : "no change", d);
    if (f->spill)
        json_array_append_new(a->evidence, json_sprintf("temp spill %.1f -> %.1f blocks per call",
                                                        ch->temp_before, ch->temp_after));
}

/* 4. Data growth (or shrink, for an improvement) of the tables the
 * statement reads: rows or bytes x GROWTH_RATIO across the change or across
 * the whole window (growth spread over several intervals still counts). The
 * largest ratio is the candidate cause. */
static void check_data_growth(const around_t *w, acc_t *a, found_t *f)
{
    const ai_change_t *ch = w->ch;
    const json_t *t0 = json_object_get(w->e0, "tables"), *t1 = json_object_get(w->e1, "tables");
    const json_t *tf = json_object_get(w->efirst, "tables"),
                 *tl = json_object_get(w->elast, "tables");
    if (!json_is_array(t0) || !json_is_array(t1)) {
        checked(a, "data_growth", "no data", json_string("tables not in the history entries"));
        return;
    }
    double best_ratio = 1;
    json_t *grow = json_array();
    int tables_seen = 0;
    size_t i;
    const json_t *r1;
    json_array_foreach(t1, i, r1)
    {
        const char *sch = jget_str(r1, "schema"), *nm = jget_str(r1, "name");
        if (ch->queryid && (!w->table_scope || !reads_table(&w->ts, sch, nm)))
            continue;
        const json_t *r0 = find_named(t0, sch, nm);
        if (!r0)
            continue;
        tables_seen++;
        const json_t *rf = tf ? find_named(tf, sch, nm) : NULL;
        const json_t *rl = tl ? find_named(tl, sch, nm) : NULL;
        double ratios[4] = {
            jget_num(r1, "n_live_tup") / jget_num(r0, "n_live_tup"),
            jget_num(r1, "total_bytes") / jget_num(r0, "total_bytes"),
            rf && rl ? jget_num(rl, "n_live_tup") / jget_num(rf, "n_live_tup") : NAN,
            rf && rl ? jget_num(rl, "total_bytes") / jget_num(rf, "total_bytes") : NAN};
        double rmax = NAN;
        for (int k = 0; k < 4; k++)
            if (isfinite(ratios[k]) && ratios[k] > 0) {
                double mag = ch->direction > 0 ? ratios[k] : 1 / ratios[k];
                rmax = isfinite(rmax) ? fmax(rmax, mag) : mag;
            }
        if (!isfinite(rmax) || rmax < GROWTH_RATIO)
            continue;
        json_array_append_new(
            grow, json_sprintf("%s.%s rows %.0f -> %.0f, %.0f -> %.0f bytes", sch ? sch : "", nm,
                               jget_num(r0, "n_live_tup"), jget_num(r1, "n_live_tup"),
                               jget_num(r0, "total_bytes"), jget_num(r1, "total_bytes")));
        if (rmax > best_ratio) {
            best_ratio = rmax;
            strbuf_free(&f->grow_sum);
            strbuf_printf(
                &f->grow_sum,
                "data %s: %s.%s x%.2g (rows %.0f -> %.0f, %.0f -> %.0f bytes) "
                "between %s and %s",
                ch->direction > 0 ? "growth" : "shrink", sch ? sch : "", nm, rmax,
                jget_num(rf ? rf : r0, "n_live_tup"), jget_num(rl ? rl : r1, "n_live_tup"),
                jget_num(rf ? rf : r0, "total_bytes"), jget_num(rl ? rl : r1, "total_bytes"),
                jget_str(w->e0, "collected_at"), jget_str(w->e1, "collected_at"));
        }
    }
    checked(a, "data_growth",
            !tables_seen            ? "no data"
            : json_array_size(grow) ? "changed"
                                    : "no change",
            json_incref(grow));
    for (size_t k = 0; k < json_array_size(grow); k++)
        json_array_append_new(a->evidence,
                              json_sprintf("data %s", json_string_value(json_array_get(grow, k))));
    json_decref(grow);
}

/* 5. Statistics of the tables the statement reads: last_analyze or
 * last_autoanalyze moved between e0 and e1 (what makes a plan flip without
 * an index or setting change). */
static void check_statistics(const around_t *w, acc_t *a, found_t *f)
{
    const ai_change_t *ch = w->ch;
    const json_t *t0 = json_object_get(w->e0, "tables"), *t1 = json_object_get(w->e1, "tables");
    if (!json_is_array(t0) || !json_is_array(t1)) {
        checked(a, "statistics", "no data", json_string("tables not in the history entries"));
        return;
    }
    json_t *stats = json_array();
    int tables_seen = 0;
    size_t i;
    const json_t *r1;
    json_array_foreach(t1, i, r1)
    {
        const char *sch = jget_str(r1, "schema"), *nm = jget_str(r1, "name");
        if (ch->queryid && (!w->table_scope || !reads_table(&w->ts, sch, nm)))
            continue;
        const json_t *r0 = find_named(t0, sch, nm);
        if (!r0)
            continue;
        tables_seen++;
        const char *keys[2] = {"last_analyze", "last_autoanalyze"};
        for (int k = 0; k < 2; k++)
            if (jget_str(r1, keys[k]) && !same(jget_str(r0, keys[k]), jget_str(r1, keys[k]))) {
                json_array_append_new(stats, json_sprintf("%s.%s %s %s", sch ? sch : "", nm,
                                                          keys[k] + 5, jget_str(r1, keys[k])));
                if (!f->stat_sum.len)
                    strbuf_printf(&f->stat_sum, "statistics of %s.%s changed (%s at %s)",
                                  sch ? sch : "", nm, k ? "autoanalyze" : "ANALYZE",
                                  jget_str(r1, keys[k]));
            }
    }
    checked(a, "statistics",
            !tables_seen             ? "no data"
            : json_array_size(stats) ? "changed"
                                     : "no change",
            json_incref(stats));
    for (size_t k = 0; k < json_array_size(stats); k++)
        json_array_append_new(
            a->evidence,
            json_sprintf("statistics %s", json_string_value(json_array_get(stats, k))));
    json_decref(stats);
}

/* 6. The statement's generic-plan fingerprint (statement changes only):
 * the last one at or before e0 against the first at or after e1. */
static void check_plan(const around_t *w, acc_t *a, found_t *f)
{
    const ai_change_t *ch = w->ch;
    if (!ch->queryid)
        return;
    const char *h0 = NULL, *h1 = NULL, *at0 = NULL, *at1 = NULL;
    for (size_t i = w->i0 + 1; i-- > 0 && !h0;) {
        const json_t *r = stmt_row(w->es[i].e, ch->queryid);
        if (r && jget_str(r, "plan_hash")) {
            h0 = jget_str(r, "plan_hash");
            at0 = jget_str(w->es[i].e, "collected_at");
        }
    }
    for (size_t i = w->i1; i < w->ne && !h1; i++) {
        const json_t *r = stmt_row(w->es[i].e, ch->queryid);
        if (r && jget_str(r, "plan_hash")) {
            h1 = jget_str(r, "plan_hash");
            at1 = jget_str(w->es[i].e, "collected_at");
        }
    }
    if (!h0 || !h1) {
        checked(a, "plan", "no data",
                json_string("no plan fingerprint on both sides (only the top 20 statements by "
                            "time are fingerprinted)"));
        return;
    }
    f->plan_changed = strcmp(h0, h1) != 0;
    checked(a, "plan", f->plan_changed ? "changed" : "no change",
            json_sprintf("generic-plan fingerprint %s (%s) -> %s (%s)", h0, at0, h1, at1));
    if (f->plan_changed) {
        json_array_append_new(a->evidence, json_sprintf("plan fingerprint %s -> %s", h0, h1));
        strbuf_printf(&f->plan_sum, "plan changed (fingerprint %s -> %s)", h0, h1);
    }
}

/* 7. A statement absent (or never called) at the start of the window that
 * takes >= 20% of the statement time by its end. The window, not the
 * entries around the change, so a change point one interval off still
 * finds it. */
static void check_new_statements(const around_t *w, acc_t *a, found_t *f)
{
    const ai_change_t *ch = w->ch;
    if (!w->elast || !json_is_array(json_object_get(w->e0, "statements")) ||
        !json_is_array(json_object_get(w->elast, "statements"))) {
        checked(a, "new_statements", "no data",
                json_string("statements not in the history entries"));
        return;
    }
    double total_after = 0, best = 0;
    const json_t *bestr = NULL;
    size_t i;
    const json_t *r;
    const json_t *ebase = w->efirst ? w->efirst : w->e0;
    json_array_foreach(json_object_get(w->elast, "statements"), i, r)
    {
        int64_t q = json_integer_value(json_object_get(r, "queryid"));
        const json_t *p0 = stmt_row(ebase, q);
        double base = p0 ? jget_num(p0, "total_exec_time") : 0;
        double d = jget_num(r, "total_exec_time") - (isfinite(base) ? base : 0);
        if (isfinite(d) && d > 0)
            total_after += d;
        int is_new = !p0 || jget_num(p0, "calls") == 0;
        if (is_new && q != ch->queryid && isfinite(d) && d > best) {
            best = d;
            bestr = r;
        }
    }
    double share = total_after > 0 ? best / total_after : 0;
    f->new_heavy = bestr && share >= 0.2;
    json_t *d = bestr
                    ? json_sprintf("queryid %lld new since %s: %.0f%% of statement time "
                                   "after the change",
                                   (long long)json_integer_value(json_object_get(bestr, "queryid")),
                                   jget_str(w->e0, "collected_at"), 100 * share)
                    : json_string("no statement appeared around the change");
    checked(a, "new_statements", f->new_heavy ? "changed" : "no change", d);
    if (f->new_heavy) {
        const char *txt = ai_statement_text(w->c->snapshot,
                                            json_integer_value(json_object_get(bestr, "queryid")));
        strbuf_printf(&f->new_sum, "a new statement takes %.0f%% of the time since %s: %.80s",
                      100 * share, jget_str(ebase, "collected_at"), txt ? txt : "(text not kept)");
        json_array_append_new(a->evidence, json_string(strbuf_str(&f->new_sum)));
    }
}

/* 8. Sessions of this database waiting on locks, mean per snapshot in the
 * window before the change against after it: a regression when at least
 * one waits on average after, twice as many as before. */
static void check_lock_waits(const around_t *w, acc_t *a, found_t *f)
{
    const ai_change_t *ch = w->ch;
    double wb = 0, wa = 0;
    size_t nb = 0, na = 0;
    for (size_t i = 0; i < w->ne; i++) {
        double x = lock_waits(w->es[i].e);
        if (!isfinite(x))
            continue;
        if (w->es[i].t <= ch->t0 + 1e-3 && w->es[i].t >= ch->win0 - 1e-3) {
            wb += x;
            nb++;
        } else if (w->es[i].t >= ch->t1 - 1e-3 && w->es[i].t <= ch->win1 + 1e-3) {
            wa += x;
            na++;
        }
    }
    if (!nb || !na) {
        checked(a, "lock_waits", "no data", json_string("wait events not in the history"));
        return;
    }
    double mb = wb / nb, ma = wa / na;
    f->locks = ch->direction > 0 && ma >= 1 && ma > 2 * mb;
    checked(a, "lock_waits", f->locks ? "changed" : "no change",
            json_sprintf("sessions waiting on locks: %.1f before, %.1f after (mean per "
                         "snapshot)",
                         mb, ma));
    if (f->locks)
        json_array_append_new(a->evidence,
                              json_sprintf("lock waits %.1f -> %.1f sessions", mb, ma));
}

/* 9. A server restart (postmaster start time moved between e0 and e1: a
 * cold cache) or a statistics reset. */
static void check_restart(const around_t *w, acc_t *a, found_t *f)
{
    const char *r0 = jget_str(w->e0, "server_started_at"),
               *r1 = jget_str(w->e1, "server_started_at");
    const json_t *sr0 = json_object_get(w->e0, "stats_reset"),
                 *sr1 = json_object_get(w->e1, "stats_reset");
    int reset = sr0 && sr1 && !json_equal((json_t *)sr0, (json_t *)sr1);
    f->restart = r0 && r1 && strcmp(r0, r1) != 0;
    checked(a, "restart_or_reset",
            f->restart || reset ? "changed"
            : r0 && r1          ? "no change"
                                : "no data",
            f->restart ? json_sprintf("server restarted at %s", r1)
            : reset    ? json_string("statistics were reset between the entries")
                       : json_string(""));
    if (f->restart)
        json_array_append_new(a->evidence, json_sprintf("server restarted at %s (cold cache)", r1));
}

/* The cause from what the checks found, roots before effects (see the top
 * of the file), with its summary in *summary; NULL when nothing relevant
 * changed. A statement's change looks at its own indexes, settings and
 * tables first; a load change (no statement) at new statements first. */
static const char *choose_cause(const ai_change_t *ch, const found_t *f, strbuf_t *summary)
{
    if (!ch->queryid) {
        if (f->new_heavy) {
            strbuf_add(summary, strbuf_str(&f->new_sum));
            return "new_statement";
        }
        if (f->set_name[0]) {
            strbuf_add(summary, strbuf_str(&f->set_sum));
            return "setting_changed";
        }
        if (f->idx_cause[0]) {
            strbuf_add(summary, strbuf_str(&f->idx_sum));
            return f->idx_cause;
        }
        if (f->locks) {
            strbuf_add(summary, "more sessions waiting on locks");
            return "lock_waits";
        }
        if (f->restart) {
            strbuf_add(summary, "server restart");
            return "restart";
        }
        return NULL;
    }
    if (f->idx_cause[0]) {
        strbuf_add(summary, strbuf_str(&f->idx_sum));
        if (f->plan_changed)
            strbuf_printf(summary, "; %s", strbuf_str(&f->plan_sum));
        return f->idx_cause;
    }
    if (f->set_name[0]) {
        strbuf_add(summary, strbuf_str(&f->set_sum));
        if (f->spill)
            strbuf_printf(summary, "; temp spill %.1f -> %.1f blocks per call", ch->temp_before,
                          ch->temp_after);
        if (f->plan_changed)
            strbuf_printf(summary, "; %s", strbuf_str(&f->plan_sum));
        return "setting_changed";
    }
    if (f->grow_sum.len) {
        strbuf_add(summary, strbuf_str(&f->grow_sum));
        if (f->plan_changed)
            strbuf_printf(summary, "; %s", strbuf_str(&f->plan_sum));
        return "data_growth";
    }
    if (f->plan_changed) {
        strbuf_add(summary, strbuf_str(&f->plan_sum));
        if (f->stat_sum.len)
            strbuf_printf(summary, " after %s", strbuf_str(&f->stat_sum));
        return "plan_change";
    }
    if (f->spill) {
        strbuf_printf(summary,
                      "temp spill %.1f -> %.1f blocks per call (no setting changed: "
                      "larger sorts or hashes)",
                      ch->temp_before, ch->temp_after);
        return "temp_spill";
    }
    if (f->stat_sum.len) {
        strbuf_add(summary, strbuf_str(&f->stat_sum));
        return "statistics_changed";
    }
    if (f->new_heavy) {
        strbuf_add(summary, strbuf_str(&f->new_sum));
        return "new_statement";
    }
    if (f->locks) {
        strbuf_add(summary, "more sessions waiting on locks after the change");
        return "lock_waits";
    }
    if (f->restart) {
        strbuf_add(summary, "server restart (cold cache)");
        return "restart";
    }
    return NULL;
}

/* One attribution over the entries around [ch->t0, ch->t1]: runs every
 * check (each listed in `checked`), then chooses the cause; "unknown" with
 * the list of what was checked when none found a relevant change. */
static json_t *attribute_once(ai_ctx_t *c, const ai_change_t *ch)
{
    around_t w;
    acc_t a = {json_array(), json_array()};
    found_t f = {0};
    const char *cause = NULL;
    strbuf_t summary = {0};
    if (around_find(c, ch, &w) != 0) {
        checked(&a, "history", "no data", json_string("no history entries around the change"));
    } else {
        check_indexes(&w, &a, &f);
        check_settings(&w, &a, &f);
        check_temp_spill(&w, &a, &f);
        check_data_growth(&w, &a, &f);
        check_statistics(&w, &a, &f);
        check_plan(&w, &a, &f);
        check_new_statements(&w, &a, &f);
        check_lock_waits(&w, &a, &f);
        check_restart(&w, &a, &f);
        cause = choose_cause(ch, &f, &summary);
    }
    if (!cause) {
        strbuf_t u = {0};
        /* A relevant change would have been the cause, so "changed" here
         * means a change that does not concern this statement or load. */
        strbuf_add(&u, "unknown: no relevant change found in the database (checked ");
        size_t i;
        const json_t *k;
        json_array_foreach(a.checked, i, k)
        {
            const char *res = jget_str(k, "result");
            strbuf_printf(&u, "%s%s: %s", i ? ", " : "", jget_str(k, "check"),
                          res && !strcmp(res, "changed") ? "changed, not relevant" : res);
        }
        strbuf_add(&u, ")");
        strbuf_free(&summary);
        summary = u;
        cause = "unknown";
    }
    json_t *out = json_object();
    char *sum = strbuf_take(&summary);
    json_object_set_new(out, "cause", json_string(cause));
    json_object_set_new(out, "summary", json_string(sum ? sum : cause));
    free(sum);
    found_free(&f); /* after the cause string (it may be f.idx_cause) was copied */
    if (w.e0 && w.e1)
        json_object_set_new(out, "compared",
                            json_pack("{s:s, s:s}", "before", jget_str(w.e0, "collected_at"),
                                      "after", jget_str(w.e1, "collected_at")));
    json_object_set_new(out, "evidence", a.evidence);
    json_object_set_new(out, "checked", a.checked);
    free(w.es);
    return out;
}

/* The change point of a step can be one interval off (the interval in which
 * the change happened mixes both levels). When the entries around it show
 * nothing, the checks run again over one more interval on each side, and
 * the summary says so. */
json_t *ai_attribute(ai_ctx_t *c, const ai_change_t *ch)
{
    json_t *r = attribute_once(c, ch);
    const char *cause = json_string_value(json_object_get(r, "cause"));
    double len = ch->t1 - ch->t0;
    /* Effects without their root (a plan change, statistics) or nothing:
     * look one interval wider for an index or setting change. */
    int effect = cause && (!strcmp(cause, "plan_change") || !strcmp(cause, "statistics_changed"));
    if (!cause || !(len > 0) || (strcmp(cause, "unknown") != 0 && !effect))
        return r;
    ai_change_t w = *ch;
    w.t0 = ch->t0 - len;
    w.t1 = ch->t1 + len;
    json_t *r2 = attribute_once(c, &w);
    const char *c2 = json_string_value(json_object_get(r2, "cause"));
    int root = c2 && (!strncmp(c2, "index_", 6) || !strcmp(c2, "setting_changed"));
    if (!c2 || !strcmp(c2, "unknown") || (effect && !root)) {
        json_decref(r2);
        return r;
    }
    json_decref(r);
    json_object_set_new(r2, "summary",
                        json_sprintf("%s (within one interval of the change point)",
                                     json_string_value(json_object_get(r2, "summary"))));
    json_object_set_new(r2, "bracket_widened", json_true());
    return r2;
}
