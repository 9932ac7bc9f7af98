/*
 * ai_workload.c - workload_analysis: OLTP/OLAP/Mixed classification, peak
 * hours (and days) and query clusters.
 *
 * Classification attributes each statement's execution time to a kind:
 *  - transactional: mean <= 20 ms and <= 200 shared blocks per call (short,
 *    index-driven work: at most ~1.6 MB touched per call);
 *  - analytical: mean >= 100 ms or >= 1000 blocks per call (scans and large
 *    aggregates: >= 8 MB per call);
 *  - intermediate otherwise.
 * OLTP when >= 60% of the time is transactional and < 25% analytical; OLAP
 * the other way round; Mixed otherwise. Utility statements (DDL, COPY,
 * VACUUM, ...) are maintenance, not workload: their share is reported and
 * left out.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pg_query.h>

#include "common/progress.h"
#include "common/alloc.h"
#include "common/jsonget.h"
#include "common/sqlparse.h"
#include "workers/ai_tuning/ai_internal.h"

#define OLTP_MAX_MS      20.0
#define OLTP_MAX_BLKS    200.0
#define OLAP_MIN_MS      100.0
#define OLAP_MIN_BLKS    1000.0
#define CLASS_MAJORITY   0.60
#define CLASS_MINORITY   0.25
#define MAX_CLUSTER_STMT 2000

typedef struct {
    const json_t *row;
    int64_t queryid;
    uint64_t fingerprint;
    int kind;   /* 0 utility, 1 read, 2 write */
    int tables; /* distinct relations named */
    double calls, total, rows, blks, mean;
} stmt_info_t;

typedef struct {
    const char *names[32];
    int n;
} relset_t;

/* sqlparse_walk callback: collects the distinct relation names a statement
 * reads or writes (at most 32) into the relset_t user. */
static int visit_rangevar(const ProtobufCMessage *node, int depth, void *user)
{
    (void)depth;
    if (node->descriptor != &pg_query__range_var__descriptor)
        return 0;
    relset_t *rs = user;
    const PgQuery__RangeVar *rv = (const PgQuery__RangeVar *)node;
    if (!rv->relname)
        return 0;
    for (int i = 0; i < rs->n; i++)
        if (strcmp(rs->names[i], rv->relname) == 0)
            return 0;
    if (rs->n < 32)
        rs->names[rs->n++] = rv->relname;
    return 0;
}

/* Classifies a statement text: si->kind 1 read, 2 write, 0 other (utility,
 * DDL), si->fingerprint its libpg_query fingerprint (the queryid when it has
 * none) and si->tables how many relations it names. Text libpg_query cannot
 * parse (truncated by pg_stat_statements) is classified by its first word. */
static void inspect(stmt_info_t *si, const char *query)
{
    si->kind = 1;
    si->tables = 0;
    si->fingerprint = (uint64_t)si->queryid;
    if (!query)
        return;
    PgQueryFingerprintResult fp = pg_query_fingerprint(query);
    if (!fp.error)
        si->fingerprint = fp.fingerprint;
    pg_query_free_fingerprint_result(fp);
    sqlparse_t *p = NULL;
    if (sqlparse_parse(query, &p, NULL) != 0) {
        /* Unparseable (truncated text): guess from the first word. */
        while (*query == ' ' || *query == '\n' || *query == '(')
            query++;
        if (!strncasecmp(query, "insert", 6) || !strncasecmp(query, "update", 6) ||
            !strncasecmp(query, "delete", 6) || !strncasecmp(query, "merge", 5))
            si->kind = 2;
        else if (strncasecmp(query, "select", 6) && strncasecmp(query, "with", 4) &&
                 strncasecmp(query, "values", 6) && strncasecmp(query, "table", 5))
            si->kind = 0;
        return;
    }
    const PgQuery__RawStmt *rs = sqlparse_statement(p, 0);
    if (rs && rs->stmt) {
        switch (rs->stmt->node_case) {
        case PG_QUERY__NODE__NODE_SELECT_STMT:
            si->kind = 1;
            break;
        case PG_QUERY__NODE__NODE_INSERT_STMT:
        case PG_QUERY__NODE__NODE_UPDATE_STMT:
        case PG_QUERY__NODE__NODE_DELETE_STMT:
        case PG_QUERY__NODE__NODE_MERGE_STMT:
            si->kind = 2;
            break;
        default:
            si->kind = 0;
        }
        relset_t set = {.n = 0};
        sqlparse_walk((const ProtobufCMessage *)rs->stmt, visit_rangevar, &set);
        si->tables = set.n;
    }
    sqlparse_destroy(&p);
}

/* q as a JSON string of at most max bytes (cut on a character boundary,
 * '...' appended), or null when q is NULL or not valid UTF-8. */
static json_t *truncated(const char *q, size_t max)
{
    if (!q)
        return json_null();
    size_t len = strlen(q);
    if (len <= max)
        return json_string(q);
    /* Cut on a UTF-8 character boundary. */
    while (max > 0 && ((unsigned char)q[max] & 0xC0) == 0x80)
        max--;
    char *b = xmalloc(max + 4);
    memcpy(b, q, max);
    memcpy(b + max, "...", 4);
    json_t *s = json_string(b);
    free(b);
    return s ? s : json_null();
}

const char *ai_statement_text(const json_t *snapshot, int64_t queryid)
{
    size_t i;
    const json_t *row;
    json_array_foreach(json_object_get(snapshot, "statements"), i, row)
    {
        if (json_integer_value(json_object_get(row, "queryid")) == queryid)
            return json_string_value(json_object_get(row, "query"));
    }
    return NULL;
}

/* ---- classification ---- */

/* Classifies the workload as OLTP, OLAP or Mixed by execution-time shares of
 * the n statements, setting "classification" in wa and
 * c->oltp_share/olap_share. Returns a new JSON object of evidence; without
 * statement time it is empty, the classification says unknown and the shares
 * are NAN. */
static json_t *classify(ai_ctx_t *c, stmt_info_t *si, size_t n, json_t *wa)
{
    double t_oltp = 0, t_olap = 0, t_mid = 0, t_util = 0, t_write = 0, calls = 0, rows = 0,
           blks = 0, c_oltp = 0;
    for (size_t i = 0; i < n; i++) {
        if (si[i].kind == 0) {
            t_util += si[i].total;
            continue;
        }
        double bpc = si[i].calls > 0 ? si[i].blks / si[i].calls : 0;
        if (si[i].mean >= OLAP_MIN_MS || bpc >= OLAP_MIN_BLKS)
            t_olap += si[i].total;
        else if (si[i].mean <= OLTP_MAX_MS && bpc <= OLTP_MAX_BLKS) {
            t_oltp += si[i].total;
            c_oltp += si[i].calls;
        } else
            t_mid += si[i].total;
        if (si[i].kind == 2)
            t_write += si[i].total;
        calls += si[i].calls;
        rows += si[i].rows;
        blks += si[i].blks;
    }
    double t = t_oltp + t_olap + t_mid;
    json_t *ev = json_object();
    if (t <= 0) {
        json_object_set_new(wa, "classification",
                            json_string("unknown: no statement execution time in "
                                        "pg_stat_statements (extension missing or no workload "
                                        "since its reset)"));
        c->olap_share = c->oltp_share = NAN;
        return ev;
    }
    c->oltp_share = t_oltp / t;
    c->olap_share = t_olap / t;
    const char *cls = c->oltp_share >= CLASS_MAJORITY && c->olap_share < CLASS_MINORITY   ? "OLTP"
                      : c->olap_share >= CLASS_MAJORITY && c->oltp_share < CLASS_MINORITY ? "OLAP"
                                                                                          : "Mixed";
    json_object_set_new(wa, "classification", json_string(cls));
    const json_t *db = json_object_get(c->snapshot, "database");
    double rd = jget_num_or(db, "tup_returned", 0) + jget_num_or(db, "tup_fetched", 0);
    double wr = jget_num_or(db, "tup_inserted", 0) + jget_num_or(db, "tup_updated", 0) +
                jget_num_or(db, "tup_deleted", 0);
    json_object_set_new(ev, "transactional_time_share", json_real(c->oltp_share));
    json_object_set_new(ev, "analytical_time_share", json_real(c->olap_share));
    json_object_set_new(ev, "intermediate_time_share", json_real(t_mid / t));
    json_object_set_new(ev, "write_statement_time_share", json_real(t_write / t));
    json_object_set_new(ev, "utility_time_excluded_ms", json_real(t_util));
    json_object_set_new(ev, "rows_per_call", json_real(calls > 0 ? rows / calls : 0));
    json_object_set_new(ev, "blocks_per_call", json_real(calls > 0 ? blks / calls : 0));
    json_object_set_new(ev, "transactional_calls_share", json_real(calls > 0 ? c_oltp / calls : 0));
    if (rd + wr > 0)
        json_object_set_new(ev, "row_write_share", json_real(wr / (rd + wr)));
    json_object_set_new(ev, "statements", json_integer((json_int_t)n));
    json_object_set_new(ev, "execution_time_ms", json_real(t));
    const char *since = json_string_value(
        json_object_get(json_object_get(json_object_get(c->snapshot, "meta"), "stats_reset"),
                        "pg_stat_statements"));
    json_object_set_new(ev, "window",
                        json_sprintf("pg_stat_statements since %s",
                                     since ? since : "its last reset (time not collected)"));
    json_object_set_new(ev, "method",
                        json_string("execution time attributed per statement: transactional "
                                    "(mean <= 20 ms and <= 200 blocks/call), analytical (mean "
                                    ">= 100 ms or >= 1000 blocks/call), intermediate; OLTP when "
                                    ">= 60% transactional and < 25% analytical, OLAP the "
                                    "reverse, Mixed otherwise; utility statements excluded"));
    return ev;
}

/* ---- peak hours ---- */

/* wa.peak_days / quiet_days: weekdays whose median daily mean is above
 * 1.15x / below 0.85x the median weekday, with the profile in ev; val, day:
 * the k usable intervals (by day, ascending). */
static void day_of_week(json_t *ev, json_t *wa, const double *val, const long *day, size_t k)
{
    double dsum[7] = {0};
    size_t dn[7] = {0};
    double week[7];
    /* Daily means first, then the median per weekday. */
    long d0 = day[0], d1 = day[k - 1];
    size_t nd = (size_t)(d1 - d0 + 1);
    double *dm = xcalloc(nd, sizeof *dm), *dc = xcalloc(nd, sizeof *dc);
    for (size_t i = 0; i < k; i++) {
        dm[day[i] - d0] += val[i];
        dc[day[i] - d0] += 1;
    }
    json_t *wk = json_array();
    for (int w = 0; w < 7; w++) {
        size_t m = 0;
        double vals[64];
        for (size_t d = 0; d < nd && m < 64; d++)
            if (dc[d] > 0 && (int)((d0 + (long)d + 4) % 7) == w) /* 1970-01-01 was a Thursday */
                vals[m++] = dm[d] / dc[d];
        week[w] = ai_median(vals, m);
        dsum[w] = week[w];
        dn[w] = m;
    }
    static const char *const names[7] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};
    double ws[7];
    memcpy(ws, dsum, sizeof ws);
    double wmed = ai_median(ws, 7);
    json_t *busy = json_array(), *quiet = json_array();
    for (int w = 0; w < 7; w++) {
        json_array_append_new(wk, json_pack("{s:s, s:f, s:I}", "day", names[w], "load",
                                            isfinite(week[w]) ? week[w] : 0.0, "days",
                                            (json_int_t)dn[w]));
        if (week[w] > 1.15 * wmed)
            json_array_append_new(busy, json_string(names[w]));
        else if (week[w] < 0.85 * wmed)
            json_array_append_new(quiet, json_string(names[w]));
    }
    json_object_set_new(ev, "day_of_week_profile", wk);
    json_object_set_new(wa, "peak_days", busy);
    json_object_set_new(wa, "quiet_days", quiet);
    free(dm);
    free(dc);
}

/* wa.peak_hours (peaks): the runs of hours of the day above the midpoint
 * between the typical hour (base) and the busiest one (top), when the
 * busiest is clearly busier (>= 1.3x); ev says which. */
static void mark_peaks(json_t *ev, json_t *peaks, const double *profile, double base, double top)
{
    double thr = base + 0.5 * (top - base);
    if (!(top > 1.3 * base) || !(top > 0)) {
        json_object_set_new(
            ev, "finding",
            json_sprintf("no pronounced peak: busiest hour %.3g vs typical %.3g", top, base));
    } else {
        for (int h = 0; h < 24; h++) {
            if (!(profile[h] >= thr) || (h > 0 && profile[h - 1] >= thr))
                continue;
            int e = h;
            while (e + 1 < 24 && profile[e + 1] >= thr)
                e++;
            json_array_append_new(
                peaks, json_sprintf("%02d:00-%02d:00", h, (e + 1) % 24 == 0 ? 24 : e + 1));
        }
        json_object_set_new(ev, "threshold", json_real(thr));
    }
}

/* wa.peak_hours and, with two weeks of history, peak_days / quiet_days from
 * the per-interval load (or transactions per second); returns their
 * evidence (or what is missing). */
static json_t *peak_hours(ai_ctx_t *c, json_t *wa)
{
    const ai_series_t *s = &c->series;
    /* Metric: execution time per second (load) where statements are shipped
     * at hourly resolution or finer; else transactions per second. */
    int use_load = s->nload >= 24 && s->step_s > 0 && s->step_s <= 3600;
    size_t cnt = use_load ? s->nload : s->niv;
    double *val = xmalloc((cnt ? cnt : 1) * sizeof *val);
    int *hour = xmalloc((cnt ? cnt : 1) * sizeof *hour);
    long *day = xmalloc((cnt ? cnt : 1) * sizeof *day);
    json_t *ev = json_object();
    size_t k = 0;
    for (size_t i = 0; i < cnt; i++) {
        double t0 = use_load ? s->load_t0[i] : s->iv[i].t0;
        double t1 = use_load ? s->load_t1[i] : s->iv[i].t1;
        double v = use_load ? s->load[i] : s->iv[i].xact_per_s;
        if (!isfinite(v) || t1 - t0 > 3600 || t1 <= t0)
            continue;
        double mid = (t0 + t1) / 2;
        val[k] = v;
        hour[k] = (int)fmod(floor(mid / 3600), 24);
        day[k] = (long)floor(mid / 86400);
        k++;
    }
    /* Coverage: each hour of the day on at least 2 distinct days. */
    int days_per_hour[24] = {0};
    long last_day[24];
    for (int h = 0; h < 24; h++)
        last_day[h] = -1;
    for (size_t i = 0; i < k; i++)
        if (day[i] != last_day[hour[i]]) {
            days_per_hour[hour[i]]++;
            last_day[hour[i]] = day[i];
        }
    int missing = 0;
    for (int h = 0; h < 24; h++)
        missing += days_per_hour[h] < 2;
    double span_days = s->n >= 2 ? (s->t[s->n - 1] - s->t[0]) / 86400 : 0;
    json_t *peaks = json_array();
    json_object_set_new(wa, "peak_hours", peaks);
    if (k == 0 || missing > 0) {
        json_object_set_new(
            ev, "missing",
            json_sprintf("peak hours need every hour of the day observed on at least 2 days at "
                         "hourly resolution or finer; the history covers %.1f days and %d of 24 "
                         "hours lack that (run `pgopt-coordinator snapshot` every few minutes "
                         "for 2+ days)",
                         span_days, missing));
        free(val);
        free(hour);
        free(day);
        return ev;
    }
    double profile[24];
    double *tmp = xmalloc(k * sizeof *tmp);
    for (int h = 0; h < 24; h++) {
        size_t m = 0;
        for (size_t i = 0; i < k; i++)
            if (hour[i] == h)
                tmp[m++] = val[i];
        profile[h] = ai_median(tmp, m);
    }
    double sorted[24];
    memcpy(sorted, profile, sizeof sorted);
    double base = ai_median(sorted, 24), top = profile[0];
    for (int h = 1; h < 24; h++)
        top = profile[h] > top ? profile[h] : top;
    json_t *prof = json_array();
    for (int h = 0; h < 24; h++)
        json_array_append_new(prof, json_real(profile[h]));
    json_object_set_new(ev, "hour_of_day_profile_utc", prof);
    json_object_set_new(ev, "metric",
                        json_string(use_load ? "statement execution time per second (average "
                                               "active sessions executing)"
                                             : "transactions per second"));
    json_object_set_new(ev, "window_days", json_real(span_days));
    /* A peak hour is above the midpoint between the typical hour and the
     * busiest one, and the busiest hour is clearly busier (>= 1.3x). */
    mark_peaks(ev, peaks, profile, base, top);
    json_object_set_new(ev, "method",
                        json_string("median per UTC hour of day across days; peak = hours above "
                                    "the midpoint between the median hour and the busiest hour"));
    /* Day of week, with at least two weeks. */
    if (span_days >= 14) {
        day_of_week(ev, wa, val, day, k);
    } else {
        json_object_set_new(
            ev, "day_of_week",
            json_sprintf("not assessed: needs >= 14 days of history, have %.1f", span_days));
    }
    free(tmp);
    free(val);
    free(hour);
    free(day);
    return ev;
}

/* ---- clusters ---- */

typedef struct {
    uint64_t fp;
    double calls, total, rows, blks, write_ms;
    int tables;
    size_t first; /* index of the member with most time */
    size_t members;
} group_t;

static int cmp_group_fp(const void *a, const void *b)
{
    const stmt_info_t *x = a, *y = b;
    if (x->fingerprint != y->fingerprint)
        return x->fingerprint < y->fingerprint ? -1 : 1;
    return x->total > y->total ? -1 : x->total < y->total;
}

static int cmp_group_time(const void *a, const void *b)
{
    const group_t *x = a, *y = b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

/* A name for a cluster from its mean ms per call, rows and blocks per call
 * and write time share (bulk or short writes, analytics, point lookups,
 * range reads, short reads). */
static const char *cluster_label(double mean, double rpc, double bpc, double wshare)
{
    if (wshare >= 0.5) {
        if (rpc >= 1000)
            return "bulk writes";
        if (mean <= OLTP_MAX_MS)
            return "short transactional writes";
        return "heavy writes";
    }
    if (mean >= OLAP_MIN_MS || bpc >= OLAP_MIN_BLKS)
        return "scan-heavy analytics";
    if (rpc <= 10 && mean <= 10)
        return "point lookups";
    if (rpc > 100)
        return "range reads / reports";
    return "short reads";
}

/* Features per statement group for the clustering. */
enum { NFEAT = 5 };

/* The statements si[0..m) (sorted by fingerprint) summed per libpg_query
 * fingerprint: *ng groups, malloc()ed. */
static group_t *fingerprint_groups(const stmt_info_t *si, size_t m, size_t *count)
{
    group_t *g = xcalloc(m ? m : 1, sizeof *g);
    size_t ng = 0;
    for (size_t i = 0; i < m; i++) {
        if (ng == 0 || g[ng - 1].fp != si[i].fingerprint) {
            g[ng].fp = si[i].fingerprint;
            g[ng].first = i;
            ng++;
        }
        group_t *x = &g[ng - 1];
        x->calls += si[i].calls;
        x->total += si[i].total;
        x->rows += si[i].rows;
        x->blks += si[i].blks;
        x->write_ms += si[i].kind == 2 ? si[i].total : 0;
        x->tables = si[i].tables > x->tables ? si[i].tables : x->tables;
        x->members++;
    }
    *count = ng;
    return g;
}

/* pts[i * NFEAT + j]: group i's features (log10 mean ms, log10 rows and
 * blocks per call, write time share, tables named), z-scored so that no
 * feature dominates by its unit. */
static void group_features(const group_t *g, size_t ng, double *pts)
{
    for (size_t i = 0; i < ng; i++) {
        pts[i * NFEAT + 0] = log10(g[i].total / g[i].calls + 0.001);
        pts[i * NFEAT + 1] = log10(g[i].rows / g[i].calls + 1);
        pts[i * NFEAT + 2] = log10(g[i].blks / g[i].calls + 1);
        pts[i * NFEAT + 3] = g[i].total > 0 ? g[i].write_ms / g[i].total : 0;
        pts[i * NFEAT + 4] = g[i].tables;
    }
    /* z-score normalisation so no feature dominates by its unit. */
    double mu[NFEAT], sd[NFEAT];
    for (int j = 0; j < NFEAT; j++) {
        double s = 0, s2 = 0;
        for (size_t i = 0; i < ng; i++)
            s += pts[i * NFEAT + j];
        mu[j] = s / (double)ng;
        for (size_t i = 0; i < ng; i++)
            s2 += (pts[i * NFEAT + j] - mu[j]) * (pts[i * NFEAT + j] - mu[j]);
        sd[j] = sqrt(s2 / (double)ng);
        if (sd[j] < 1e-9)
            sd[j] = 1;
        for (size_t i = 0; i < ng; i++)
            pts[i * NFEAT + j] = (pts[i * NFEAT + j] - mu[j]) / sd[j];
    }
}

/* The k in 1..8 with the best simplified silhouette (distance to own vs
 * nearest other centre; k = 1 when nothing separates) and its labels and
 * centres in best_labels / best_cent (labels, cent: scratch); *best_sil
 * its silhouette. */
static size_t choose_k(const ai_ctx_t *c, const double *pts, size_t ng, int *labels, double *cent,
                       int *best_labels, double *best_cent, double *best_sil_out)
{
    size_t kmax = ng < 8 ? ng : 8, best_k = 1;
    double best_sil = -2;
    for (size_t k = 1; k <= kmax; k++) {
        ai_kmeans(pts, ng, NFEAT, k, c->opt->seed, labels, cent);
        double sil = 0;
        if (k == 1) {
            sil = 0.25; /* one cluster must beat a weak split */
        } else {
            for (size_t i = 0; i < ng; i++) {
                double a = 0, b = INFINITY;
                for (size_t q = 0; q < k; q++) {
                    double d = 0;
                    for (int j = 0; j < NFEAT; j++)
                        d += (pts[i * NFEAT + j] - cent[q * NFEAT + j]) *
                             (pts[i * NFEAT + j] - cent[q * NFEAT + j]);
                    d = sqrt(d);
                    if ((int)q == labels[i])
                        a = d;
                    else if (d < b)
                        b = d;
                }
                double mx = a > b ? a : b;
                sil += mx > 0 ? (b - a) / mx : 0;
            }
            sil /= (double)ng;
        }
        if (sil > best_sil + 1e-9) {
            best_sil = sil;
            best_k = k;
            memcpy(best_labels, labels, ng * sizeof *labels);
            memcpy(best_cent, cent, k * NFEAT * sizeof *cent);
        }
    }
    *best_sil_out = best_sil;
    return best_k;
}

/* Cluster q of the labelled groups: its label, shares, means and its three
 * members with most time; NULL when it has no member. total: all groups'
 * execution time. */
static json_t *cluster_json(const group_t *g, size_t ng, const stmt_info_t *si,
                            const int *best_labels, size_t q, double total)
{
    double calls = 0, t = 0, rows = 0, blks = 0, wms = 0, tabs = 0;
    size_t cnt = 0;
    for (size_t i = 0; i < ng; i++)
        if (best_labels[i] == (int)q) {
            calls += g[i].calls;
            t += g[i].total;
            rows += g[i].rows;
            blks += g[i].blks;
            wms += g[i].write_ms;
            tabs += g[i].tables;
            cnt++;
        }
    if (cnt == 0)
        return NULL;
    double mean = t / calls, rpc = rows / calls, bpc = blks / calls, ws = t > 0 ? wms / t : 0;
    const char *label = cluster_label(mean, rpc, bpc, ws);
    json_t *top = json_array();
    /* The three members with most time. */
    for (int r = 0; r < 3; r++) {
        size_t bi = ng;
        for (size_t i = 0; i < ng; i++) {
            if (best_labels[i] != (int)q)
                continue;
            int taken = 0;
            size_t j;
            json_t *x;
            json_array_foreach(top, j, x)
            {
                taken |=
                    json_integer_value(json_object_get(x, "queryid")) == si[g[i].first].queryid;
            }
            if (!taken && (bi == ng || g[i].total > g[bi].total))
                bi = i;
        }
        if (bi == ng)
            break;
        const stmt_info_t *s0 = &si[g[bi].first];
        json_array_append_new(
            top, json_pack("{s:I, s:o, s:f, s:f}", "queryid", (json_int_t)s0->queryid, "query",
                           truncated(json_string_value(json_object_get(s0->row, "query")), 160),
                           "time_share", total > 0 ? g[bi].total / total : 0.0, "mean_ms",
                           g[bi].total / g[bi].calls));
    }
    return json_pack(
        "{s:s, s:o, s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:o}", "label", label, "description",
        json_sprintf("%zu statement group(s), %.1f%% of execution time: mean %.3g "
                     "ms, %.3g rows and %.3g blocks per call, %.0f%% of time in "
                     "writes, %.1f tables named",
                     cnt, total > 0 ? 100 * t / total : 0, mean, rpc, bpc, 100 * ws,
                     tabs / (double)cnt),
        "statements", (json_int_t)cnt, "time_share", total > 0 ? t / total : 0.0, "calls", calls,
        "mean_ms", mean, "rows_per_call", rpc, "blocks_per_call", bpc, "write_time_share", ws,
        "tables_named_mean", tabs / (double)cnt, "top_statements", top);
}

/* clusters: the statement groups (by fingerprint) clustered by shape with
 * k-means++; ev gets the counts, k, silhouette and method. Empty when there
 * is nothing to cluster (ev says so). Reorders si. */
static json_t *clusters(ai_ctx_t *c, stmt_info_t *si, size_t n, json_t *ev)
{
    json_t *out = json_array();
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (si[i].kind != 0 && si[i].calls > 0)
            si[m++] = si[i];
    qsort(si, m, sizeof *si, cmp_group_fp);
    size_t ng;
    group_t *g = fingerprint_groups(si, m, &ng);
    json_object_set_new(ev, "fingerprint_groups", json_integer((json_int_t)ng));
    json_object_set_new(ev, "statements_grouped", json_integer((json_int_t)m));
    if (ng == 0) {
        json_object_set_new(ev, "missing", json_string("no statements to cluster"));
        free(g);
        return out;
    }
    /* Keep the groups with most time when there are very many. */
    qsort(g, ng, sizeof *g, cmp_group_time);
    if (ng > MAX_CLUSTER_STMT)
        ng = MAX_CLUSTER_STMT;
    double *pts = xmalloc(ng * NFEAT * sizeof *pts);
    int *labels = xmalloc(ng * sizeof *labels), *best_labels = xmalloc(ng * sizeof *best_labels);
    double cent[8 * NFEAT], best_cent[8 * NFEAT];
    double total = 0;
    for (size_t i = 0; i < ng; i++)
        total += g[i].total;
    group_features(g, ng, pts);
    double best_sil;
    size_t best_k = choose_k(c, pts, ng, labels, cent, best_labels, best_cent, &best_sil);
    json_object_set_new(ev, "k", json_integer((json_int_t)best_k));
    json_object_set_new(ev, "silhouette", json_real(best_sil));
    json_object_set_new(ev, "method",
                        json_string("statements grouped by libpg_query fingerprint, then k-means++ "
                                    "(seeded, deterministic) on z-scored features: log10 mean ms, "
                                    "log10 rows/call, log10 blocks/call, write time share, "
                                    "tables named; k in 1..8 by simplified silhouette"));
    for (size_t q = 0; q < best_k; q++) {
        json_t *cl = cluster_json(g, ng, si, best_labels, q, total);
        if (cl)
            json_array_append_new(out, cl);
    }
    free(pts);
    free(labels);
    free(best_labels);
    free(g);
    return out;
}

json_t *ai_workload(ai_ctx_t *c)
{
    json_t *wa = json_object();
    json_t *ev = json_object();
    const json_t *stmts = json_object_get(c->snapshot, "statements");
    size_t n = json_array_size(stmts);
    stmt_info_t *si = xcalloc(n ? n : 1, sizeof *si);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if ((i & 255) == 0)
            progress_alive(); /* per 256 statements (common/progress.h) */
        const json_t *row = json_array_get(stmts, i);
        double calls = jget_num_or(row, "calls", 0), total = jget_num_or(row, "total_exec_time", 0);
        if (!(calls > 0) || !(total >= 0))
            continue;
        stmt_info_t *x = &si[m++];
        x->row = row;
        x->queryid = json_integer_value(json_object_get(row, "queryid"));
        x->calls = calls;
        x->total = total;
        x->mean = total / calls;
        x->rows = jget_num_or(row, "rows", 0);
        x->blks = jget_num_or(row, "shared_blks_hit", 0) + jget_num_or(row, "shared_blks_read", 0) +
                  jget_num_or(row, "temp_blks_read", 0) + jget_num_or(row, "temp_blks_written", 0);
        inspect(x, json_string_value(json_object_get(row, "query")));
    }
    if (!json_is_array(stmts))
        json_array_append_new(c->notes, json_string("workload: the snapshot has no statements "
                                                    "section (pg_stat_statements missing?)"));
    json_object_set_new(ev, "classification", classify(c, si, m, wa));
    json_object_set_new(ev, "peak_hours", peak_hours(c, wa));
    json_t *cev = json_object();
    json_object_set_new(wa, "query_clusters", clusters(c, si, m, cev));
    json_object_set_new(ev, "query_clusters", cev);
    json_object_set_new(wa, "evidence", ev);
    free(si);
    return wa;
}
