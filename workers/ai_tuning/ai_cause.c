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

static json_t *attribute_once(ai_ctx_t *c, const ai_change_t *ch)
{
    const json_t *hist = json_object_get(c->snapshot, "history");
    size_t nh = json_array_size(hist), ne = 0;
    ent_t *es = malloc((nh ? nh : 1) * sizeof *es);
    acc_t a = {json_array(), json_array()};
    json_t *out = json_object();
    for (size_t i = 0; es && i < nh; i++) {
        const json_t *e = json_array_get(hist, i);
        double t;
        if (ai_parse_time(jget_str(e, "collected_at"), &t) == 0)
            es[ne++] = (ent_t){t, e};
    }
    if (ne)
        qsort(es, ne, sizeof *es, cmp_ent);
    /* E0: the last entry at or before the change's start; E1: the first at
     * or after its end. A long history ships statements, tables and indexes
     * on a subset of its entries (history_build's max_points): only those
     * are compared when there are any. */
    int rows_somewhere = 0;
    for (size_t i = 0; i < ne && !rows_somewhere; i++)
        rows_somewhere = json_is_array(json_object_get(es[i].e, "statements"));
    const json_t *e0 = NULL, *e1 = NULL, *efirst = NULL, *elast = NULL;
    size_t i0 = 0, i1 = 0;
    for (size_t i = 0; i < ne; i++) {
        if (rows_somewhere && !json_is_array(json_object_get(es[i].e, "statements")))
            continue;
        if (es[i].t <= ch->t0 + 1e-3) {
            e0 = es[i].e;
            i0 = i;
        }
        if (!e1 && es[i].t >= ch->t1 - 1e-3) {
            e1 = es[i].e;
            i1 = i;
        }
        if (!efirst && es[i].t >= ch->win0 - 1e-3)
            efirst = es[i].e;
        if (es[i].t <= ch->win1 + 1e-3)
            elast = es[i].e;
    }
    const char *cause = NULL;
    strbuf_t summary = {0};
    if (!e0 || !e1) {
        checked(&a, "history", "no data", json_string("no history entries around the change"));
        goto done;
    }
    const char *sql = ch->queryid ? ai_statement_text(c->snapshot, ch->queryid) : NULL;
    tables_t ts;
    statement_tables(sql, &ts);
    int table_scope = ts.n > 0;

    /* 1. Indexes created, dropped, made invalid, redefined. */
    const json_t *ix0 = json_object_get(e0, "indexes"), *ix1 = json_object_get(e1, "indexes");
    char idx_cause[32] = "";
    strbuf_t idx_sum = {0};
    if (json_is_array(ix0) && json_is_array(ix1)) {
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
            int rel = !ch->queryid || !table_scope ||
                      reads_table(&ts, jget_str(r, "schema"), jget_str(r, "table"));
            json_array_append_new(
                changes, json_sprintf("%s %s (%s)%s", what, jget_str(r, "name"),
                                      jget_str(r, "definition") ? jget_str(r, "definition") : "?",
                                      rel ? "" : " - on a table this statement does not read"));
            if (rel && ch->direction > 0 && !idx_cause[0]) {
                snprintf(idx_cause, sizeof idx_cause, "%s",
                         !strcmp(what, "dropped")        ? "index_dropped"
                         : !strcmp(what, "made invalid") ? "index_invalid"
                                                         : "index_changed");
                strbuf_printf(&idx_sum, "index %s %s between %s and %s: %s", jget_str(r, "name"),
                              what, jget_str(e0, "collected_at"), jget_str(e1, "collected_at"),
                              jget_str(r, "definition") ? jget_str(r, "definition") : "");
            }
        }
        json_array_foreach(ix1, i, r)
        {
            const json_t *p = find_named(ix0, jget_str(r, "schema"), jget_str(r, "name"));
            if (p)
                continue;
            int valid = json_is_true(json_object_get(r, "is_valid"));
            int rel = !ch->queryid || !table_scope ||
                      reads_table(&ts, jget_str(r, "schema"), jget_str(r, "table"));
            json_array_append_new(
                changes,
                json_sprintf("created %s%s (%s)%s", jget_str(r, "name"), valid ? "" : " INVALID",
                             jget_str(r, "definition") ? jget_str(r, "definition") : "?",
                             rel ? "" : " - on a table this statement does not read"));
            if (rel && !idx_cause[0] &&
                ((ch->direction < 0 && valid) || (ch->direction > 0 && !valid))) {
                snprintf(idx_cause, sizeof idx_cause, "%s",
                         valid ? "index_created" : "index_invalid");
                strbuf_printf(&idx_sum, "index %s created%s between %s and %s: %s",
                              jget_str(r, "name"),
                              valid ? "" : " (invalid: a failed CREATE INDEX CONCURRENTLY)",
                              jget_str(e0, "collected_at"), jget_str(e1, "collected_at"),
                              jget_str(r, "definition") ? jget_str(r, "definition") : "");
            }
        }
        checked(&a, "indexes", json_array_size(changes) ? "changed" : "no change", changes);
        for (size_t k = 0; k < json_array_size(changes); k++)
            json_array_append_new(
                a.evidence,
                json_sprintf("index %s", json_string_value(json_array_get(changes, k))));
    } else {
        checked(&a, "indexes", "no data",
                json_string("index definitions not in the history entries (recorded since "
                            "pgopt 0.1 with issue 16)"));
    }

    /* 2. Settings. */
    const json_t *s0 = json_object_get(e0, "settings"), *s1 = json_object_get(e1, "settings");
    char set_name[64] = "";
    strbuf_t set_sum = {0};
    if (json_is_object(s0) && json_is_object(s1)) {
        json_t *changes = json_array();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)s0, k, v)
        {
            const char *b = jget_str(s1, k);
            if (!same(json_string_value(v), b)) {
                json_array_append_new(changes, json_sprintf("%s: %s -> %s", k, json_string_value(v),
                                                            b ? b : "default"));
                if (plan_setting(k) && !set_name[0]) {
                    snprintf(set_name, sizeof set_name, "%s", k);
                    strbuf_printf(&set_sum, "setting %s changed %s -> %s", k, json_string_value(v),
                                  b ? b : "(built-in default)");
                }
            }
        }
        json_object_foreach((json_t *)s1, k, v)
        {
            if (json_object_get(s0, k))
                continue;
            json_array_append_new(changes,
                                  json_sprintf("%s: default -> %s", k, json_string_value(v)));
            if (plan_setting(k) && !set_name[0]) {
                snprintf(set_name, sizeof set_name, "%s", k);
                strbuf_printf(&set_sum, "setting %s changed (built-in default) -> %s", k,
                              json_string_value(v));
            }
        }
        checked(&a, "settings", json_array_size(changes) ? "changed" : "no change", changes);
        for (size_t k2 = 0; k2 < json_array_size(changes); k2++)
            json_array_append_new(
                a.evidence,
                json_sprintf("setting %s", json_string_value(json_array_get(changes, k2))));
    } else {
        checked(&a, "settings", "no data", json_string("settings not in the history entries"));
    }

    /* 3. Temp spill per call. */
    int spill = 0;
    if (ch->queryid && isfinite(ch->temp_before) && isfinite(ch->temp_after)) {
        spill = ch->direction > 0 ? ch->temp_after > SPILL_RATIO * ch->temp_before + 1
                                  : ch->temp_before > SPILL_RATIO * ch->temp_after + 1;
        json_t *d = json_sprintf("%.1f -> %.1f temp blocks written per call", ch->temp_before,
                                 ch->temp_after);
        checked(&a, "temp_spill", spill ? "changed" : "no change", d);
        if (spill)
            json_array_append_new(a.evidence,
                                  json_sprintf("temp spill %.1f -> %.1f blocks per call",
                                               ch->temp_before, ch->temp_after));
    } else if (ch->queryid) {
        checked(&a, "temp_spill", "no data",
                json_string("temp blocks not in the statement history"));
    }

    /* 4. Data growth and 5. statistics of the tables read. */
    const json_t *t0 = json_object_get(e0, "tables"), *t1 = json_object_get(e1, "tables");
    const json_t *tf = json_object_get(efirst, "tables"), *tl = json_object_get(elast, "tables");
    double best_ratio = 1;
    strbuf_t grow_sum = {0}, stat_sum = {0};
    json_t *grow = json_array(), *stats = json_array();
    int tables_seen = 0;
    if (json_is_array(t0) && json_is_array(t1)) {
        size_t i;
        const json_t *r1;
        json_array_foreach(t1, i, r1)
        {
            const char *sch = jget_str(r1, "schema"), *nm = jget_str(r1, "name");
            if (ch->queryid && (!table_scope || !reads_table(&ts, sch, nm)))
                continue;
            const json_t *r0 = find_named(t0, sch, nm);
            if (!r0)
                continue;
            tables_seen++;
            /* Across the change and across the whole window: growth spread
             * over several intervals still counts. */
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
            if (isfinite(rmax) && rmax >= GROWTH_RATIO) {
                json_array_append_new(
                    grow,
                    json_sprintf("%s.%s rows %.0f -> %.0f, %.0f -> %.0f bytes", sch ? sch : "", nm,
                                 jget_num(r0, "n_live_tup"), jget_num(r1, "n_live_tup"),
                                 jget_num(r0, "total_bytes"), jget_num(r1, "total_bytes")));
                if (rmax > best_ratio) {
                    best_ratio = rmax;
                    strbuf_free(&grow_sum);
                    strbuf_printf(&grow_sum,
                                  "data %s: %s.%s x%.2g (rows %.0f -> %.0f, %.0f -> %.0f bytes) "
                                  "between %s and %s",
                                  ch->direction > 0 ? "growth" : "shrink", sch ? sch : "", nm, rmax,
                                  jget_num(rf ? rf : r0, "n_live_tup"),
                                  jget_num(rl ? rl : r1, "n_live_tup"),
                                  jget_num(rf ? rf : r0, "total_bytes"),
                                  jget_num(rl ? rl : r1, "total_bytes"),
                                  jget_str(e0, "collected_at"), jget_str(e1, "collected_at"));
                }
            }
            const char *keys[2] = {"last_analyze", "last_autoanalyze"};
            for (int k = 0; k < 2; k++)
                if (jget_str(r1, keys[k]) && !same(jget_str(r0, keys[k]), jget_str(r1, keys[k]))) {
                    json_array_append_new(stats, json_sprintf("%s.%s %s %s", sch ? sch : "", nm,
                                                              keys[k] + 5, jget_str(r1, keys[k])));
                    if (!stat_sum.len)
                        strbuf_printf(&stat_sum, "statistics of %s.%s changed (%s at %s)",
                                      sch ? sch : "", nm, k ? "autoanalyze" : "ANALYZE",
                                      jget_str(r1, keys[k]));
                }
        }
        checked(&a, "data_growth",
                !tables_seen            ? "no data"
                : json_array_size(grow) ? "changed"
                                        : "no change",
                json_incref(grow));
        checked(&a, "statistics",
                !tables_seen             ? "no data"
                : json_array_size(stats) ? "changed"
                                         : "no change",
                json_incref(stats));
        for (size_t k = 0; k < json_array_size(grow); k++)
            json_array_append_new(
                a.evidence, json_sprintf("data %s", json_string_value(json_array_get(grow, k))));
        for (size_t k = 0; k < json_array_size(stats); k++)
            json_array_append_new(
                a.evidence,
                json_sprintf("statistics %s", json_string_value(json_array_get(stats, k))));
    } else {
        checked(&a, "data_growth", "no data", json_string("tables not in the history entries"));
        checked(&a, "statistics", "no data", json_string("tables not in the history entries"));
    }
    json_decref(grow);
    json_decref(stats);

    /* 6. Plan fingerprint: the last one before the change, the first after. */
    int plan_changed = 0;
    strbuf_t plan_sum = {0};
    if (ch->queryid) {
        const char *h0 = NULL, *h1 = NULL, *at0 = NULL, *at1 = NULL;
        for (size_t i = i0 + 1; i-- > 0 && !h0;) {
            const json_t *r = stmt_row(es[i].e, ch->queryid);
            if (r && jget_str(r, "plan_hash")) {
                h0 = jget_str(r, "plan_hash");
                at0 = jget_str(es[i].e, "collected_at");
            }
        }
        for (size_t i = i1; i < ne && !h1; i++) {
            const json_t *r = stmt_row(es[i].e, ch->queryid);
            if (r && jget_str(r, "plan_hash")) {
                h1 = jget_str(r, "plan_hash");
                at1 = jget_str(es[i].e, "collected_at");
            }
        }
        if (h0 && h1) {
            plan_changed = strcmp(h0, h1) != 0;
            checked(&a, "plan", plan_changed ? "changed" : "no change",
                    json_sprintf("generic-plan fingerprint %s (%s) -> %s (%s)", h0, at0, h1, at1));
            if (plan_changed) {
                json_array_append_new(a.evidence,
                                      json_sprintf("plan fingerprint %s -> %s", h0, h1));
                strbuf_printf(&plan_sum, "plan changed (fingerprint %s -> %s)", h0, h1);
            }
        } else {
            checked(&a, "plan", "no data",
                    json_string("no plan fingerprint on both sides (only the top 20 statements by "
                                "time are fingerprinted)"));
        }
    }

    /* 7. New statements taking the time after the change. */
    strbuf_t new_sum = {0};
    int new_heavy = 0;
    if (elast && json_is_array(json_object_get(e0, "statements")) &&
        json_is_array(json_object_get(elast, "statements"))) {
        double total_after = 0, best = 0;
        const json_t *bestr = NULL;
        size_t i;
        const json_t *r;
        /* Over the whole window: a statement absent (or never called) at
         * its start that took the time by its end. The window, not the
         * entries around the change, so a change point one interval off
         * still finds it. */
        const json_t *ebase = efirst ? efirst : e0;
        json_array_foreach(json_object_get(elast, "statements"), i, r)
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
        new_heavy = bestr && share >= 0.2;
        json_t *d =
            bestr ? json_sprintf("queryid %lld new since %s: %.0f%% of statement time "
                                 "after the change",
                                 (long long)json_integer_value(json_object_get(bestr, "queryid")),
                                 jget_str(e0, "collected_at"), 100 * share)
                  : json_string("no statement appeared around the change");
        checked(&a, "new_statements", new_heavy ? "changed" : "no change", d);
        if (new_heavy) {
            const char *txt = ai_statement_text(
                c->snapshot, json_integer_value(json_object_get(bestr, "queryid")));
            strbuf_printf(&new_sum, "a new statement takes %.0f%% of the time since %s: %.80s",
                          100 * share, jget_str(ebase, "collected_at"),
                          txt ? txt : "(text not kept)");
            json_array_append_new(a.evidence, json_string(strbuf_str(&new_sum)));
        }
    } else {
        checked(&a, "new_statements", "no data",
                json_string("statements not in the history entries"));
    }

    /* 8. Lock waits, before vs after. */
    int locks = 0;
    {
        double wb = 0, wa = 0;
        size_t nb = 0, na = 0;
        for (size_t i = 0; i < ne; i++) {
            double w = lock_waits(es[i].e);
            if (!isfinite(w))
                continue;
            if (es[i].t <= ch->t0 + 1e-3 && es[i].t >= ch->win0 - 1e-3) {
                wb += w;
                nb++;
            } else if (es[i].t >= ch->t1 - 1e-3 && es[i].t <= ch->win1 + 1e-3) {
                wa += w;
                na++;
            }
        }
        if (nb && na) {
            double mb = wb / nb, ma = wa / na;
            locks = ch->direction > 0 && ma >= 1 && ma > 2 * mb;
            checked(&a, "lock_waits", locks ? "changed" : "no change",
                    json_sprintf("sessions waiting on locks: %.1f before, %.1f after (mean per "
                                 "snapshot)",
                                 mb, ma));
            if (locks)
                json_array_append_new(a.evidence,
                                      json_sprintf("lock waits %.1f -> %.1f sessions", mb, ma));
        } else {
            checked(&a, "lock_waits", "no data", json_string("wait events not in the history"));
        }
    }

    /* 9. Restart or statistics reset. */
    int restart = 0;
    {
        const char *r0 = jget_str(e0, "server_started_at"), *r1 = jget_str(e1, "server_started_at");
        const json_t *sr0 = json_object_get(e0, "stats_reset"),
                     *sr1 = json_object_get(e1, "stats_reset");
        int reset = sr0 && sr1 && !json_equal((json_t *)sr0, (json_t *)sr1);
        restart = r0 && r1 && strcmp(r0, r1) != 0;
        checked(&a, "restart_or_reset",
                restart || reset ? "changed"
                : r0 && r1       ? "no change"
                                 : "no data",
                restart ? json_sprintf("server restarted at %s", r1)
                : reset ? json_string("statistics were reset between the entries")
                        : json_string(""));
        if (restart)
            json_array_append_new(a.evidence,
                                  json_sprintf("server restarted at %s (cold cache)", r1));
    }

    /* The cause, roots before effects. */
    if (ch->queryid) {
        if (idx_cause[0]) {
            cause = idx_cause;
            strbuf_add(&summary, strbuf_str(&idx_sum));
            if (plan_changed)
                strbuf_printf(&summary, "; %s", strbuf_str(&plan_sum));
        } else if (set_name[0]) {
            cause = "setting_changed";
            strbuf_add(&summary, strbuf_str(&set_sum));
            if (spill)
                strbuf_printf(&summary, "; temp spill %.1f -> %.1f blocks per call",
                              ch->temp_before, ch->temp_after);
            if (plan_changed)
                strbuf_printf(&summary, "; %s", strbuf_str(&plan_sum));
        } else if (grow_sum.len) {
            cause = "data_growth";
            strbuf_add(&summary, strbuf_str(&grow_sum));
            if (plan_changed)
                strbuf_printf(&summary, "; %s", strbuf_str(&plan_sum));
        } else if (plan_changed) {
            cause = "plan_change";
            strbuf_add(&summary, strbuf_str(&plan_sum));
            if (stat_sum.len)
                strbuf_printf(&summary, " after %s", strbuf_str(&stat_sum));
        } else if (spill) {
            cause = "temp_spill";
            strbuf_printf(&summary,
                          "temp spill %.1f -> %.1f blocks per call (no setting changed: "
                          "larger sorts or hashes)",
                          ch->temp_before, ch->temp_after);
        } else if (stat_sum.len) {
            cause = "statistics_changed";
            strbuf_add(&summary, strbuf_str(&stat_sum));
        } else if (new_heavy) {
            cause = "new_statement";
            strbuf_add(&summary, strbuf_str(&new_sum));
        } else if (locks) {
            cause = "lock_waits";
            strbuf_add(&summary, "more sessions waiting on locks after the change");
        } else if (restart) {
            cause = "restart";
            strbuf_add(&summary, "server restart (cold cache)");
        }
    } else {
        if (new_heavy) {
            cause = "new_statement";
            strbuf_add(&summary, strbuf_str(&new_sum));
        } else if (set_name[0]) {
            cause = "setting_changed";
            strbuf_add(&summary, strbuf_str(&set_sum));
        } else if (idx_cause[0]) {
            cause = idx_cause;
            strbuf_add(&summary, strbuf_str(&idx_sum));
        } else if (locks) {
            cause = "lock_waits";
            strbuf_add(&summary, "more sessions waiting on locks");
        } else if (restart) {
            cause = "restart";
            strbuf_add(&summary, "server restart");
        }
    }
    strbuf_free(&idx_sum);
    strbuf_free(&set_sum);
    strbuf_free(&grow_sum);
    strbuf_free(&stat_sum);
    strbuf_free(&plan_sum);
    strbuf_free(&new_sum);
done:
    if (!cause) {
        strbuf_t u = {0};
        strbuf_add(&u, "unknown: checked ");
        size_t i;
        const json_t *k;
        json_array_foreach(a.checked, i, k) strbuf_printf(
            &u, "%s%s (%s)", i ? ", " : "", jget_str(k, "check"), jget_str(k, "result"));
        strbuf_free(&summary);
        summary = u;
        cause = "unknown";
    }
    char *sum = strbuf_take(&summary);
    json_object_set_new(out, "cause", json_string(cause));
    json_object_set_new(out, "summary", json_string(sum ? sum : cause));
    free(sum);
    if (e0 && e1)
        json_object_set_new(out, "compared",
                            json_pack("{s:s, s:s}", "before", jget_str(e0, "collected_at"), "after",
                                      jget_str(e1, "collected_at")));
    json_object_set_new(out, "evidence", a.evidence);
    json_object_set_new(out, "checked", a.checked);
    free(es);
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
