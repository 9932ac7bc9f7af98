/*
 * ai_ml.c - ml_insights: regressions, anomalies, auto_scaling thresholds.
 *
 * Regressions (per statement, against its own history): x = log of the
 * per-interval mean execution time (intervals with at least min_calls
 * calls). The change point is the argmax of the CUSUM |sum(x_i - mean x)|
 * (at least min_segment intervals on each side). The regression is
 * reported when the robust z-score of the median after it against the
 * baseline before it, 0.6745 (median_after - median_before) / MAD_before,
 * exceeds 3.5 (MAD floored at 2% so a perfectly flat baseline does not turn
 * noise into infinity), when >= 75% of the intervals after it are elevated
 * (z > 2: a spike fails this, a sustained shift passes) and the statement
 * holds at least min_share of the execution time after the change. The
 * onset is refined with a tabular CUSUM (k = 0.5, h = 5 in robust z units):
 * the last interval where the upper sum was zero before it crossed h.
 *
 * Anomalies (database level): each series (load, transactions, rows,
 * blocks read, active connections) against the same hour of the week (two
 * weeks or more), else the same hour of the day (two days or more), else
 * the whole window; robust z over the bucket's median and MAD; flagged
 * intervals are merged into events, events of different metrics that
 * overlap into one anomaly. An anomaly must last two intervals or show in
 * two metrics: single excursions of one metric are what thousands of
 * comparisons at |z| > 3.5 produce by chance (counted, not reported).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/progress.h"
#include "common/alloc.h"
#include "common/steptest.h"
#include "workers/ai_tuning/ai_internal.h"

#define MAD_FLOOR_LOG (0.6745 * 0.02)
#define ELEVATED_Z    2.0
#define SUSTAIN_SHARE 0.75
#define CUSUM_K       0.5
#define CUSUM_H       5.0
/* A step test finding (statement or load) with no cause found in the
 * database must be at least this large to be reported: on a busy host,
 * CPU contention alone moves per-call times 2-3x for minutes (measured on
 * the planted look-alikes while the whole test suite ran beside them). */
#define UNEXPLAINED_MIN_RATIO 5.0

/* 1 when a step's cause does not explain a sustained step: nothing found
 * ("unknown"), or only a restart. A clean restart changes no plan, data or
 * setting; what it changes (a cold cache) lasts about one interval, which a
 * step with >= 3 intervals on each side is not. A step at a restart is host
 * noise that happened to fall there (measured: 1.8x improvements and load
 * steps at a real restart while the host ran at load 15-20). */
static int weak_cause(const char *cause)
{
    return cause && (!strcmp(cause, "unknown") || !strcmp(cause, "restart"));
}

typedef struct {
    double calls, total, sumsq, rows, temp, t0, t1;
} pool_t;

/* Adds one statement interval to the pool (calls, time, sum of squares,
 * rows, temp blocks) and stretches its time span. */
static void pool_add(pool_t *p, const ai_stmt_point_t *x)
{
    if (p->calls == 0)
        p->t0 = x->t0;
    p->calls += x->calls;
    p->total += x->total_ms;
    p->sumsq += isfinite(x->sumsq) ? x->sumsq : NAN;
    p->rows += x->rows;
    p->temp += x->temp;
    p->t1 = x->t1;
}

/* A pool as output: mean ms per call, calls (per hour), total ms, span and,
 * when the sums of squares were shipped, the pooled stddev. */
static json_t *pool_json(const pool_t *p)
{
    double mean = p->calls > 0 ? p->total / p->calls : 0;
    double var = p->calls > 0 ? p->sumsq / p->calls - mean * mean : NAN;
    double hours = (p->t1 - p->t0) / 3600;
    char a[32], b[32];
    ai_format_time(p->t0, a, sizeof a);
    ai_format_time(p->t1, b, sizeof b);
    json_t *o = json_pack("{s:f, s:f, s:f, s:f, s:s, s:s}", "mean_ms", mean, "calls", p->calls,
                          "calls_per_hour", hours > 0 ? p->calls / hours : 0.0, "total_ms",
                          p->total, "from", a, "to", b);
    /* Pooled stddev over the window's calls (sum of squares / calls - mean^2). */
    if (isfinite(var))
        json_object_set_new(o, "stddev_ms", json_real(var > 0 ? sqrt(var) : 0.0));
    return o;
}

/* Total statement time (ms) in [t0, t1] from the load series. */
static double window_time_ms(const ai_series_t *s, double t0, double t1)
{
    double sum = 0;
    for (size_t i = 0; i < s->nload; i++)
        if (s->load_t0[i] >= t0 && s->load_t1[i] <= t1)
            sum += s->load[i] * (s->load_t1[i] - s->load_t0[i]) * 1000;
    return sum;
}

/* The cause of a statement's change in the interval `at` (ai_cause.c). */
static json_t *statement_cause(ai_ctx_t *c, int64_t queryid, int dir, const ai_stmt_point_t *at,
                               const pool_t *before, const pool_t *after)
{
    ai_change_t ch = {
        .queryid = queryid,
        .direction = dir,
        .t0 = at->t0,
        .t1 = at->t1,
        .win0 = before->t0,
        .win1 = after->t1,
        .temp_before = before->calls > 0 ? before->temp / before->calls : NAN,
        .temp_after = after->calls > 0 ? after->temp / after->calls : NAN,
    };
    return ai_attribute(c, &ch);
}

/* Step test (common/steptest.h) on the statement's per-interval means:
 * for histories too short for the CUSUM (or changes it did not flag), a
 * large step with >= 3 intervals on each side. dir +1 looks for a
 * regression, -1 for an improvement. Returns the finding or NULL. */
static json_t *step_finding(ai_ctx_t *c, const ai_stmt_series_t *st, const double *logx,
                            const size_t *idx, size_t n, int dir)
{
    /* The test is on ranks, so logs would do; the medians and their ratio
     * are reported in ms. */
    double x[STEPTEST_MAX_N];
    size_t off = n > STEPTEST_MAX_N ? n - STEPTEST_MAX_N : 0;
    idx += off;
    n -= off;
    for (size_t i = 0; i < n; i++)
        x[i] = exp(logx[off + i]);
    const ai_series_t *s = &c->series;
    steptest_opts_t so;
    steptest_opts_init(&so);
    so.direction = dir;
    so.min_ratio = c->opt->step_min_ratio;
    so.alpha = c->opt->step_alpha;
    steptest_result_t r;
    if (n < 2 * so.min_side || steptest_find(x, n, &so, &r, NULL) != 0 || !r.found)
        return NULL;
    pool_t before = {0}, after = {0};
    for (size_t i = r.offset; i < n; i++)
        pool_add(i < r.change ? &before : &after, &st->pts[idx[i]]);
    if (before.calls <= 0 || after.calls <= 0)
        return NULL;
    double mb = before.total / before.calls, ma = after.total / after.calls;
    /* The statement must matter on the side where it is slow. */
    const pool_t *slow = dir > 0 ? &after : &before;
    double window_ms = window_time_ms(s, slow->t0, slow->t1);
    double share = window_ms > 0 ? slow->total / window_ms : NAN;
    if (isfinite(share) && share < c->opt->min_share)
        return NULL;
    const char *text = ai_statement_text(c->snapshot, st->queryid);
    const ai_stmt_point_t *first_after = &st->pts[idx[r.change]];
    const ai_stmt_point_t *last_before = &st->pts[idx[r.change - 1]];
    char onset_s[32], lb[32], fa[32];
    ai_format_time(first_after->t0, onset_s, sizeof onset_s);
    ai_format_time(last_before->t1, lb, sizeof lb);
    ai_format_time(first_after->t1, fa, sizeof fa);
    double hours = (after.t1 - after.t0) / 3600;
    json_t *f = json_pack(
        "{s:I, s:I, s:o, s:s, s:s, s:[s, s], s:f, s:o, s:o, s:f, s:f, s:f, s:f, s:f, s:f}",
        "queryid", (json_int_t)st->queryid, "userid", (json_int_t)st->userid, "query",
        text ? json_string(text) : json_string("(text not in the current snapshot)"), "method",
        "step", "onset", onset_s, "change_between", lb, fa, "change_pct", 100 * (ma / mb - 1),
        "before", pool_json(&before), "after", pool_json(&after), "calls_affected", after.calls,
        dir > 0 ? "time_lost_ms" : "time_saved_ms", fabs(ma - mb) * after.calls, "p_value", r.p,
        "p_min_at_this_size", r.p_min, "time_share_after", isfinite(share) ? share : -1.0,
        dir > 0 ? "extra_ms_per_hour" : "saved_ms_per_hour",
        hours > 0 ? fabs(ma - mb) * after.calls / hours : 0.0);
    json_t *cause = statement_cause(c, st->queryid, dir, first_after, &before, &after);
    /* A shift below UNEXPLAINED_MIN_RATIO with nothing changed in the
     * database (or only a restart) is what host load or a cache warming up
     * produce on a busy machine: counted, not reported. A cause found, or a
     * larger step, is reported. */
    const char *cs = json_string_value(json_object_get(cause, "cause"));
    double mag = dir > 0 ? r.ratio : 1 / r.ratio;
    if (weak_cause(cs) && mag < UNEXPLAINED_MIN_RATIO) {
        c->small_unexplained++;
        json_decref(cause);
        json_decref(f);
        return NULL;
    }
    json_object_set_new(f, "cause", cause);
    json_object_set_new(
        f, "evidence",
        json_sprintf("exact one-sided Mann-Whitney on per-interval mean time per call: %zu "
                     "intervals before, %zu after; median %.3g ms -> %.3g ms (x%.3g); p %.3g "
                     "(split p %.3g x %zu splits tried, Bonferroni; the smallest p possible with "
                     "%zu and %zu intervals is %.3g)",
                     r.n_before, r.n_after, r.median_before, r.median_after, r.ratio, r.p,
                     r.p_split, r.splits, r.n_before, r.n_after, r.p_min));
    return f;
}

/* The CUSUM change point of one statement's log per-call times x (n
 * intervals, idx their positions in st->pts; tmp scratch of n): a
 * sustained upward step (robust z above the threshold, enough intervals
 * after it elevated) becomes *found with its onset, pools before and after,
 * cause and evidence. Returns 0 when there is no such step (the caller then
 * tries the step test), 1 otherwise; *found stays NULL when the statement's
 * share of execution time after the step is below min_share. */
static int cusum_finding(ai_ctx_t *c, const ai_stmt_series_t *st, const double *x, double *tmp,
                         const size_t *idx, size_t n, json_t **found)
{
    const ai_series_t *s = &c->series;
    const ai_tuning_options_t *o = c->opt;
    size_t ms = (size_t)o->min_segment;
    *found = NULL;
    double mean = 0;
    for (size_t i = 0; i < n; i++)
        mean += x[i];
    mean /= (double)n;
    double S = 0, best = -1;
    size_t k = 0;
    for (size_t i = 1; i < n; i++) {
        S += x[i - 1] - mean;
        if (i >= ms && n - i >= ms && fabs(S) > best) {
            best = fabs(S);
            k = i;
        }
    }
    memcpy(tmp, x, k * sizeof *tmp);
    double med_b = ai_median(tmp, k);
    double mad_b = ai_mad(x, k, med_b);
    double madf = mad_b > MAD_FLOOR_LOG ? mad_b : MAD_FLOOR_LOG;
    memcpy(tmp, x + k, (n - k) * sizeof *tmp);
    double med_a = ai_median(tmp, n - k);
    double z = 0.6745 * (med_a - med_b) / madf;
    size_t elevated = 0;
    for (size_t i = k; i < n; i++)
        elevated += 0.6745 * (x[i] - med_b) / madf > ELEVATED_Z;
    double frac = (double)elevated / (double)(n - k);
    if (!(z > o->z_threshold) || frac < SUSTAIN_SHARE)
        return 0;
    /* Onset by tabular CUSUM over the whole series against the baseline. */
    double C = 0;
    size_t last_zero = 0, alarm = n;
    for (size_t i = 0; i < n; i++) {
        C += 0.6745 * (x[i] - med_b) / madf - CUSUM_K;
        if (C <= 0) {
            C = 0;
            last_zero = i + 1;
        }
        if (C > CUSUM_H && i >= k - (k > 0) && alarm == n) {
            alarm = i;
            break;
        }
    }
    size_t onset = alarm < n && last_zero <= alarm ? last_zero : k;
    if (onset < k / 2)
        onset = k; /* a drift that started long before the step: keep the step */
    pool_t before = {0}, after = {0};
    for (size_t i = 0; i < n; i++)
        pool_add(i < onset ? &before : &after, &st->pts[idx[i]]);
    double window_ms = window_time_ms(s, after.t0, after.t1);
    double share = window_ms > 0 ? after.total / window_ms : NAN;
    if (isfinite(share) && share < o->min_share)
        return 1;
    double mb = before.total / before.calls, ma = after.total / after.calls;
    const char *text = ai_statement_text(c->snapshot, st->queryid);
    char onset_s[32];
    ai_format_time(st->pts[idx[onset]].t0, onset_s, sizeof onset_s);
    json_t *r =
        json_pack("{s:I, s:I, s:o, s:s, s:f, s:f, s:o, s:o, s:f, s:f, s:f}", "queryid",
                  (json_int_t)st->queryid, "userid", (json_int_t)st->userid, "query",
                  text ? json_string(text) : json_string("(text not in the current snapshot)"),
                  "onset", onset_s, "change_pct", 100 * (ma / mb - 1), "robust_z", z, "before",
                  pool_json(&before), "after", pool_json(&after), "elevated_share", frac,
                  "time_share_after", isfinite(share) ? share : -1.0, "extra_ms_per_hour",
                  (ma - mb) * (after.calls / ((after.t1 - after.t0) / 3600)));
    json_object_set_new(r, "method", json_string("cusum"));
    json_object_set_new(r, "cause",
                        statement_cause(c, st->queryid, +1, &st->pts[idx[onset]], &before, &after));
    json_object_set_new(r, "calls_affected", json_real(after.calls));
    json_object_set_new(r, "time_lost_ms", json_real((ma - mb) * after.calls));
    json_object_set_new(
        r, "evidence",
        json_sprintf("per-interval mean of %zu intervals with >= %.0f calls; change point "
                     "by CUSUM of log(mean) at interval %zu; median %.3g ms -> %.3g ms, "
                     "robust z %.1f (MAD of log mean before %.3g); %.0f%% of %zu intervals "
                     "after it elevated",
                     n, o->min_calls, k, exp(med_b), exp(med_a), z, mad_b, 100 * frac, n - k));
    *found = r;
    return 1;
}

/* regressions: statements whose time per call rose and stayed up (CUSUM
 * change point, or the step test on short or recent histories);
 * improvements gets the steps downwards and ev the counts and methods. */
static json_t *regressions(ai_ctx_t *c, json_t *ev, json_t *improvements)
{
    const ai_series_t *s = &c->series;
    const ai_tuning_options_t *o = c->opt;
    json_t *out = json_array();
    size_t examined = 0, too_short = 0, by_step = 0, by_cusum = 0;
    size_t cap = 0;
    for (size_t q = 0; q < s->nst; q++)
        cap = s->st[q].n > cap ? s->st[q].n : cap;
    double *x = xmalloc((cap ? cap : 1) * sizeof *x), *tmp = xmalloc((cap ? cap : 1) * sizeof *tmp);
    size_t *idx = xmalloc((cap ? cap : 1) * sizeof *idx);
    for (size_t q = 0; q < s->nst; q++) {
        /* per statement: each is a full pass over its history (common/progress.h) */
        progress_alive();
        const ai_stmt_series_t *st = &s->st[q];
        size_t n = 0;
        for (size_t i = 0; i < st->n; i++)
            if (st->pts[i].calls >= o->min_calls && st->pts[i].total_ms > 0) {
                x[n] = log(st->pts[i].total_ms / st->pts[i].calls);
                idx[n++] = i;
            }
        size_t ms = (size_t)o->min_segment;
        json_t *imp = step_finding(c, st, x, idx, n, -1);
        if (imp)
            json_array_append_new(improvements, imp);
        if (n < 2 * ms) {
            json_t *f = step_finding(c, st, x, idx, n, +1);
            if (f) {
                json_array_append_new(out, f);
                by_step++;
            }
            if (n >= 6)
                examined++;
            else
                too_short += st->n > 0;
            continue;
        }
        examined++;
        json_t *r = NULL;
        if (cusum_finding(c, st, x, tmp, idx, n, &r) == 0) {
            /* A large recent step the whole-history CUSUM split missed. */
            json_t *f = step_finding(c, st, x, idx, n, +1);
            if (f) {
                json_array_append_new(out, f);
                by_step++;
            }
            continue;
        }
        if (r) {
            by_cusum++;
            json_array_append_new(out, r);
        }
    }
    free(x);
    free(tmp);
    free(idx);
    json_object_set_new(ev, "statements_examined", json_integer((json_int_t)examined));
    json_object_set_new(ev, "statements_too_few_intervals", json_integer((json_int_t)too_short));
    json_object_set_new(ev, "found_by_cusum", json_integer((json_int_t)by_cusum));
    json_object_set_new(ev, "found_by_step_test", json_integer((json_int_t)by_step));
    json_object_set_new(ev, "small_unexplained_shifts_ignored",
                        json_integer((json_int_t)c->small_unexplained));
    json_object_set_new(
        ev, "step_method",
        json_sprintf("statements with >= 6 intervals: exact one-sided Mann-Whitney test on the "
                     "per-interval mean time per call of the last <= %d intervals, every split "
                     "with >= 3 intervals each side tried (Bonferroni), p <= %.2g and a median "
                     "ratio >= %.3g; with 3 + 3 intervals only complete separation passes "
                     "(p = 1/20 = 0.05); the same test downwards lists improvements",
                     STEPTEST_MAX_N, o->step_alpha, o->step_min_ratio));
    if (s->nst == 0)
        json_object_set_new(ev, "missing",
                            json_string("no statement history: regressions need at least "
                                        "2 x min_segment intervals of pg_stat_statements "
                                        "counters (pgopt-coordinator snapshot --store, or "
                                        "--samples N --interval S)"));
    json_object_set_new(
        ev, "method",
        json_sprintf("per statement: CUSUM change point on log(per-interval mean), robust "
                     "z = 0.6745 (median after - median before) / MAD before > %.1f, >= %.0f%% "
                     "of intervals after it elevated (z > %.0f), >= %.0f calls per interval, "
                     ">= %.1f%% of execution time after the change",
                     o->z_threshold, 100 * SUSTAIN_SHARE, ELEVATED_Z, o->min_calls,
                     100 * o->min_share));
    return out;
}

/* ---- anomalies ---- */

typedef struct {
    const char *name;
    double abs_floor; /* smallest deviation worth reporting, in the metric's unit */
} metric_t;

static const metric_t METRICS[] = {
    {"db_time_per_s", 0.05},   {"xact_per_s", 1.0},         {"rows_per_s", 100.0},
    {"blks_read_per_s", 10.0}, {"active_connections", 1.0},
};
enum { NMETRIC = sizeof METRICS / sizeof *METRICS };

/* Interval iv's value of database-wide metric m (the order of METRICS):
 * execution time per second, transactions, rows and blocks read per second,
 * active connections. */
static double metric_value(const ai_interval_t *iv, int m)
{
    switch (m) {
    case 0:
        return iv->db_time_per_s;
    case 1:
        return iv->xact_per_s;
    case 2:
        return iv->rows_per_s;
    case 3:
        return iv->blks_read_per_s;
    default:
        return iv->active_conn;
    }
}

typedef struct {
    double t0, t1, peak_z, peak_v, base;
    int metric, sign;
} event_t;

static int cmp_event(const void *a, const void *b)
{
    const event_t *x = a, *y = b;
    return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

/* Scratch arrays of anomalies(): per interval (val, tmp, bucket) and per
 * baseline bucket (med, mad, cnt). */
typedef struct {
    double *val, *tmp, *med, *mad;
    int *bucket;
    size_t *cnt;
} anomaly_scratch_t;

/* The events found on a growing array. */
typedef struct {
    event_t *v;
    size_t n, cap;
} events_t;

/* Metric m's excursions from its baseline (robust z against the median and
 * MAD of its bucket: hour of week, hour of day or the whole window as mode
 * 2/1/0 says), merged over runs of flagged intervals into events appended
 * to e. Returns 0 when the metric has fewer than 12 usable intervals (not
 * used), 1 otherwise. */
static int metric_events(ai_ctx_t *c, int m, int mode, size_t nb, anomaly_scratch_t *w, events_t *e)
{
    const ai_series_t *s = &c->series;
    size_t have = 0;
    for (size_t i = 0; i < s->niv; i++) {
        const ai_interval_t *iv = &s->iv[i];
        w->val[i] = iv->valid && !iv->gap ? metric_value(iv, m) : NAN;
        /* Rates belong to the interval's middle, point readings to its end. */
        double mid = m == 4 ? iv->t1 : (iv->t0 + iv->t1) / 2;
        long h = (long)floor(mid / 3600);
        /* Epoch hour 0 is Thursday 00:00 UTC; hour of week from Sunday. */
        w->bucket[i] = mode == 2 ? (int)((h + 96) % 168) : mode == 1 ? (int)(h % 24) : 0;
        have += isfinite(w->val[i]);
    }
    if (have < 12)
        return 0;
    for (size_t b = 0; b < nb; b++) {
        size_t k = 0;
        for (size_t i = 0; i < s->niv; i++)
            if (w->bucket[i] == (int)b && isfinite(w->val[i]))
                w->tmp[k++] = w->val[i];
        w->cnt[b] = k;
        w->med[b] = ai_median(w->tmp, k);
        w->mad[b] = k ? ai_mad(w->tmp, k, w->med[b]) : NAN;
    }
    event_t cur = {0};
    int open = 0;
    size_t quiet = 0;
    for (size_t i = 0; i <= s->niv; i++) {
        int flag = 0;
        double z = 0;
        if (i < s->niv && isfinite(w->val[i]) && w->cnt[w->bucket[i]] >= 5) {
            double md = w->med[w->bucket[i]];
            /* Floors: 5% of the median, and half the metric's smallest
             * meaningful step (connection counts move by whole units). */
            double madf = fmax(w->mad[w->bucket[i]], 0.05 * fabs(md));
            madf = fmax(madf, METRICS[m].abs_floor / 2);
            z = 0.6745 * (w->val[i] - md) / madf;
            flag = fabs(z) > c->opt->z_threshold && fabs(w->val[i] - md) >= METRICS[m].abs_floor;
        }
        int sign = z > 0 ? 1 : -1;
        if (flag && open && sign == cur.sign) {
            cur.t1 = s->iv[i].t1;
            if (fabs(z) > fabs(cur.peak_z)) {
                cur.peak_z = z;
                cur.peak_v = w->val[i];
                cur.base = w->med[w->bucket[i]];
            }
            quiet = 0;
            continue;
        }
        if (open && !flag && quiet == 0 && i < s->niv) {
            quiet = 1; /* one quiet interval inside an event is tolerated */
            continue;
        }
        if (open) {
            if (e->n == e->cap) {
                e->cap = e->cap ? e->cap * 2 : 64;
                e->v = xreallocarray(e->v, e->cap, sizeof *e->v);
            }
            e->v[e->n++] = cur;
            open = 0;
        }
        quiet = 0;
        if (flag) {
            cur.t0 = s->iv[i].t0;
            cur.t1 = s->iv[i].t1;
            cur.peak_z = z;
            cur.peak_v = w->val[i];
            cur.base = w->med[w->bucket[i]];
            cur.metric = m;
            cur.sign = sign;
            open = 1;
        }
    }
    return 1;
}

/* Events of different metrics that overlap are one anomaly, appended to out
 * with its attributed cause; evs sorted by start. Returns how many isolated
 * excursions (one metric, one interval) were ignored. */
static size_t merge_events(ai_ctx_t *c, const event_t *evs, size_t nev, json_t *out)
{
    const ai_series_t *s = &c->series;
    size_t isolated = 0;
    for (size_t i = 0; i < nev;) {
        double t0 = evs[i].t0, t1 = evs[i].t1;
        size_t j = i + 1;
        while (j < nev && evs[j].t0 <= t1) {
            t1 = fmax(t1, evs[j].t1);
            j++;
        }
        /* One metric over one interval is what thousands of comparisons
         * produce by chance at |z| > 3.5: it must last two intervals or be
         * seen by two metrics to count. */
        int distinct = 0;
        for (size_t q = i; q < j; q++) {
            int seen = 0;
            for (size_t p2 = i; p2 < q; p2++)
                seen |= evs[p2].metric == evs[q].metric;
            distinct += !seen;
        }
        if (distinct < 2 && t1 - t0 <= 1.5 * s->step_s) {
            isolated++;
            i = j;
            continue;
        }
        json_t *metrics = json_array();
        double peak = 0;
        int up = 0;
        for (size_t q = i; q < j; q++) {
            json_array_append_new(metrics, json_pack("{s:s, s:s, s:f, s:f, s:f}", "metric",
                                                     METRICS[evs[q].metric].name, "direction",
                                                     evs[q].sign > 0 ? "above" : "below",
                                                     "peak_value", evs[q].peak_v, "baseline_median",
                                                     evs[q].base, "robust_z", evs[q].peak_z));
            if (fabs(evs[q].peak_z) > fabs(peak)) {
                peak = evs[q].peak_z;
                up = evs[q].sign > 0;
            }
        }
        char a[32], b[32];
        ai_format_time(t0, a, sizeof a);
        ai_format_time(t1, b, sizeof b);
        double hours = (t1 - t0) / 3600;
        ai_change_t ch = {.queryid = 0,
                          .direction = up ? 1 : -1,
                          .t0 = t0,
                          .t1 = fmin(t1, t0 + s->step_s),
                          .win0 = t0 - 3 * s->step_s,
                          .win1 = t1,
                          .temp_before = NAN,
                          .temp_after = NAN};
        json_t *cause = ai_attribute(c, &ch);
        json_array_append_new(
            out, json_pack("{s:s, s:s, s:s, s:f, s:f, s:o}", "start", a, "end", b, "type",
                           hours > 6 ? "level_shift"
                           : up      ? "spike"
                                     : "dip",
                           "duration_hours", hours, "peak_robust_z", peak, "metrics", metrics));
        json_object_set_new(json_array_get(out, json_array_size(out) - 1), "cause", cause);
        i = j;
    }
    return isolated;
}

/* anomalies: spikes, dips and level shifts of the database-wide metrics
 * against their same-hour baseline, each with its attributed cause; ev
 * gets the baseline, the metrics used and the method. An empty array (ev
 * says why) when history is too short. */
static json_t *anomalies(ai_ctx_t *c, json_t *ev)
{
    const ai_series_t *s = &c->series;
    json_t *out = json_array();
    double span = s->n >= 2 ? s->t[s->n - 1] - s->t[0] : 0;
    int mode = span >= 14 * 86400 ? 2 : span >= 2 * 86400 ? 1 : 0;
    size_t nb = mode == 2 ? 168 : mode == 1 ? 24 : 1;
    const char *mode_s = mode == 2   ? "same hour of the week"
                         : mode == 1 ? "same hour of the day (history < 14 days)"
                                     : "whole window (history < 2 days)";
    json_object_set_new(ev, "baseline", json_string(mode_s));
    if (s->niv < 12) {
        json_object_set_new(
            ev, "missing",
            json_sprintf("anomalies need >= 12 intervals of history, have %zu", s->niv));
        return out;
    }
    anomaly_scratch_t w = {
        .val = xmalloc(s->niv * sizeof *w.val),
        .tmp = xmalloc(s->niv * sizeof *w.tmp),
        .bucket = xmalloc(s->niv * sizeof *w.bucket),
        .med = xmalloc(nb * sizeof *w.med),
        .mad = xmalloc(nb * sizeof *w.mad),
        .cnt = xmalloc(nb * sizeof *w.cnt),
    };
    events_t e = {0};
    json_t *used = json_array();
    for (int m = 0; m < NMETRIC; m++)
        if (metric_events(c, m, mode, nb, &w, &e))
            json_array_append_new(used, json_string(METRICS[m].name));
    json_object_set_new(ev, "metrics", used);
    if (e.n)
        qsort(e.v, e.n, sizeof *e.v, cmp_event);
    size_t isolated = merge_events(c, e.v, e.n, out);
    json_object_set_new(ev, "isolated_excursions_ignored", json_integer((json_int_t)isolated));
    free(e.v);
    free(w.val);
    free(w.tmp);
    free(w.bucket);
    free(w.med);
    free(w.mad);
    free(w.cnt);
    json_object_set_new(ev, "method",
                        json_sprintf("robust z = 0.6745 (x - median) / MAD against the %s "
                                     "(MAD floored at 5%% of the median and at half a per-metric "
                                     "minimum step), |z| > %.1f and a deviation of at least that "
                                     "step; flagged intervals merged into events",
                                     mode_s, c->opt->z_threshold));
    return out;
}

/* ---- auto scaling ---- */

/* Builds the auto_scaling section: load quantiles, scale up/down rules and
 * vCPU bounds from the statement history (and connection figures when 12
 * intervals have them), setting c->load_* and adding the method to ev.
 * Returns a new JSON object; with fewer than 12 load intervals it holds only
 * a status saying what is missing. */
static json_t *auto_scaling(ai_ctx_t *c, json_t *ev)
{
    const ai_series_t *s = &c->series;
    json_t *out = json_object();
    c->load_p50 = c->load_p95 = c->load_p99 = c->load_max = NAN;
    if (s->nload < 12) {
        json_object_set_new(out, "status",
                            json_sprintf("unknown: needs >= 12 intervals of statement history "
                                         "to see the load distribution, have %zu",
                                         s->nload));
        return out;
    }
    double *v = xmalloc(s->nload * sizeof *v);
    memcpy(v, s->load, s->nload * sizeof *v);
    c->load_p50 = ai_quantile(v, s->nload, 0.50);
    double p90 = ai_quantile(v, s->nload, 0.90);
    c->load_p95 = ai_quantile(v, s->nload, 0.95);
    c->load_p99 = ai_quantile(v, s->nload, 0.99);
    c->load_max = v[s->nload - 1];
    double p25 = ai_quantile(v, s->nload, 0.25);
    free(v);
    c->load_source = "statement execution time per second from the history";
    json_object_set_new(out, "load_distribution",
                        json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:I}", "p25", p25, "p50",
                                  c->load_p50, "p90", p90, "p95", c->load_p95, "p99", c->load_p99,
                                  "max", c->load_max, "intervals", (json_int_t)s->nload));
    double target = 0.7; /* vCPU utilisation a scaler should aim for */
    json_object_set_new(out, "scale_up_when",
                        json_sprintf("load (average sessions executing) above %.2f (observed "
                                     "p95) for 3 consecutive intervals (~%.0f min)",
                                     c->load_p95, 3 * s->step_s / 60));
    json_object_set_new(out, "scale_down_when",
                        json_sprintf("load below %.2f (observed p25) for 12 consecutive "
                                     "intervals (~%.0f min)",
                                     p25, 12 * s->step_s / 60));
    json_object_set_new(out, "min_vcpu",
                        json_integer((json_int_t)fmax(1, ceil(c->load_p50 / target))));
    json_object_set_new(
        out, "max_vcpu",
        json_integer((json_int_t)fmax(1, ceil(fmax(c->load_p99, c->load_max) / target))));
    if (isfinite(s->cpus) && s->cpus > 0)
        json_object_set_new(out, "p95_cpu_utilisation_upper_bound",
                            json_real(c->load_p95 / s->cpus));
    /* Connections. */
    size_t nc = 0;
    double *cv = xmalloc((s->n ? s->n : 1) * sizeof *cv);
    for (size_t i = 0; i < s->n; i++)
        if (isfinite(s->conn_total[i]))
            cv[nc++] = s->conn_total[i];
    if (nc >= 12) {
        double cp95 = ai_quantile(cv, nc, 0.95), cmax = cv[nc - 1];
        json_t *conn = json_pack("{s:f, s:f}", "p95", cp95, "max", cmax);
        if (isfinite(s->max_connections))
            json_object_set_new(conn, "max_connections", json_real(s->max_connections));
        json_object_set_new(
            conn, "alert_when",
            json_sprintf("connections above %.0f (observed max; p95 %.0f)%s", cmax, cp95,
                         isfinite(s->max_connections) ? ", well before max_connections" : ""));
        json_object_set_new(out, "connections", conn);
    }
    free(cv);
    json_object_set_new(ev, "method",
                        json_string("quantiles of per-interval statement execution time per "
                                    "second (an upper bound of CPU demand: it includes I/O "
                                    "waits); vCPU bounds at 70% target utilisation"));
    return out;
}

/* Short histories (fewer than the 12 intervals the anomaly baseline needs):
 * the step test on the database load (statement time per second). A load
 * step that a reported regression or improvement already explains (its
 * onset within one interval of the step's, same direction: the change's own
 * statement, an INSERT or DDL, can put the load step one interval early) is
 * that finding, not a second one. */
static void load_steps(ai_ctx_t *c, const json_t *regs, const json_t *imps, json_t *out, json_t *ev)
{
    const ai_series_t *s = &c->series;
    if (s->niv >= 12 || s->nload < 6)
        return;
    double x[STEPTEST_MAX_N];
    size_t off = s->nload > STEPTEST_MAX_N ? s->nload - STEPTEST_MAX_N : 0, n = s->nload - off;
    for (size_t i = 0; i < n; i++)
        x[i] = s->load[off + i];
    size_t folded = 0, unexplained = 0;
    for (int dir = 1; dir >= -1; dir -= 2) {
        steptest_opts_t so;
        steptest_opts_init(&so);
        so.direction = dir;
        so.min_ratio = c->opt->load_step_min_ratio;
        so.alpha = c->opt->step_alpha;
        steptest_result_t r;
        if (steptest_find(x, n, &so, &r, NULL) != 0 || !r.found)
            continue;
        double t0 = s->load_t0[off + r.change], t1 = s->load_t1[off + r.change];
        const json_t *same = dir > 0 ? regs : imps;
        int explained = 0;
        size_t i;
        const json_t *f;
        json_array_foreach(same, i, f)
        {
            double on;
            if (ai_parse_time(json_string_value(json_object_get(f, "onset")), &on) == 0 &&
                on >= t0 - (t1 - t0) - 1.0 && on <= t1 + (t1 - t0) + 1.0)
                explained = 1;
        }
        if (explained) {
            folded++;
            continue;
        }
        char a[32], b[32];
        ai_format_time(t0, a, sizeof a);
        ai_format_time(s->load_t1[s->nload - 1], b, sizeof b);
        ai_change_t ch = {.queryid = 0,
                          .direction = dir,
                          .t0 = t0,
                          .t1 = t1,
                          .win0 = s->load_t0[off],
                          .win1 = s->load_t1[s->nload - 1],
                          .temp_before = NAN,
                          .temp_after = NAN};
        json_t *metrics = json_pack("[{s:s, s:s, s:f, s:f}]", "metric", "db_time_per_s",
                                    "direction", dir > 0 ? "above" : "below", "peak_value",
                                    r.median_after, "baseline_median", r.median_before);
        json_t *cause = ai_attribute(c, &ch);
        /* Database load on a small database moves with host contention:
         * an unexplained load step (or one at a restart only) must be large
         * to be reported. */
        const char *cs = json_string_value(json_object_get(cause, "cause"));
        double mag = dir > 0 ? r.ratio : 1 / r.ratio;
        if (weak_cause(cs) && mag < UNEXPLAINED_MIN_RATIO) {
            unexplained++;
            json_decref(cause);
            json_decref(metrics);
            continue;
        }
        json_t *an = json_pack("{s:s, s:s, s:s, s:s, s:f, s:o, s:f, s:o}", "start", a, "end", b,
                               "type", "level_shift", "method", "step", "duration_hours",
                               (s->load_t1[s->nload - 1] - t0) / 3600, "metrics", metrics,
                               "p_value", r.p, "cause", cause);
        json_array_append_new(out, an);
    }
    json_object_set_new(ev, "load_steps_explained_by_a_statement",
                        json_integer((json_int_t)folded));
    json_object_set_new(ev, "unexplained_load_steps_below_5x_ignored",
                        json_integer((json_int_t)unexplained));
    json_object_set_new(ev, "short_history_method",
                        json_string("fewer than 12 intervals: exact Mann-Whitney step test on "
                                    "statement time per second (same test as statement "
                                    "regressions, ratio >= load_step_min_ratio)"));
}

json_t *ai_ml(ai_ctx_t *c)
{
    json_t *ml = json_object(), *ev = json_object(), *re = json_object(), *an = json_object(),
           *as = json_object();
    json_t *imp = json_array();
    json_object_set_new(ml, "regressions", regressions(c, re, imp));
    json_object_set_new(ml, "improvements", imp);
    json_t *anoms = anomalies(c, an);
    load_steps(c, json_object_get(ml, "regressions"), imp, anoms, an);
    json_object_set_new(ml, "anomalies", anoms);
    json_object_set_new(ml, "auto_scaling", auto_scaling(c, as));
    json_object_set_new(ev, "regressions", re);
    json_object_set_new(ev, "anomalies", an);
    json_object_set_new(ev, "auto_scaling", as);
    json_object_set_new(ml, "evidence", ev);
    return ml;
}
