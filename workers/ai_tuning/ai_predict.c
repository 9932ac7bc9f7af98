/*
 * ai_predict.c - predictions: growth of the database and its largest
 * tables, scaling triggers (when a resource crosses its limit) and the
 * actions tied to them.
 *
 * Growth: Theil-Sen (median of pairwise slopes; robust to outliers such as
 * a VACUUM FULL or a bulk load) of size over time, once on the size (linear
 * model) and once on log(size) (exponential model); the model with the
 * smaller median absolute relative residual wins. Confidence from Sen's 95%
 * interval of the slope and the length of the window.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/ai_tuning/ai_internal.h"

#include "common/alloc.h"

#define HORIZON_DAYS 730.0

typedef struct {
    int ok;
    int exponential;
    double monthly;     /* relative growth per 30 days */
    double lo, hi;      /* its 95% interval */
    double slope, icpt; /* on days (linear: bytes/day; exp: log/day) */
    double now_size, now_t, span_days;
    size_t points;
    const char *confidence;
} growth_t;

static double predict(const growth_t *g, double t_days)
{
    double v = g->icpt + g->slope * t_days;
    return g->exponential ? exp(v) : v;
}

/* Fits size y over time t (n points, non-positive sizes skipped) with
 * Theil-Sen on y (linear) and on log y (exponential) and keeps the model
 * with the smaller median relative residual. g->ok stays 0 with fewer than
 * 10 points or less than a day, g->points and g->span_days then saying what
 * there was. */
static void fit_growth(const double *t, const double *y, size_t n, growth_t *g)
{
    memset(g, 0, sizeof *g);
    double *x = xmalloc((n ? n : 1) * sizeof *x), *ly = xmalloc((n ? n : 1) * sizeof *ly),
           *yy = xmalloc((n ? n : 1) * sizeof *yy);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(y[i]) && y[i] > 0) {
            x[m] = (t[i] - t[0]) / 86400;
            yy[m] = y[i];
            ly[m++] = log(y[i]);
        }
    if (m < 10 || x[m - 1] < 1.0) {
        g->points = m;
        g->span_days = m ? x[m - 1] : 0;
        free(x);
        free(ly);
        free(yy);
        return;
    }
    double sl, il, lol, hil, se, ie, loe, hie;
    int okl = ai_theil_sen(x, yy, m, &sl, &il, &lol, &hil) == 0;
    int oke = ai_theil_sen(x, ly, m, &se, &ie, &loe, &hie) == 0;
    double *r = xmalloc(m * sizeof *r);
    double rl = INFINITY, re = INFINITY;
    if (okl) {
        for (size_t i = 0; i < m; i++)
            r[i] = fabs((il + sl * x[i]) / yy[i] - 1);
        rl = ai_median(r, m);
    }
    if (oke) {
        for (size_t i = 0; i < m; i++)
            r[i] = fabs(exp(ie + se * x[i]) / yy[i] - 1);
        re = ai_median(r, m);
    }
    free(r);
    g->points = m;
    g->span_days = x[m - 1];
    g->now_t = x[m - 1];
    /* Prefer the simpler linear model unless the exponential one fits
     * clearly better (residual at least 20% smaller). */
    g->exponential = oke && re < 0.8 * rl;
    if (!okl && !oke) {
        free(x);
        free(ly);
        free(yy);
        return;
    }
    g->ok = 1;
    if (g->exponential) {
        g->slope = se;
        g->icpt = ie;
        g->now_size = predict(g, g->now_t);
        g->monthly = exp(30 * se) - 1;
        g->lo = exp(30 * loe) - 1;
        g->hi = exp(30 * hie) - 1;
    } else {
        g->slope = sl;
        g->icpt = il;
        g->now_size = predict(g, g->now_t);
        double base = g->now_size > 0 ? g->now_size : yy[m - 1];
        g->monthly = 30 * sl / base;
        g->lo = 30 * lol / base;
        g->hi = 30 * hil / base;
    }
    double width = fabs(g->hi - g->lo), mag = fmax(fabs(g->monthly), 1e-6);
    g->confidence = g->span_days >= 14 && width <= 0.25 * mag ? "high"
                    : g->span_days >= 3 && width <= 0.6 * mag ? "medium"
                                                              : "low";
    if (fabs(g->monthly) < 0.001 && width < 0.005)
        g->confidence = g->span_days >= 7 ? "high" : "medium"; /* flat and known to be flat */
    free(x);
    free(ly);
    free(yy);
}

/* A growth fit as output (model, monthly rate and its 95% interval,
 * confidence, window, size now), or why it is unknown. */
static json_t *growth_json(const growth_t *g, const char *what, double t0)
{
    if (!g->ok)
        return json_pack("{s:s, s:o}", "object", what, "status",
                         json_sprintf("unknown: needs >= 10 size points over >= 1 day, have %zu "
                                      "over %.1f days",
                                      g->points, g->span_days));
    char from[16], to[16];
    ai_format_date(t0, from, sizeof from);
    ai_format_date(t0 + g->span_days * 86400, to, sizeof to);
    return json_pack("{s:s, s:s, s:f, s:f, s:f, s:s, s:s, s:f, s:I, s:s, s:s, s:s}", "object", what,
                     "model", g->exponential ? "exponential" : "linear", "monthly_growth",
                     g->monthly, "monthly_growth_lo95", g->lo, "monthly_growth_hi95", g->hi,
                     "confidence", g->confidence, "window_from", from, "size_bytes_now",
                     g->now_size, "points", (json_int_t)g->points, "window_to", to, "method",
                     "Theil-Sen on size and log(size) over time, Sen 95% interval", "basis",
                     "database.size_bytes / tables.total_bytes in the history");
}

/* Days from now until the fitted curve of a growth crosses limit (or
 * series of daily values with its own trend); -1 when not within horizon. */
static double days_to_cross(const growth_t *g, double limit)
{
    if (!g->ok || limit <= 0)
        return -1;
    if (g->now_size >= limit)
        return 0;
    if (g->slope <= 0)
        return -1;
    double target = g->exponential ? log(limit) : limit;
    double t = (target - g->icpt) / g->slope;
    double d = t - g->now_t;
    return d >= 0 && d <= HORIZON_DAYS ? d : -1;
}

/* How long until a trigger, for people: now, N days, N months, or not within
 * the horizon (days < 0). */
static json_t *duration_text(double days)
{
    if (days < 0)
        return json_string("not within 24 months at the current trend");
    if (days < 1)
        return json_string("now");
    if (days < 60)
        return json_sprintf("%.0f days", days);
    return json_sprintf("%.1f months", days / 30.4);
}

/* A scaling trigger as output: resource, limit, current value, when it is
 * crossed (days < 0: not within the horizon, date null) and how that was
 * computed. */
static json_t *trigger(const char *resource, const char *limit_text, double current, double limit,
                       double days, double now, const char *method, const char *confidence)
{
    json_t *t = json_pack("{s:s, s:s, s:f, s:f, s:o, s:s, s:s}", "resource", resource, "limit",
                          limit_text, "current", current, "limit_value", limit, "in",
                          duration_text(days), "method", method, "confidence", confidence);
    if (days >= 0) {
        char d[16];
        ai_format_date(now + days * 86400, d, sizeof d);
        json_object_set_new(t, "date", json_string(d));
        json_object_set_new(t, "days", json_real(days));
    } else {
        json_object_set_new(t, "date", json_null());
    }
    return t;
}

/* Daily maxima of a per-entry or per-interval series, then a linear
 * Theil-Sen fit of them. */
static void daily_max_growth(const double *t, const double *v, size_t n, growth_t *g)
{
    memset(g, 0, sizeof *g);
    if (n == 0)
        return;
    long d0 = (long)floor(t[0] / 86400), d1 = (long)floor(t[n - 1] / 86400);
    size_t nd = (size_t)(d1 - d0 + 1);
    double *mx = xmalloc(nd * sizeof *mx), *dt = xmalloc(nd * sizeof *dt);
    for (size_t i = 0; i < nd; i++)
        mx[i] = NAN;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        size_t d = (size_t)((long)floor(t[i] / 86400) - d0);
        if (!isfinite(mx[d]) || v[i] > mx[d])
            mx[d] = v[i];
    }
    size_t m = 0;
    for (size_t i = 0; i < nd; i++)
        if (isfinite(mx[i])) {
            dt[m] = (double)(d0 + (long)i) * 86400;
            mx[m++] = mx[i];
        }
    growth_t tmp;
    memset(&tmp, 0, sizeof tmp);
    if (m >= 7) {
        double *x = xmalloc(m * sizeof *x);
        double s, ic, lo, hi;
        for (size_t i = 0; i < m; i++)
            x[i] = (dt[i] - dt[0]) / 86400;
        if (ai_theil_sen(x, mx, m, &s, &ic, &lo, &hi) == 0) {
            tmp.ok = 1;
            tmp.slope = s;
            tmp.icpt = ic;
            tmp.now_t = x[m - 1];
            tmp.now_size = ic + s * x[m - 1];
            tmp.span_days = x[m - 1];
            tmp.points = m;
            tmp.confidence = m >= 14 && (hi - lo) <= 0.5 * fabs(s) ? "medium" : "low";
        }
        free(x);
    }
    tmp.points = m;
    *g = tmp;
    free(mx);
    free(dt);
}

/* The growth of the 5 largest tables of the newest history entry that
 * carries tables, one fit each over the entries that have the table. */
static json_t *table_growth(const ai_ctx_t *c)
{
    json_t *tables = json_array();
    const json_t *hist = json_object_get(c->snapshot, "history");
    const json_t *last_tables = NULL;
    for (size_t i = json_array_size(hist); i-- > 0 && !last_tables;)
        if (json_is_array(json_object_get(json_array_get(hist, i), "tables")))
            last_tables = json_object_get(json_array_get(hist, i), "tables");
    if (last_tables) {
        /* The 5 largest. */
        const json_t *pick[5] = {0};
        size_t ti;
        const json_t *row;
        json_array_foreach(last_tables, ti, row)
        {
            double sz = json_number_value(json_object_get(row, "total_bytes"));
            for (int k = 0; k < 5; k++) {
                if (!pick[k] || sz > json_number_value(json_object_get(pick[k], "total_bytes"))) {
                    memmove(&pick[k + 1], &pick[k], (size_t)(4 - k) * sizeof *pick);
                    pick[k] = row;
                    break;
                }
            }
        }
        size_t nh = json_array_size(hist);
        double *tt = xmalloc((nh ? nh : 1) * sizeof *tt), *yy = xmalloc((nh ? nh : 1) * sizeof *yy);
        for (int k = 0; k < 5 && pick[k]; k++) {
            const char *sch = json_string_value(json_object_get(pick[k], "schema"));
            const char *nm = json_string_value(json_object_get(pick[k], "name"));
            size_t m = 0;
            for (size_t i = 0; i < nh; i++) {
                const json_t *e = json_array_get(hist, i);
                const json_t *tr;
                size_t j;
                json_array_foreach(json_object_get(e, "tables"), j, tr)
                {
                    const char *s2 = json_string_value(json_object_get(tr, "schema"));
                    const char *n2 = json_string_value(json_object_get(tr, "name"));
                    if (s2 && n2 && sch && nm && !strcmp(s2, sch) && !strcmp(n2, nm) &&
                        ai_parse_time(json_string_value(json_object_get(e, "collected_at")),
                                      &tt[m]) == 0) {
                        yy[m++] = json_number_value(json_object_get(tr, "total_bytes"));
                        break;
                    }
                }
            }
            growth_t tg;
            fit_growth(tt, yy, m, &tg);
            char what[300];
            snprintf(what, sizeof what, "%s.%s", sch ? sch : "?", nm ? nm : "?");
            json_array_append_new(tables, growth_json(&tg, what, m ? tt[0] : 0));
        }
        free(tt);
        free(yy);
    }
    return tables;
}

/* The scaling triggers (disk, memory, connections, cpu) for which the
 * snapshot has both a limit and a trend, appended to triggers; each one
 * lacking either says why in missing. g is the database growth fit, now
 * the newest history time. */
static void resource_triggers(const ai_ctx_t *c, const growth_t *g, double now, json_t *triggers,
                              json_t *missing)
{
    const ai_series_t *s = &c->series;
    const json_t *host = json_object_get(c->snapshot, "host");
    double mem = json_number_value(json_object_get(host, "memory_bytes"));
    double cpus = json_number_value(json_object_get(host, "cpus"));
    double disk = json_number_value(json_object_get(host, "disk_bytes"));
    if (disk > 0 && g->ok) {
        double d = days_to_cross(g, 0.8 * disk);
        json_array_append_new(triggers,
                              trigger("disk", "80% of host.disk_bytes", g->now_size, 0.8 * disk, d,
                                      now, "database size growth fit", g->confidence));
    } else {
        json_array_append_new(missing, json_string(disk > 0 ? "disk: database growth unknown"
                                                            : "disk: capacity not in the "
                                                              "snapshot (host.disk_bytes)"));
    }
    /* Working set: the tables read in the window, growing like the database. */
    double ws = c->working_set_bytes;
    if (isfinite(ws) && mem > 0 && g->ok) {
        growth_t wg = *g;
        double scale = g->now_size > 0 ? ws / g->now_size : 1;
        /* Same relative trend, scaled to the working set. */
        if (wg.exponential)
            wg.icpt += log(scale);
        else {
            wg.icpt *= scale;
            wg.slope *= scale;
        }
        wg.now_size = ws;
        double d = days_to_cross(&wg, 0.75 * mem);
        json_array_append_new(
            triggers,
            trigger("memory", "working set > 75% of RAM (effective cache)", ws, 0.75 * mem, d, now,
                    "size of tables and indexes read in the window, projected with "
                    "the database growth fit",
                    g->confidence));
    } else {
        json_array_append_new(missing, json_string(mem > 0 ? "memory: working set or growth unknown"
                                                           : "memory: host.memory_bytes unknown"));
    }
    if (isfinite(s->max_connections) && s->n >= 7) {
        growth_t cg;
        daily_max_growth(s->t, s->conn_total, s->n, &cg);
        if (cg.ok) {
            double d = days_to_cross(&cg, 0.8 * s->max_connections);
            json_array_append_new(triggers, trigger("connections", "80% of max_connections",
                                                    cg.now_size, 0.8 * s->max_connections, d, now,
                                                    "Theil-Sen trend of daily peak connections",
                                                    cg.confidence));
        } else
            json_array_append_new(missing, json_string("connections: needs >= 7 days of "
                                                       "activity history"));
    } else {
        json_array_append_new(missing, json_string("connections: no activity history"));
    }
    if (cpus > 0 && s->nload >= 12) {
        growth_t lg;
        daily_max_growth(s->load_t1, s->load, s->nload, &lg);
        if (lg.ok) {
            double d = days_to_cross(&lg, 0.8 * cpus);
            json_array_append_new(triggers,
                                  trigger("cpu", "daily peak load > 80% of vCPUs", lg.now_size,
                                          0.8 * cpus, d, now,
                                          "Theil-Sen trend of daily peak execution time per "
                                          "second (upper bound of CPU demand)",
                                          lg.confidence));
        } else
            json_array_append_new(missing, json_string("cpu: needs >= 7 days of statement "
                                                       "history"));
    } else {
        json_array_append_new(missing, json_string(cpus > 0 ? "cpu: no statement history"
                                                            : "cpu: host.cpus unknown"));
    }
}

/* p.scaling_trigger: the earliest of triggers, or why there is none. */
static void earliest_trigger(json_t *p, const json_t *triggers)
{
    double best = -1;
    const json_t *first = NULL;
    size_t i;
    const json_t *t;
    json_array_foreach(triggers, i, t)
    {
        json_t *d = json_object_get(t, "days");
        if (json_is_number(d) && (best < 0 || json_number_value(d) < best)) {
            best = json_number_value(d);
            first = t;
        }
    }
    if (first)
        json_object_set_new(p, "scaling_trigger",
                            json_sprintf("%s (%s): %s",
                                         json_string_value(json_object_get(first, "in")),
                                         json_string_value(json_object_get(first, "date")),
                                         json_string_value(json_object_get(first, "resource"))));
    else if (json_array_size(triggers) > 0)
        json_object_set_new(p, "scaling_trigger",
                            json_string("none within 24 months at the current trends"));
    else
        json_object_set_new(p, "scaling_trigger",
                            json_string("unknown: no resource with both a limit and a trend "
                                        "(see evidence.missing)"));
}

/* One proactive action per trigger with a date, due 30 days before it. */
static json_t *proactive_actions(const json_t *triggers, double now)
{
    json_t *actions = json_array();
    size_t i;
    const json_t *t;
    json_array_foreach(triggers, i, t)
    {
        json_t *d = json_object_get(t, "days");
        if (!json_is_number(d))
            continue;
        double days = json_number_value(d);
        const char *res = json_string_value(json_object_get(t, "resource"));
        const char *what = !strcmp(res, "disk")     ? "grow the volume or archive/partition cold "
                                                      "data (largest growing tables first)"
                           : !strcmp(res, "memory") ? "move to an instance class with more RAM "
                                                      "or shrink the working set (drop unused "
                                                      "indexes, partition by time)"
                           : !strcmp(res, "connections") ? "put PgBouncer (transaction pooling) in "
                                                           "front or shrink application pools"
                                                         : "tune the top statements by time or "
                                                           "add vCPUs / read replicas";
        char by[16];
        ai_format_date(now + fmax(0, days - 30) * 86400, by, sizeof by);
        json_array_append_new(actions,
                              json_pack("{s:s, s:s, s:s, s:o}", "action", what, "trigger", res,
                                        "before", by, "why",
                                        json_sprintf("%s reaches %s in %s", res,
                                                     json_string_value(json_object_get(t, "limit")),
                                                     json_string_value(json_object_get(t, "in")))));
    }
    return actions;
}

/* predictions (growth rate, table growth, scaling triggers, proactive
 * actions, evidence) from the history's series; sets c->db_growth_monthly,
 * c->db_size_now and c->triggers (borrowed). Never fails: what cannot be
 * predicted says why. */
json_t *ai_predictions(ai_ctx_t *c)
{
    const ai_series_t *s = &c->series;
    json_t *p = json_object(), *ev = json_object(), *triggers = json_array(),
           *missing = json_array();
    c->db_growth_monthly = NAN;
    c->db_size_now =
        json_number_value(json_object_get(json_object_get(c->snapshot, "database"), "size_bytes"));
    growth_t g;
    fit_growth(s->t, s->db_size, s->n, &g);
    double t0 = s->n ? s->t[0] : 0, now = s->n ? s->t[s->n - 1] : 0;
    json_object_set_new(ev, "database", growth_json(&g, "database", t0));
    if (g.ok) {
        c->db_growth_monthly = g.monthly;
        json_object_set_new(p, "growth_rate",
                            json_sprintf("%.1f%% monthly (%s, 95%% interval %.1f%% to %.1f%%, "
                                         "%s confidence, %.0f days of history)",
                                         100 * g.monthly, g.exponential ? "exponential" : "linear",
                                         100 * g.lo, 100 * g.hi, g.confidence, g.span_days));
    } else {
        json_object_set_new(
            p, "growth_rate",
            json_sprintf("unknown: database size needs >= 10 points over >= 1 day of history "
                         "(have %zu over %.1f days)",
                         g.points, g.span_days));
    }
    json_object_set_new(p, "table_growth", table_growth(c));
    resource_triggers(c, &g, now, triggers, missing);
    earliest_trigger(p, triggers);
    json_object_set_new(p, "scaling_triggers", triggers);
    json_object_set_new(p, "proactive_actions", proactive_actions(triggers, now));
    json_object_set_new(ev, "missing", missing);
    json_object_set_new(p, "evidence", ev);
    c->triggers = triggers;
    return p;
}
