/*
 * synth_history.c - see synth_history.h.
 */
#include "synth_history.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MONDAY_2024_01_01 1704067200.0

void synth_opts_init(synth_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->days = 15;
    o->step_s = 300;
    o->statements = 30;
    o->seed = 1;
    o->regressions = 4;
    o->stmt_spikes = 4;
    o->db_spikes = 6;
    o->with_reset = 1;
    o->gaps = 2;
    o->evictions = 2;
    o->db_monthly_growth = 0.10;
    o->table_monthly_growth = 0.20;
}

typedef struct {
    uint64_t s;
} rng_t;

static double uniform(rng_t *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (double)(r->s >> 11) / 9007199254740992.0;
}

static double gauss(rng_t *r)
{
    double u = uniform(r), v = uniform(r);
    if (u < 1e-12)
        u = 1e-12;
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static void iso(double t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static double load_multiplier(double t)
{
    long h = (long)floor(t / 3600);
    int hod = (int)(h % 24);
    int dow = (int)(((h / 24) + 4) % 7); /* 0 = Sunday; 1970-01-01 was a Thursday */
    double m = (hod >= 9 && hod < 12) || (hod >= 14 && hod < 18) ? 3.0 : 1.0;
    if (dow == 0 || dow == 6)
        m *= 0.4;
    return m;
}

typedef struct {
    double rate, mean, rows, blks; /* per interval at multiplier 1 */
    double calls, total, sumsq, rws, bks;
    int reg_at, spike_at, spike_len, evict_from, evict_to;
} stmt_t;

json_t *synth_history(const synth_opts_t *o, synth_truth_t *truth)
{
    memset(truth, 0, sizeof *truth);
    rng_t r = {.s = 0x9E3779B97F4A7C15ull ^ ((uint64_t)o->seed * 0x100000001B3ull)};
    int n = o->days * 86400 / o->step_s + 1;
    int ns = o->statements;
    stmt_t *st = calloc((size_t)ns, sizeof *st);
    /* Statement shares: a mild Zipf so the top ones hold most time. */
    for (int i = 0; i < ns; i++) {
        st[i].rate = 40.0 + 400.0 / (i + 1);
        st[i].mean = 0.5 + 4.5 * uniform(&r);
        st[i].rows = 1 + floor(10 * uniform(&r));
        st[i].blks = 4 + floor(20 * uniform(&r));
        st[i].reg_at = st[i].spike_at = st[i].evict_from = -1;
    }
    double t0 = MONDAY_2024_01_01;
    truth->t0 = t0;
    truth->t_end = t0 + (double)(n - 1) * o->step_s;
    int day = 86400 / o->step_s;
    /* Regressions on statements 8, 10, 12, ... (a few % of the time each,
     * so together they shift the database's load by less than its noise
     * floor: they are statement findings, not database anomalies); onsets
     * from day 3 on. */
    for (int k = 0; k < o->regressions && k < SYNTH_MAX_PLANTED && 8 + 2 * k < ns; k++) {
        int i = 8 + 2 * k;
        st[i].reg_at = (int)(day * (3 + uniform(&r) * (o->days - 5)));
        truth->regressions[truth->nregressions].queryid = 1000 + i;
        truth->regressions[truth->nregressions].t = t0 + (double)st[i].reg_at * o->step_s;
        truth->regressions[truth->nregressions++].t_end = truth->t_end;
    }
    /* One-off latency spikes on odd statements from 9 on (small shares). */
    for (int k = 0; k < o->stmt_spikes && k < SYNTH_MAX_PLANTED && 9 + 2 * k < ns; k++) {
        int i = 9 + 2 * k;
        st[i].spike_at = (int)(day * (1 + uniform(&r) * (o->days - 2)));
        st[i].spike_len = 1 + (int)(uniform(&r) * 2);
        synth_event_t *e = &truth->stmt_spikes[truth->nstmt_spikes++];
        e->queryid = 1000 + i;
        e->t = t0 + (double)st[i].spike_at * o->step_s;
        e->t_end = e->t + st[i].spike_len * o->step_s;
    }
    /* Evictions on the last statements. */
    for (int k = 0; k < o->evictions && ns - 1 - k > 9 + 2 * o->stmt_spikes; k++) {
        int i = ns - 1 - k;
        st[i].evict_from = (int)(day * (2 + uniform(&r) * (o->days - 4)));
        st[i].evict_to = st[i].evict_from + day / 4;
    }
    /* Database spikes, spread out, away from the reset and gaps. */
    int reset_at = o->with_reset ? n / 2 + day / 3 : -1;
    int gap_at[8];
    for (int g = 0; g < o->gaps && g < 8; g++)
        gap_at[g] = (int)((double)n * (g + 1) / (o->gaps + 2)) + day / 7;
    int *db_spike = calloc((size_t)n, sizeof *db_spike);
    for (int k = 0; k < o->db_spikes && k < SYNTH_MAX_PLANTED; k++) {
        int at = (int)((double)n * (k + 0.5) / o->db_spikes + uniform(&r) * day / 4);
        int len = 2 + (int)(uniform(&r) * 2);
        if (at + len >= n)
            continue;
        int clash = at <= reset_at + 1 && at + len >= reset_at - 1;
        for (int g = 0; g < o->gaps && g < 8; g++)
            clash |= at + len >= gap_at[g] - 2 && at <= gap_at[g] + 3 * 3600 / o->step_s + 2;
        if (clash)
            continue;
        for (int j = at; j < at + len; j++)
            db_spike[j] = 1;
        synth_event_t *e = &truth->db_spikes[truth->ndb_spikes++];
        e->queryid = 0;
        e->t = t0 + (double)(at - 1) * o->step_s; /* the interval ending at entry `at` */
        e->t_end = t0 + (double)(at + len - 1) * o->step_s;
    }

    json_t *hist = json_array();
    double db_size0 = 10e9, tab0 = 1e9;
    double xact = 0, tup_ret = 0, tup_ins = 0, blks_read = 0;
    char reset_db[32], reset_ss[32];
    iso(t0 - 86400, reset_db, sizeof reset_db);
    iso(t0 - 86400, reset_ss, sizeof reset_ss);
    for (int e = 0; e < n; e++) {
        double t = t0 + (double)e * o->step_s;
        /* The interval ending at t, at its midpoint's load. */
        double m = load_multiplier(t - o->step_s / 2.0) * (db_spike[e] ? 4.0 : 1.0);
        if (e == reset_at) {
            xact = tup_ret = tup_ins = blks_read = 0;
            for (int i = 0; i < ns; i++)
                st[i].calls = st[i].total = st[i].sumsq = st[i].rws = st[i].bks = 0;
            iso(t - o->step_s / 2, reset_db, sizeof reset_db);
            iso(t - o->step_s / 2, reset_ss, sizeof reset_ss);
        }
        double interval_calls = 0;
        for (int i = 0; i < ns && e > 0; i++) {
            stmt_t *s = &st[i];
            if (s->evict_from >= 0 && e == s->evict_from)
                s->calls = s->total = s->sumsq = s->rws = s->bks = 0;
            double calls = floor(s->rate * m * exp(0.05 * gauss(&r)) + 0.5);
            double mean = s->mean * exp(0.05 * gauss(&r));
            if (s->reg_at >= 0 && e >= s->reg_at)
                mean *= 2;
            if (s->spike_at >= 0 && e >= s->spike_at && e < s->spike_at + s->spike_len)
                mean *= 10;
            double sd = 0.3 * mean;
            s->calls += calls;
            s->total += calls * mean;
            s->sumsq += calls * (sd * sd + mean * mean);
            s->rws += calls * s->rows;
            s->bks += calls * s->blks;
            interval_calls += calls;
        }
        xact += interval_calls / 2;
        tup_ret += interval_calls * 5;
        tup_ins += interval_calls * 0.5;
        blks_read += interval_calls * 0.2;
        int skip = 0;
        for (int g = 0; g < o->gaps && g < 8; g++)
            skip |= e >= gap_at[g] && e < gap_at[g] + 3 * 3600 / o->step_s;
        if (skip)
            continue;
        double days = (t - t0) / 86400;
        double db_size = db_size0 * (1 + o->db_monthly_growth * days / 30) * exp(0.002 * gauss(&r));
        double tab = tab0 * pow(1 + o->table_monthly_growth, days / 30);
        char at[32];
        iso(t, at, sizeof at);
        json_t *stmts = json_array();
        for (int i = 0; i < ns; i++) {
            stmt_t *s = &st[i];
            if (s->evict_from >= 0 && e >= s->evict_from && e < s->evict_to)
                continue;
            double mean = s->calls > 0 ? s->total / s->calls : 0;
            double var = s->calls > 0 ? s->sumsq / s->calls - mean * mean : 0;
            json_array_append_new(stmts, json_pack("{s:I, s:I, s:b, s:I, s:I, s:f, s:f, s:I, s:I}",
                                                   "queryid", (json_int_t)(1000 + i), "userid",
                                                   (json_int_t)10, "toplevel", 1, "calls",
                                                   (json_int_t)s->calls, "rows", (json_int_t)s->rws,
                                                   "total_exec_time", s->total, "stddev_exec_time",
                                                   var > 0 ? sqrt(var) : 0.0, "shared_blks_hit",
                                                   (json_int_t)(s->bks * 0.95), "shared_blks_read",
                                                   (json_int_t)(s->bks * 0.05)));
        }
        double conn = 10 * load_multiplier(t) * exp(0.05 * gauss(&r));
        json_t *entry = json_pack(
            "{s:s, s:o, s:{s:s, s:s}, s:{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
            "s:s}, s:{s:I, s:I, s:{s:I, s:I}}, s:{s:i, s:I}, s:[{s:s, s:s, s:I, s:I, s:I}, {s:s, "
            "s:s, s:I, s:I, s:I}]}",
            "collected_at", at, "statements", stmts, "stats_reset", "database", reset_db,
            "pg_stat_statements", reset_ss, "database", "name", "synth", "size_bytes",
            (json_int_t)db_size, "xact_commit", (json_int_t)xact, "xact_rollback", (json_int_t)0,
            "blks_read", (json_int_t)blks_read, "tup_returned", (json_int_t)tup_ret, "tup_fetched",
            (json_int_t)0, "tup_inserted", (json_int_t)tup_ins, "tup_updated", (json_int_t)0,
            "tup_deleted", (json_int_t)0, "temp_bytes", (json_int_t)0, "stats_reset", reset_db,
            "activity", "total", (json_int_t)(conn + 5), "max_connections", (json_int_t)100,
            "by_state", "active", (json_int_t)conn, "idle", (json_int_t)5, "host", "cpus", 8,
            "memory_bytes", (json_int_t)34359738368LL, "tables", "schema", "public", "name",
            "events", "total_bytes", (json_int_t)tab, "seq_scan", (json_int_t)e, "idx_scan",
            (json_int_t)(10 * e), "schema", "public", "name", "accounts", "total_bytes",
            (json_int_t)(db_size * 0.3), "seq_scan", (json_int_t)0, "idx_scan",
            (json_int_t)(5 * e));
        json_array_append_new(hist, entry);
    }
    /* The current snapshot: the last entry's counters with query texts. */
    json_t *last = json_array_get(hist, json_array_size(hist) - 1);
    json_t *cur_stmts = json_deep_copy(json_object_get(last, "statements"));
    size_t i;
    json_t *row;
    json_array_foreach(cur_stmts, i, row)
    {
        json_int_t q = json_integer_value(json_object_get(row, "queryid"));
        json_object_set_new(row, "query",
                            json_sprintf("SELECT * FROM t%lld WHERE id = $1", (long long)q));
        json_int_t calls = json_integer_value(json_object_get(row, "calls"));
        json_object_set_new(
            row, "mean_exec_time",
            json_real(calls
                          ? json_real_value(json_object_get(row, "total_exec_time")) / (double)calls
                          : 0.0));
    }
    char at[32];
    iso(truth->t_end, at, sizeof at);
    json_t *snap = json_pack(
        "{s:{s:i, s:s, s:s, s:s, s:s, s:{s:s, s:s}}, s:{s:i, s:I, s:s, s:{s:s, s:s, s:s}}, s:o, "
        "s:O, s:O, s:O, s:o}",
        "meta", "format_version", 1, "collected_at", at, "collector", "synth", "database", "synth",
        "system_identifier", "7000000000000000001", "stats_reset", "pg_stat_statements", reset_ss,
        "database", reset_db, "host", "cpus", 8, "memory_bytes", (json_int_t)34359738368LL,
        "storage", "ssd", "cloud", "provider", "aws", "instance_class", "db.r6g.2xlarge", "region",
        "us-east-1", "statements", cur_stmts, "database", json_object_get(last, "database"),
        "activity", json_object_get(last, "activity"), "tables", json_object_get(last, "tables"),
        "history", hist);
    free(st);
    free(db_spike);
    return snap;
}
