/*
 * ai_series.c - time series from the snapshot's `history` section.
 *
 * Counters in PostgreSQL's statistics views are cumulative, so everything
 * here is a delta between consecutive entries:
 *  - a negative delta means the counters were reset (pg_stat_reset,
 *    pg_stat_statements_reset, a crash) or, for a statement, that it was
 *    evicted and came back: the interval is dropped, never guessed;
 *  - a statement missing from one of the two entries (evicted, or not among
 *    the shipped ones) gives no interval;
 *  - an interval much longer than the usual step is a gap: its deltas are
 *    still right as totals and means, but it cannot be placed on one hour.
 * Per statement and interval: calls, total time, rows, blocks, and the sum
 * of squared execution times, recovered from pg_stat_statements' population
 * stddev: sum(x^2) = calls * (stddev^2 + mean^2); its delta gives the
 * interval's variance as dS/dn - mean^2 (DESIGN.md, "Regressions").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/progress.h"
#include "common/alloc.h"
#include "common/jsonget.h"
#include "workers/ai_tuning/ai_internal.h"

typedef struct {
    double t;
    const json_t *e;
} entry_ref_t;

static int cmp_entry(const void *a, const void *b)
{
    double x = ((const entry_ref_t *)a)->t, y = ((const entry_ref_t *)b)->t;
    return x < y ? -1 : x > y;
}

typedef struct {
    int64_t queryid, userid;
    int toplevel;
    double calls, total, sumsq, rows, blks, temp;
} srow_t;

/* Orders statement rows by (queryid, userid, toplevel): the key under which
 * pg_stat_statements keeps one entry. */
static int cmp_srow(const void *a, const void *b)
{
    const srow_t *x = a, *y = b;
    if (x->queryid != y->queryid)
        return x->queryid < y->queryid ? -1 : 1;
    if (x->userid != y->userid)
        return x->userid < y->userid ? -1 : 1;
    return x->toplevel - y->toplevel;
}

/* The usable rows of one history entry's statements (an integer queryid,
 * calls and time not negative), sorted by key; *n of them, malloc()ed. */
static srow_t *entry_rows(const json_t *stmts, size_t *n)
{
    size_t m = json_array_size(stmts);
    srow_t *r = xmalloc((m ? m : 1) * sizeof *r);
    *n = 0;
    size_t i;
    const json_t *s;
    json_array_foreach(stmts, i, s)
    {
        json_t *q = json_object_get(s, "queryid");
        double calls = jget_num(s, "calls"), total = jget_num(s, "total_exec_time");
        if (!json_is_integer(q) || !(calls >= 0) || !(total >= 0))
            continue;
        srow_t *x = &r[(*n)++];
        x->queryid = json_integer_value(q);
        x->userid = json_integer_value(json_object_get(s, "userid"));
        json_t *tl = json_object_get(s, "toplevel");
        x->toplevel = tl ? json_is_true(tl) : 1;
        x->calls = calls;
        x->total = total;
        double sd = jget_num(s, "stddev_exec_time");
        double mean = calls > 0 ? total / calls : 0;
        x->sumsq = isfinite(sd) ? calls * (sd * sd + mean * mean) : NAN;
        double rows = jget_num(s, "rows");
        x->rows = isfinite(rows) ? rows : 0;
        double h = jget_num(s, "shared_blks_hit"), rd = jget_num(s, "shared_blks_read");
        x->blks = (isfinite(h) ? h : 0) + (isfinite(rd) ? rd : 0);
        double tw = jget_num(s, "temp_blks_written");
        x->temp = isfinite(tw) ? tw : 0;
    }
    qsort(r, *n, sizeof *r, cmp_srow);
    return r;
}

/* Open-addressing table from statement key to its series. */
typedef struct {
    ai_series_t *s;
    size_t *slots; /* index + 1, 0 = empty */
    size_t cap;
} stmt_index_t;

static size_t hash_key(const srow_t *k)
{
    uint64_t h = (uint64_t)k->queryid * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)k->userid + 0x7F4A7C15ull + (h << 6) + (h >> 2);
    h ^= (uint64_t)k->toplevel;
    return (size_t)(h ^ (h >> 29));
}

/* Doubles the table and re-inserts every series. */
static void index_grow(stmt_index_t *ix)
{
    size_t cap = ix->cap ? ix->cap * 2 : 1024;
    size_t *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < ix->s->nst; i++) {
        ai_stmt_series_t *st = &ix->s->st[i];
        srow_t k = {.queryid = st->queryid, .userid = st->userid, .toplevel = st->toplevel};
        size_t h = hash_key(&k) & (cap - 1);
        while (slots[h])
            h = (h + 1) & (cap - 1);
        slots[h] = i + 1;
    }
    free(ix->slots);
    ix->slots = slots;
    ix->cap = cap;
}

/* The series of statement key k, created empty on first sight. */
static ai_stmt_series_t *series_for(stmt_index_t *ix, const srow_t *k)
{
    if ((ix->s->nst + 1) * 2 > ix->cap)
        index_grow(ix);
    size_t h = hash_key(k) & (ix->cap - 1);
    while (ix->slots[h]) {
        ai_stmt_series_t *st = &ix->s->st[ix->slots[h] - 1];
        if (st->queryid == k->queryid && st->userid == k->userid && st->toplevel == k->toplevel)
            return st;
        h = (h + 1) & (ix->cap - 1);
    }
    static const size_t grow = 64;
    if (ix->s->nst % grow == 0) {
        ix->s->st = xreallocarray(ix->s->st, ix->s->nst + grow, sizeof *ix->s->st);
    }
    ai_stmt_series_t *st = &ix->s->st[ix->s->nst];
    memset(st, 0, sizeof *st);
    st->queryid = k->queryid;
    st->userid = k->userid;
    st->toplevel = k->toplevel;
    ix->slots[h] = ++ix->s->nst;
    return st;
}

/* Appends one interval to a statement's series. */
static void push_point(ai_stmt_series_t *st, const ai_stmt_point_t *p)
{
    if (st->n == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 32;
        st->pts = xreallocarray(st->pts, cap, sizeof *st->pts);
        st->cap = cap;
    }
    st->pts[st->n++] = *p;
}

/* When the statistics named which ("pg_stat_statements", ...) of history
 * entry e were last reset, or NULL. */
static const char *reset_of(const json_t *e, const char *which)
{
    return json_string_value(json_object_get(json_object_get(e, "stats_reset"), which));
}

/* Both NULL or both the same text. */
static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The history entries with a valid collected_at, sorted by time, the
 * first of equal times kept; *count of them (malloc()ed, m >= 1 entries
 * allocated). Ignored entries are counted in a note. */
static entry_ref_t *sorted_entries(const json_t *history, size_t m, json_t *notes, size_t *count)
{
    entry_ref_t *ref = xmalloc(m * sizeof *ref);
    size_t n = 0, bad_time = 0;
    for (size_t i = 0; i < m; i++) {
        const json_t *e = json_array_get(history, i);
        double t;
        if (!json_is_object(e) ||
            ai_parse_time(json_string_value(json_object_get(e, "collected_at")), &t) != 0) {
            bad_time++;
            continue;
        }
        ref[n].t = t;
        ref[n++].e = e;
    }
    if (bad_time)
        json_array_append_new(notes, json_sprintf("history: %zu entries without a valid "
                                                  "collected_at were ignored",
                                                  bad_time));
    qsort(ref, n, sizeof *ref, cmp_entry);
    /* Same time twice (an interrupted compaction, or a duplicate file):
     * keep the first. */
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (w == 0 || ref[i].t > ref[w - 1].t)
            ref[w++] = ref[i];
    *count = w;
    return ref;
}

/* Per entry: time, database size, connections, and the latest known
 * max_connections, cores and memory; then the usual step (the median
 * spacing). */
static void entry_facts(ai_series_t *s, const entry_ref_t *ref, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *e = ref[i].e;
        s->t[i] = ref[i].t;
        s->db_size[i] = jget_num(json_object_get(e, "database"), "size_bytes");
        const json_t *act = json_object_get(e, "activity");
        s->conn_total[i] = jget_num(act, "total");
        double mc = jget_num(act, "max_connections");
        if (isfinite(mc))
            s->max_connections = mc;
        const json_t *host = json_object_get(e, "host");
        if (isfinite(jget_num(host, "cpus")))
            s->cpus = jget_num(host, "cpus");
        if (isfinite(jget_num(host, "memory_bytes")))
            s->memory_bytes = jget_num(host, "memory_bytes");
    }
    /* The usual step: the median spacing. */
    if (n >= 2) {
        double *d = xmalloc((n - 1) * sizeof *d);
        for (size_t i = 1; i < n; i++)
            d[i - 1] = s->t[i] - s->t[i - 1];
        s->step_s = ai_median(d, n - 1);
        free(d);
    }
}

/* s->restarts: the server restarts between consecutive entries, each also
 * noted. */
static void server_restarts(ai_series_t *s, const entry_ref_t *ref, size_t n)
{
    /* Restarts: the postmaster start time moved. A clean restart keeps the
     * cumulative statistics (PostgreSQL 15 writes them at shutdown), so its
     * intervals stay valid; a crash resets them, which the negative deltas
     * below drop. Either way the cache is cold afterwards, which is what a
     * change right after a restart may be. */
    s->restarts = json_array();
    for (size_t i = 1; i < n; i++) {
        const char *r0 = json_string_value(json_object_get(ref[i - 1].e, "server_started_at"));
        const char *r1 = json_string_value(json_object_get(ref[i].e, "server_started_at"));
        if (!r0 || !r1 || !strcmp(r0, r1))
            continue;
        char a[32], b[32];
        ai_format_time(ref[i - 1].t, a, sizeof a);
        ai_format_time(ref[i].t, b, sizeof b);
        json_array_append_new(s->restarts,
                              json_pack("{s:[s, s], s:s, s:s}", "between", a, b, "started_at", r1,
                                        "evidence", "postmaster start time moved"));
        json_array_append_new(s->notes, json_sprintf("history: the server restarted between %s and "
                                                     "%s (postmaster started at %s, was %s); the "
                                                     "first intervals after it run on a cold cache",
                                                     a, b, r1, r0));
    }
}

/* One interval per pair of consecutive entries: database-wide rates from
 * pg_stat_database deltas; intervals across a statistics reset (or with a
 * counter going down) are invalid, and long ones are gaps. */
static void database_intervals(ai_series_t *s, const entry_ref_t *ref, size_t n)
{
    static const char *const rate_fields[] = {"xact_commit",  "xact_rollback", "blks_read",
                                              "tup_returned", "tup_fetched",   "tup_inserted",
                                              "tup_updated",  "tup_deleted",   "temp_bytes"};
    enum { NRATE = sizeof rate_fields / sizeof *rate_fields };
    for (size_t i = 1; i < n; i++) {
        ai_interval_t *iv = &s->iv[s->niv++];
        const json_t *a = json_object_get(ref[i - 1].e, "database");
        const json_t *b = json_object_get(ref[i].e, "database");
        iv->t0 = s->t[i - 1];
        iv->t1 = s->t[i];
        double dt = iv->t1 - iv->t0;
        iv->gap = s->step_s > 0 && dt > 2.5 * s->step_s;
        s->gaps += (size_t)iv->gap;
        iv->db_time_per_s = NAN;
        iv->active_conn =
            jget_num(json_object_get(json_object_get(ref[i].e, "activity"), "by_state"), "active");
        double d[NRATE];
        int ok = json_is_object(a) && json_is_object(b) && dt > 0;
        int reset = 0;
        for (size_t k = 0; ok && k < NRATE; k++) {
            d[k] = jget_num(b, rate_fields[k]) - jget_num(a, rate_fields[k]);
            if (!isfinite(d[k]))
                ok = 0;
            else if (d[k] < 0)
                reset = 1;
        }
        if (ok && (!same_str(json_string_value(json_object_get(a, "stats_reset")),
                             json_string_value(json_object_get(b, "stats_reset"))) ||
                   reset)) {
            reset = 1;
            s->resets++;
        }
        iv->valid = ok && !reset;
        if (!iv->valid) {
            s->invalid++;
            iv->xact_per_s = iv->rows_per_s = iv->blks_read_per_s = iv->temp_bytes_per_s = NAN;
            iv->writes_per_s = iv->reads_per_s = NAN;
            continue;
        }
        iv->xact_per_s = (d[0] + d[1]) / dt;
        iv->blks_read_per_s = d[2] / dt;
        iv->reads_per_s = (d[3] + d[4]) / dt;
        iv->writes_per_s = (d[5] + d[6] + d[7]) / dt;
        iv->rows_per_s = iv->reads_per_s + iv->writes_per_s;
        iv->temp_bytes_per_s = d[8] / dt;
    }
}

/* Per statement, one point per interval between consecutive entries that
 * both carry a statements list, and the load (statement execution time per
 * second) of each such interval. Returns how many statement intervals were
 * dropped for negative deltas. */
static size_t statement_series(ai_series_t *s, const entry_ref_t *ref, size_t n)
{
    /* Statements: consecutive entries that both carry a statements list. */
    stmt_index_t ix = {.s = s};
    srow_t *prev = NULL;
    size_t nprev = 0, prev_entry = 0;
    size_t stmt_resets = 0;
    for (size_t i = 0; i < n; i++) {
        /* per history entry: each carries up to thousands of statements */
        progress_alive();
        const json_t *stmts = json_object_get(ref[i].e, "statements");
        if (!json_is_array(stmts))
            continue;
        s->stmt_entries++;
        size_t ncur;
        srow_t *cur = entry_rows(stmts, &ncur);
        if (prev) {
            double t0 = s->t[prev_entry], t1 = s->t[i], dt = t1 - t0;
            int pgss_reset = !same_str(reset_of(ref[prev_entry].e, "pg_stat_statements"),
                                       reset_of(ref[i].e, "pg_stat_statements"));
            double sum = 0;
            size_t neg = 0, pa = 0;
            for (size_t c = 0; c < ncur && !pgss_reset; c++) {
                while (pa < nprev && cmp_srow(&prev[pa], &cur[c]) < 0)
                    pa++;
                ai_stmt_series_t *st = series_for(&ix, &cur[c]);
                if (pa >= nprev || cmp_srow(&prev[pa], &cur[c]) != 0) {
                    if (st->n > 0 || st->resets > 0)
                        st->absences++;
                    continue;
                }
                const srow_t *p = &prev[pa];
                ai_stmt_point_t pt = {
                    .t0 = t0,
                    .t1 = t1,
                    .calls = cur[c].calls - p->calls,
                    .total_ms = cur[c].total - p->total,
                    .sumsq = cur[c].sumsq - p->sumsq,
                    .rows = cur[c].rows - p->rows,
                    .blks = cur[c].blks - p->blks,
                    .temp = cur[c].temp - p->temp,
                };
                if (pt.calls < 0 || pt.total_ms < 0) {
                    st->resets++;
                    neg++;
                    continue;
                }
                sum += pt.total_ms;
                if (pt.calls > 0) {
                    st->total_ms += pt.total_ms;
                    push_point(st, &pt);
                }
            }
            stmt_resets += neg;
            /* Load is only meaningful when most statements compared cleanly. */
            if (!pgss_reset && dt > 0 && neg * 10 <= ncur) {
                s->load[s->nload] = sum / 1000.0 / dt;
                s->load_t0[s->nload] = t0;
                s->load_t1[s->nload++] = t1;
                s->db_time_total_ms += sum;
                /* Where statement intervals coincide with database ones. */
                if (prev_entry + 1 == i)
                    s->iv[i - 1].db_time_per_s = sum / 1000.0 / dt;
            } else if (pgss_reset) {
                s->resets++;
            }
        }
        free(prev);
        prev = cur;
        nprev = ncur;
        prev_entry = i;
    }
    free(prev);
    free(ix.slots);
    return stmt_resets;
}

/* Builds the series from the history entries (any order). Returns 0; a
 * malformed entry is skipped and counted in notes, never an error. */
int ai_series_build(const json_t *history, ai_series_t *s, json_t *notes)
{
    memset(s, 0, sizeof *s);
    s->notes = notes;
    s->max_connections = s->cpus = s->memory_bytes = NAN;
    size_t m = json_array_size(history);
    if (m == 0)
        return 0;
    size_t n;
    entry_ref_t *ref = sorted_entries(history, m, notes, &n);
    s->n = n;
    s->t = xcalloc(n, sizeof *s->t);
    s->db_size = xcalloc(n, sizeof *s->db_size);
    s->conn_total = xcalloc(n, sizeof *s->conn_total);
    s->iv = xcalloc(n, sizeof *s->iv);
    s->load = xcalloc(n, sizeof *s->load);
    s->load_t0 = xcalloc(n, sizeof *s->load_t0);
    s->load_t1 = xcalloc(n, sizeof *s->load_t1);
    entry_facts(s, ref, n);
    server_restarts(s, ref, n);
    database_intervals(s, ref, n);
    size_t stmt_resets = statement_series(s, ref, n);
    free(ref);
    if (stmt_resets)
        json_array_append_new(notes,
                              json_sprintf("history: %zu statement intervals had negative "
                                           "deltas (reset, or eviction and re-entry) and were "
                                           "dropped",
                                           stmt_resets));
    if (s->resets)
        json_array_append_new(notes, json_sprintf("history: %zu intervals span a statistics "
                                                  "reset and were dropped",
                                                  s->resets));
    if (s->gaps)
        json_array_append_new(notes,
                              json_sprintf("history: %zu gaps longer than 2.5x the usual "
                                           "%.0f s step (collection missed); totals kept, not "
                                           "placed on an hour",
                                           s->gaps, s->step_s));
    return 0;
}

void ai_series_free(ai_series_t *s)
{
    json_decref(s->restarts);
    for (size_t i = 0; i < s->nst; i++)
        free(s->st[i].pts);
    free(s->st);
    free(s->t);
    free(s->db_size);
    free(s->conn_total);
    free(s->iv);
    free(s->load);
    free(s->load_t0);
    free(s->load_t1);
    memset(s, 0, sizeof *s);
}
