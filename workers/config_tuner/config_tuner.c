/*
 * config_tuner.c - see config_tuner.h. This file reads the host facts and
 * stats windows, classifies the workload into a PGTune profile, and fills
 * the memory, checkpoints, parallelism and planner groups; the other groups
 * live in ct_vacuum.c, ct_pools.c and ct_script.c.
 */
#include "workers/config_tuner/config_tuner.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "workers/config_tuner/ct_internal.h"
#include "workers/config_tuner/sqla_engines.h"

/* ---- workload classification (the PGTune profile) ----
 * A statement is "short" when its mean execution time is below 10 ms, and
 * "long" when its mean is 100 ms or more or it touches 10000 or more shared
 * blocks (78 MB) per call (a scan-heavy analytical statement). Shares are of
 * total execution time. Rule, first match wins:
 *   long >= 50%                          -> dw
 *   long >= 20%                          -> mixed
 *   short >= 80% and >= 100 calls/s      -> oltp
 *   otherwise (and without statements)   -> web (PGTune's default)
 * desktop is never derived; it can be chosen with the profile option. */
#define SHORT_MEAN_MS        10.0
#define LONG_MEAN_MS         100.0
#define LONG_BLOCKS_PER_CALL 10000.0
#define DW_LONG_SHARE        0.5
#define MIXED_LONG_SHARE     0.2
#define OLTP_SHORT_SHARE     0.8
#define OLTP_CALLS_PER_S     100.0

/* work_mem from spills: statements with at least this share of the total
 * execution time count; the largest per-call spill times the safety factor
 * (an in-memory sort or hash needs more than its compact on-disk form: tuple
 * headers, the memtuples array, hash buckets) is the wanted work_mem, within
 * the budget (RAM - shared_buffers) / (max_connections * sorts per query). */
#define SPILL_MIN_SHARE      0.01
#define SPILL_SAFETY_FACTOR  2.0
#define SORTS_PER_CONNECTION 2.0

/* max_wal_size: a checkpoint is requested when the WAL written since the
 * last one exceeds max_wal_size / (1 + checkpoint_completion_target), so a
 * timed checkpoint needs max_wal_size >= WAL per checkpoint_timeout x (1 +
 * target); the headroom covers bursts above the average rate. More than this
 * share of requested checkpoints means the size is too small at peaks. */
#define WAL_HEADROOM               1.5
#define REQUESTED_CHECKPOINT_SHARE 0.1
/* wal_compression: full-page images as a share of WAL bytes (each FPI is
 * at most one 8 kB block) above which compressing them pays. */
#define FPI_SHARE_FOR_COMPRESSION 0.2

static double round_up(double v, double step)
{
    return ceil(v / step) * step;
}

/* PGTune's kB value rounded down to the setting's own unit (8kB for
 * shared_buffers, effective_cache_size, wal_buffers): PostgreSQL would round
 * '6170914kB' to 6170912kB, and the next run would then see a difference
 * that is not one. */
static int64_t to_unit_kb(const ct_t *ct, const char *name, int64_t kb)
{
    const char *unit = ct_setting_unit(ct, name);
    int64_t step = 1;
    if (unit && strcmp(unit, "8kB") == 0)
        step = 8;
    else if (unit && strcmp(unit, "MB") == 0)
        step = 1024;
    return kb / step * step;
}

static void format_kb_value(const ct_t *ct, const char *name, int64_t kb, char *buf, size_t len)
{
    pgtune_format_kb(to_unit_kb(ct, name, kb), buf, len);
}

/* Reads host.memory_bytes, cpus and storage (with the collector's stated sources) into ct and
 * writes evidence.host; a storage kind PGTune does not know gets a note. */
static void load_host(ct_t *ct)
{
    const json_t *host = json_object_get(ct->snap, "host");
    const json_t *sources = json_object_get(host, "sources");
    int64_t v;
    if (ct_int(host, "memory_bytes", &v) && v > 0) {
        ct->have_memory = 1;
        ct->memory_bytes = v;
        ct->memory_source = ct_str(sources, "memory_bytes");
    }
    if (ct_int(host, "cpus", &v) && v > 0 && v < 100000) {
        ct->cpus = (int)v;
        ct->cpus_source = ct_str(sources, "cpus");
    }
    const char *storage = ct_str(host, "storage");
    if (storage && pgtune_storage_parse(storage, &ct->storage) == 0) {
        ct->storage_name = storage;
        ct->storage_source = ct_str(sources, "storage");
    } else if (storage) {
        ct_note(ct,
                "host.storage \"%s\" is not one of hdd, ssd, nvme, san, network: "
                "storage-dependent settings are not recommended",
                storage);
    }
    if (!ct->memory_source)
        ct->memory_source = "unstated";
    if (!ct->cpus_source)
        ct->cpus_source = "unstated";
    if (!ct->storage_source)
        ct->storage_source = "unstated";
    if (!ct->have_memory)
        ct_note(ct, "snapshot has no host.memory_bytes: memory settings (shared_buffers, "
                    "effective_cache_size, maintenance_work_mem, work_mem, wal_buffers) are "
                    "not recommended; pass the server's RAM to the collector");
    if (!ct->cpus)
        ct_note(ct, "snapshot has no host.cpus: parallel worker settings and connection "
                    "budgets are not recommended");
    if (!ct->storage_name && !storage)
        ct_note(ct, "snapshot has no host.storage: random_page_cost and "
                    "effective_io_concurrency are not recommended");

    json_t *h = json_object();
    json_object_set_new(h, "memory_bytes",
                        ct->have_memory ? json_integer(ct->memory_bytes) : json_null());
    json_object_set_new(h, "memory_source", json_string(ct->memory_source));
    json_object_set_new(h, "cpus", ct->cpus ? json_integer(ct->cpus) : json_null());
    json_object_set_new(h, "cpus_source", json_string(ct->cpus_source));
    json_object_set_new(h, "storage",
                        ct->storage_name ? json_string(pgtune_storage_name(ct->storage))
                                         : json_null());
    json_object_set_new(h, "storage_source", json_string(ct->storage_source));
    json_object_set_new(ct->evidence, "host", h);
}

/* Seconds between a statistics reset time and the snapshot's collected_at; 0 when either is
 * missing or unparsable. */
static double window_from(const ct_t *ct, const char *reset_time)
{
    double t;
    if (!ct->have_collected_at || ct_parse_time(reset_time, &t) != 0)
        return 0;
    double w = ct->collected_at - t;
    return w > 0 ? w : 0;
}

/* How long each statistics view has been counting (bgwriter, tables, statements, WAL), from the
 * reset times or seconds_since_reset, and whether each window is long enough for per-second rates
 * (notes say when not). */
static void load_windows(ct_t *ct)
{
    const json_t *meta = json_object_get(ct->snap, "meta");
    const json_t *resets = json_object_get(meta, "stats_reset");
    const json_t *bgw = json_object_get(ct->snap, "bgwriter");
    const json_t *db = json_object_get(ct->snap, "database");
    double t;
    if (ct_parse_time(ct_str(meta, "collected_at"), &t) == 0) {
        ct->have_collected_at = 1;
        ct->collected_at = t;
    }
    double since_bgw = 0;
    ct_num(bgw, "seconds_since_reset", &since_bgw);
    ct->bgwriter_window_s = since_bgw > 0 ? since_bgw : window_from(ct, ct_str(bgw, "stats_reset"));

    ct->tables_window_s = window_from(ct, ct_str(resets, "database"));
    ct->tables_window_source = "meta.stats_reset.database";
    if (ct->tables_window_s <= 0) {
        ct->tables_window_s = window_from(ct, ct_str(db, "stats_reset"));
        ct->tables_window_source = "database.stats_reset";
    }
    if (ct->tables_window_s <= 0 && ct->bgwriter_window_s > 0) {
        /* Table counters were never reset: they run since the cluster's
         * statistics were initialized, which is when bgwriter's were too
         * unless someone reset those alone. */
        ct->tables_window_s = ct->bgwriter_window_s;
        ct->tables_window_source = "bgwriter.seconds_since_reset (database stats never reset)";
    }
    if (ct->tables_window_s <= 0)
        ct->tables_window_source = NULL;

    ct->statements_window_s = window_from(ct, ct_str(resets, "pg_stat_statements"));
    if (ct->statements_window_s <= 0)
        ct->statements_window_s = ct->tables_window_s;

    const json_t *wal = json_object_get(bgw, "wal");
    ct->wal_window_s = window_from(ct, ct_str(wal, "stats_reset"));
    if (ct->wal_window_s <= 0)
        ct->wal_window_s = ct->bgwriter_window_s;

    ct->tables_rates_ok = ct->tables_window_s >= CT_MIN_RATE_WINDOW_S;
    ct->statements_rates_ok = ct->statements_window_s >= CT_MIN_RATE_WINDOW_S;
    ct->wal_rates_ok = ct->wal_window_s >= CT_MIN_RATE_WINDOW_S;
    double shortest = 0;
    const double windows[] = {ct->tables_window_s, ct->statements_window_s, ct->wal_window_s};
    for (size_t i = 0; i < 3; i++)
        if (windows[i] > 0 && windows[i] < CT_MIN_RATE_WINDOW_S &&
            (shortest == 0 || windows[i] < shortest))
            shortest = windows[i];
    if (shortest > 0)
        ct_note(ct,
                "statistics cover only %.0f s since their last reset (less than %.0f s): "
                "per-second rates (table churn, WAL, calls) are not extrapolated; collect "
                "again after at least an hour of normal traffic",
                shortest, CT_MIN_RATE_WINDOW_S);

    json_t *w = json_object();
    json_object_set_new(w, "tables_s", json_real(ct->tables_window_s));
    json_object_set_new(w, "tables_source",
                        ct->tables_window_source ? json_string(ct->tables_window_source)
                                                 : json_null());
    json_object_set_new(w, "statements_s", json_real(ct->statements_window_s));
    json_object_set_new(w, "wal_s", json_real(ct->wal_window_s));
    json_object_set_new(w, "bgwriter_s", json_real(ct->bgwriter_window_s));
    json_object_set_new(ct->evidence, "stats_windows", w);
    if (ct->tables_window_s <= 0)
        ct_note(ct, "no statistics window (meta.collected_at with a stats_reset time, or "
                    "bgwriter.seconds_since_reset): per-second churn rates are not computed");
}

/* Indexes pg_settings by name and reads max_connections (default 100) and the server's major
 * version (default 15); a note when the snapshot has no settings. */
static void load_settings(ct_t *ct)
{
    ct->settings_by_name = json_object();
    const json_t *settings = json_object_get(ct->snap, "settings");
    size_t i;
    const json_t *row;
    json_array_foreach(settings, i, row)
    {
        const char *name = ct_str(row, "name");
        if (name)
            json_object_set(ct->settings_by_name, name, (json_t *)row);
    }
    if (json_object_size(ct->settings_by_name) == 0)
        ct_note(ct, "snapshot has no settings (pg_settings): current values are unknown, every "
                    "recommendation is listed as a change");
    double mc;
    ct->max_connections =
        ct_setting_value(ct, "max_connections", &mc) && mc > 0 ? ct_clamp_int(mc, 1, 262143) : 100;
    const json_t *meta = json_object_get(ct->snap, "meta");
    int64_t vnum;
    ct->pg_major =
        ct_int(meta, "server_version_num", &vnum) && vnum >= 90000 ? (int)(vnum / 10000) : 15;
}

/* Chooses the PGTune profile: the option, else from pg_stat_statements (share of time in short and
 * in long or scan-heavy statements, call rate); writes result.workload. Returns 0, or -1 with err
 * set for an unknown profile option. */
static int classify_workload(ct_t *ct, err_t *err)
{
    const json_t *stmts = json_object_get(ct->snap, "statements");
    double total = 0, short_t = 0, long_t = 0, calls = 0;
    size_t i, n = 0;
    const json_t *s;
    json_array_foreach(stmts, i, s)
    {
        double t = 0, c = 0, mean = 0, hit = 0, read = 0;
        ct_num(s, "total_exec_time", &t);
        ct_num(s, "calls", &c);
        if (!ct_num(s, "mean_exec_time", &mean) && c > 0)
            mean = t / c;
        ct_num(s, "shared_blks_hit", &hit);
        ct_num(s, "shared_blks_read", &read);
        if (t <= 0 || c <= 0)
            continue;
        n++;
        total += t;
        calls += c;
        if (mean < SHORT_MEAN_MS)
            short_t += t;
        else if (mean >= LONG_MEAN_MS || (hit + read) / c >= LONG_BLOCKS_PER_CALL)
            long_t += t;
    }
    double short_share = total > 0 ? short_t / total : 0;
    double long_share = total > 0 ? long_t / total : 0;
    double rate = ct->statements_rates_ok ? calls / ct->statements_window_s : -1;
    const char *why;
    if (ct->opts.profile) {
        if (pgtune_profile_parse(ct->opts.profile, &ct->profile) != 0)
            return err_set(err,
                           "config_tuner: unknown profile \"%s\" (web, oltp, dw, mixed, "
                           "desktop)",
                           ct->opts.profile);
        why = "chosen by option";
    } else if (total <= 0) {
        ct->profile = PGTUNE_WEB;
        why = "no statement statistics: PGTune's default profile";
        ct_note(ct, "no pg_stat_statements data: workload classification falls back to "
                    "PGTune's default \"web\" profile and work_mem cannot be checked against "
                    "temp spills");
    } else if (long_share >= DW_LONG_SHARE) {
        ct->profile = PGTUNE_DW;
        why = "long or scan-heavy statements take >= 50% of execution time";
    } else if (long_share >= MIXED_LONG_SHARE) {
        ct->profile = PGTUNE_MIXED;
        why = "long or scan-heavy statements take 20-50% of execution time";
    } else if (short_share >= OLTP_SHORT_SHARE && rate >= OLTP_CALLS_PER_S) {
        ct->profile = PGTUNE_OLTP;
        why = "statements under 10 ms take >= 80% of execution time at >= 100 calls/s";
    } else {
        ct->profile = PGTUNE_WEB;
        why = "mostly short statements at a moderate rate";
    }
    json_t *w = json_object();
    json_object_set_new(w, "profile", json_string(pgtune_profile_name(ct->profile)));
    json_object_set_new(w, "why", json_string(why));
    json_object_set_new(w, "statements", json_integer((json_int_t)n));
    json_object_set_new(w, "total_exec_time_ms", json_real(total));
    json_object_set_new(w, "short_share", json_real(short_share));
    json_object_set_new(w, "long_share", json_real(long_share));
    json_object_set_new(w, "calls_per_s", rate >= 0 ? json_real(rate) : json_null());
    json_object_set_new(
        w, "rule",
        json_string("short = mean < 10 ms; long = mean >= 100 ms or >= 10000 shared blocks per "
                    "call; dw if long >= 50% of time, mixed if >= 20%, oltp if short >= 80% at "
                    ">= 100 calls/s, else web"));
    json_object_set_new(ct->result, "workload", w);
    return 0;
}

/* The server's RAM as a phrase with its source, for reasons; returns buf. */
static const char *ram_text(const ct_t *ct, char *buf, size_t len)
{
    char mem[32];
    ct_format_bytes((double)ct->memory_bytes, mem, sizeof mem);
    if (ct->memory_bytes % (1024 * 1024) != 0)
        snprintf(buf, len, "%s (%.1fGB) RAM (host.memory_bytes, source: %s)", mem,
                 (double)ct->memory_bytes / CT_GB, ct->memory_source);
    else
        snprintf(buf, len, "%s RAM (host.memory_bytes, source: %s)", mem, ct->memory_source);
    return buf;
}

/* An entry without a value for name: PGTune's formula needs host.memory_bytes, which the snapshot
 * lacks. */
static void no_memory_entry(ct_t *ct, json_t *group, const char *name, const char *formula)
{
    char *reason = ct_printf("not recommended: the snapshot has no host.memory_bytes, and "
                             "PGTune's formula (%s) needs the server's RAM",
                             formula);
    ct_entry(ct, group, name, NULL, "pgtune", reason);
    ct_free_str(reason);
}

/* The statements' temp spills, as work_mem_entry weighs them. */
typedef struct {
    double max_spill;        /* largest temp bytes per call among meaningful statements */
    double max_share;        /* that statement's share of execution time */
    double spill_written;    /* temp bytes written by all statements */
    int64_t max_qid;         /* that statement's queryid */
    const char *max_query;   /* and text */
    int spilling;            /* statements that wrote temp files */
    int spilling_meaningful; /* those with >= SPILL_MIN_SHARE of execution time */
} spills_t;

/* Scans pg_stat_statements (stmts) for temp file writes into sp. */
static void spills_scan(const json_t *stmts, spills_t *sp)
{
    memset(sp, 0, sizeof *sp);
    double total = 0;
    size_t i;
    const json_t *s;
    json_array_foreach(stmts, i, s)
    {
        double t = 0;
        if (ct_num(s, "total_exec_time", &t) && t > 0)
            total += t;
    }
    json_array_foreach(stmts, i, s)
    {
        double t = 0, c = 0, w = 0;
        ct_num(s, "total_exec_time", &t);
        ct_num(s, "calls", &c);
        ct_num(s, "temp_blks_written", &w);
        if (w <= 0 || c <= 0)
            continue;
        sp->spilling++;
        sp->spill_written += w * CT_BLCKSZ;
        double share = total > 0 ? t / total : 0;
        if (share < SPILL_MIN_SHARE)
            continue;
        sp->spilling_meaningful++;
        double per_call = w * CT_BLCKSZ / c;
        if (per_call > sp->max_spill) {
            sp->max_spill = per_call;
            sp->max_share = share;
            ct_int(s, "queryid", &sp->max_qid);
            sp->max_query = ct_str(s, "query");
        }
    }
}

/* The work_mem entry without host.memory_bytes: not recommended, saying
 * the largest spill when there is one. */
static void work_mem_no_memory(ct_t *ct, json_t *group, const spills_t *sp)
{
    if (sp->max_spill > 0) {
        char spb[32];
        ct_format_bytes(round_up(sp->max_spill, CT_KB), spb, sizeof spb);
        char *reason = ct_printf(
            "not recommended: statement %lld spills %s per call to temp files (%.1f%% of "
            "execution time), but without host.memory_bytes neither PGTune's value nor the "
            "connection budget can be computed",
            (long long)sp->max_qid, spb, 100 * sp->max_share);
        ct_entry(ct, group, "work_mem", NULL, "measured", reason);
        ct_free_str(reason);
    } else {
        no_memory_entry(ct, group, "work_mem",
                        "(RAM - shared_buffers) / ((max_connections + max_worker_processes) "
                        "x 3)");
    }
}

/* Chooses work_mem: PGTune's value (pgt, pgtune_bytes) unless the largest
 * meaningful spill x SPILL_SAFETY_FACTOR needs more, capped at budget.
 * Sets *rec (pgt or rec_buf), *method; returns the reason (ct_free_str). */
static char *work_mem_choose(const json_t *stmts, const spills_t *sp, const char *pgt,
                             double pgtune_bytes, double budget, const char *pgtune_text,
                             const char *budget_text, const char **rec, const char **method,
                             char *rec_buf, size_t rec_size)
{
    if (!json_is_array(stmts) || json_array_size(stmts) == 0) {
        *rec = pgt;
        *method = "pgtune";
        return ct_printf("%s. No pg_stat_statements data, so temp spills could not be "
                         "checked; %s.",
                         pgtune_text, budget_text);
    }
    if (sp->max_spill <= 0) {
        *rec = pgt;
        *method = "pgtune";
        return ct_printf(
            "%s. No statement with >= %.0f%% of execution time wrote temp files "
            "(temp_blks_written = 0 for all of them; %d minor statements spilled %.0f bytes "
            "in total), so PGTune's value stands; %s.",
            pgtune_text, 100 * SPILL_MIN_SHARE, sp->spilling, sp->spill_written, budget_text);
    }
    double want = round_up(sp->max_spill * SPILL_SAFETY_FACTOR, CT_MB);
    double chosen = fmin(want, budget);
    char spb[32], want_s[32];
    ct_format_bytes(round_up(sp->max_spill, CT_KB), spb, sizeof spb);
    ct_format_bytes(want, want_s, sizeof want_s);
    char q[96] = "";
    if (sp->max_query)
        snprintf(q, sizeof q, " (%.60s%s)", sp->max_query, strlen(sp->max_query) > 60 ? "..." : "");
    if (chosen <= pgtune_bytes) {
        *rec = pgt;
        *method = "pgtune";
        return ct_printf("%s. The largest per-call temp spill among statements with >= "
                         "%.0f%% of execution time is %s (queryid %lld%s, %.1f%% of time); "
                         "x%g safety = %s, which PGTune's value already covers; %s.",
                         pgtune_text, 100 * SPILL_MIN_SHARE, spb, (long long)sp->max_qid, q,
                         100 * sp->max_share, SPILL_SAFETY_FACTOR, want_s, budget_text);
    }
    ct_format_bytes(chosen, rec_buf, rec_size);
    *rec = rec_buf;
    *method = "measured";
    return ct_printf("measured temp spills: queryid %lld%s writes %s of temp files per call "
                     "(temp_blks_written x 8kB / calls) and takes %.1f%% of execution time; x%g "
                     "safety = %s%s. This is above %s, and within the %s.",
                     (long long)sp->max_qid, q, spb, 100 * sp->max_share, SPILL_SAFETY_FACTOR,
                     want_s,
                     want > budget ? " (capped at the budget: consider SET work_mem for that "
                                     "statement's role or transaction instead)"
                                   : "",
                     pgtune_text, budget_text);
}

/* work_mem: PGTune's formula against the measured temp spills. */
static void work_mem_entry(ct_t *ct, json_t *group)
{
    const json_t *stmts = json_object_get(ct->snap, "statements");
    spills_t sp;
    spills_scan(stmts, &sp);

    char pgt[32] = "", ram[128];
    if (!ct->have_pgtune) {
        work_mem_no_memory(ct, group, &sp);
        return;
    }
    format_kb_value(ct, "work_mem", ct->pgt.work_mem_kb, pgt, sizeof pgt);
    double pgtune_bytes = (double)ct->pgt.work_mem_kb * CT_KB;
    double budget = ((double)ct->memory_bytes - (double)ct->rec_shared_buffers_bytes) /
                    ((double)ct->max_connections * SORTS_PER_CONNECTION);
    budget = floor(budget / CT_MB) * CT_MB;
    char budget_s[32], sb_s[32];
    ct_format_bytes(budget, budget_s, sizeof budget_s);
    ct_format_bytes((double)ct->rec_shared_buffers_bytes, sb_s, sizeof sb_s);
    const char *div = ct->profile == PGTUNE_DW || ct->profile == PGTUNE_MIXED ? " / 2"
                      : ct->profile == PGTUNE_DESKTOP                         ? " / 6"
                                                                              : "";
    char *pgtune_text = ct_printf(
        "PGTune (%s): (RAM - shared_buffers) / ((max_connections %d + max_worker_processes %d) "
        "x 3)%s = %s with %s, floored at 4MB",
        pgtune_profile_name(ct->profile), ct->max_connections, ct->pgt.work_mem_worker_count, div,
        pgt, ram_text(ct, ram, sizeof ram));
    char *budget_text = ct_printf(
        "budget (RAM - shared_buffers %s) / (max_connections %d x %g sorts or hashes at once) = "
        "%s",
        sb_s, ct->max_connections, SORTS_PER_CONNECTION, budget_s);

    const char *rec;
    const char *method;
    char rec_buf[32];
    char *reason = work_mem_choose(stmts, &sp, pgt, pgtune_bytes, budget, pgtune_text, budget_text,
                                   &rec, &method, rec_buf, sizeof rec_buf);
    json_t *e = ct_entry(ct, group, "work_mem", rec, method, reason);
    json_object_set_new(e, "pgtune", json_string(pgt));
    json_object_set_new(e, "budget", json_string(budget_s));
    json_t *m = json_object();
    json_object_set_new(m, "largest_spill_per_call_bytes", json_real(sp.max_spill));
    json_object_set_new(m, "queryid", sp.max_spill > 0 ? json_integer(sp.max_qid) : json_null());
    json_object_set_new(m, "share_of_time", json_real(sp.max_share));
    json_object_set_new(m, "safety_factor", json_real(SPILL_SAFETY_FACTOR));
    json_object_set_new(m, "spilling_statements", json_integer(sp.spilling));
    json_object_set_new(m, "spilling_statements_meaningful", json_integer(sp.spilling_meaningful));
    json_object_set_new(e, "measured", m);
    ct_free_str(reason);
    ct_free_str(pgtune_text);
    ct_free_str(budget_text);
}

/* The memory group: shared_buffers, effective_cache_size, maintenance_work_mem, work_mem,
 * wal_buffers, huge_pages and autovacuum_work_mem from PGTune (entries without a value when the
 * RAM is unknown); records the recommended shared_buffers for later rules. */
static void memory_group(ct_t *ct, json_t *group)
{
    char buf[32], ram[128];
    char *reason;
    if (!ct->have_pgtune) {
        double sb;
        ct->rec_shared_buffers_bytes =
            ct_setting_value(ct, "shared_buffers", &sb) ? (int64_t)sb : 0;
        no_memory_entry(ct, group, "shared_buffers", "RAM / 4");
        no_memory_entry(ct, group, "effective_cache_size", "RAM x 3 / 4");
        no_memory_entry(ct, group, "maintenance_work_mem", "RAM / 16, at most 8GB");
        work_mem_entry(ct, group);
        no_memory_entry(ct, group, "wal_buffers", "3% of shared_buffers, at most 16MB");
        no_memory_entry(ct, group, "huge_pages", "try when shared_buffers >= 2GB");
        return;
    }
    const pgtune_result_t *p = &ct->pgt;
    const char *prof = pgtune_profile_name(ct->profile);
    ram_text(ct, ram, sizeof ram);
    ct->rec_shared_buffers_bytes = to_unit_kb(ct, "shared_buffers", p->shared_buffers_kb) * 1024;

    format_kb_value(ct, "shared_buffers", p->shared_buffers_kb, buf, sizeof buf);
    reason = ct_printf("PGTune (%s): RAM / %d = %s of %s", prof,
                       ct->profile == PGTUNE_DESKTOP ? 16 : 4, buf, ram);
    ct_entry(ct, group, "shared_buffers", buf, "pgtune", reason);
    ct_free_str(reason);

    format_kb_value(ct, "effective_cache_size", p->effective_cache_size_kb, buf, sizeof buf);
    reason = ct_printf("PGTune (%s): RAM x %s = %s of %s: the planner's estimate of the "
                       "page cache available to one query (no memory is allocated)",
                       prof, ct->profile == PGTUNE_DESKTOP ? "1/4" : "3/4", buf, ram);
    ct_entry(ct, group, "effective_cache_size", buf, "pgtune", reason);
    ct_free_str(reason);

    format_kb_value(ct, "maintenance_work_mem", p->maintenance_work_mem_kb, buf, sizeof buf);
    reason = ct_printf("PGTune (%s): RAM / %d = %s of %s, at most 8GB", prof,
                       ct->profile == PGTUNE_DW ? 8 : 16, buf, ram);
    ct_entry(ct, group, "maintenance_work_mem", buf, "pgtune", reason);
    ct_free_str(reason);

    work_mem_entry(ct, group);

    format_kb_value(ct, "wal_buffers", p->wal_buffers_kb, buf, sizeof buf);
    char sb[32];
    format_kb_value(ct, "shared_buffers", p->shared_buffers_kb, sb, sizeof sb);
    reason = ct_printf("PGTune: 3%% of shared_buffers %s, at most 16MB (rounded up to 16MB above "
                       "14MB, at least 32kB) = %s",
                       sb, buf);
    ct_entry(ct, group, "wal_buffers", buf, "pgtune", reason);
    ct_free_str(reason);

    reason = ct_printf("PGTune: huge pages \"%s\" because shared_buffers %s is %s 2GB "
                       "(\"try\" falls back to normal pages when none are reserved)",
                       p->huge_pages, sb, strcmp(p->huge_pages, "try") == 0 ? ">=" : "<");
    ct_entry(ct, group, "huge_pages", p->huge_pages, "pgtune", reason);
    ct_free_str(reason);

    char mwm[32];
    format_kb_value(ct, "maintenance_work_mem", p->maintenance_work_mem_kb, mwm, sizeof mwm);
    if (p->autovacuum_work_mem_kb > 0) {
        format_kb_value(ct, "autovacuum_work_mem", p->autovacuum_work_mem_kb, buf, sizeof buf);
        reason = ct_printf("PGTune: maintenance_work_mem %s >= 2GB, so each autovacuum worker is "
                           "capped at 2GB (several workers at once must not exhaust RAM)",
                           mwm);
        ct_entry(ct, group, "autovacuum_work_mem", buf, "pgtune", reason);
    } else {
        reason = ct_printf("PGTune: maintenance_work_mem %s is below 2GB, so autovacuum workers "
                           "use it as is (-1)",
                           mwm);
        ct_entry(ct, group, "autovacuum_work_mem", "-1", "pgtune", reason);
    }
    ct_free_str(reason);
}

/* A WAL size rounded up to whole GB from 1GB on, else to multiples of 256MB, as PostgreSQL text. */
static void format_wal_size(double bytes, char *buf, size_t len)
{
    /* Whole GB from 1GB on, else multiples of 256MB. */
    double r = bytes >= CT_GB ? round_up(bytes, CT_GB) : round_up(bytes, 256 * CT_MB);
    ct_format_bytes(r, buf, len);
}

/* What the checkpoint and WAL rules read from the snapshot. */
typedef struct {
    double timed, req; /* checkpoints_timed, checkpoints_req */
    double wal_bytes, wal_fpi, wal_records;
    int have_ckpt;           /* both checkpoint counters present */
    int have_wal_bytes;      /* pg_stat_wal wal_bytes present */
    int have_wal;            /* and its window long enough for a rate */
    double timeout_ms;       /* checkpoint_timeout */
    double cur_max, cur_min; /* max_wal_size, min_wal_size in bytes */
    double req_share;        /* requested / all checkpoints */
    double rate;             /* WAL bytes per second, when have_wal */
    double per_timeout;      /* WAL bytes per checkpoint_timeout */
    double needed;           /* max_wal_size for timed checkpoints */
} ckpt_t;

/* Reads the checkpoint counters, WAL statistics and current settings into
 * k, and writes evidence.checkpoints. */
static void ckpt_read(ct_t *ct, ckpt_t *k)
{
    const json_t *bgw = json_object_get(ct->snap, "bgwriter");
    const json_t *wal = json_object_get(bgw, "wal");
    memset(k, 0, sizeof *k);
    k->have_ckpt =
        ct_num(bgw, "checkpoints_timed", &k->timed) && ct_num(bgw, "checkpoints_req", &k->req);
    k->have_wal_bytes = ct_num(wal, "wal_bytes", &k->wal_bytes);
    k->have_wal = k->have_wal_bytes && ct->wal_rates_ok;
    ct_num(wal, "wal_fpi", &k->wal_fpi);
    ct_num(wal, "wal_records", &k->wal_records);
    double cct = 0.9;
    k->timeout_ms = 300000;
    k->cur_max = CT_GB;
    k->cur_min = 80 * CT_MB;
    ct_setting_value(ct, "checkpoint_timeout", &k->timeout_ms);
    ct_setting_value(ct, "checkpoint_completion_target", &cct);
    ct_setting_value(ct, "max_wal_size", &k->cur_max);
    ct_setting_value(ct, "min_wal_size", &k->cur_min);
    k->req_share = k->timed + k->req > 0 ? k->req / (k->timed + k->req) : 0;
    k->rate = k->have_wal ? k->wal_bytes / ct->wal_window_s : 0;
    k->per_timeout = k->rate * k->timeout_ms / 1000.0;
    k->needed = k->per_timeout * (1 + 0.9) * WAL_HEADROOM;

    json_t *ev = json_object();
    json_object_set_new(ev, "checkpoints_timed", json_real(k->timed));
    json_object_set_new(ev, "checkpoints_req", json_real(k->req));
    json_object_set_new(ev, "requested_share", json_real(k->req_share));
    json_object_set_new(ev, "wal_bytes", json_real(k->wal_bytes));
    json_object_set_new(ev, "wal_bytes_per_s", k->have_wal ? json_real(k->rate) : json_null());
    json_object_set_new(ev, "wal_per_checkpoint_timeout_bytes",
                        k->have_wal ? json_real(k->per_timeout) : json_null());
    json_object_set_new(ev, "checkpoint_timeout_s", json_real(k->timeout_ms / 1000.0));
    json_object_set_new(ct->evidence, "checkpoints", ev);
}

/* The max_wal_size entry. Three cases: a window long enough for a WAL
 * rate; a short window in which the WAL written already requested
 * checkpoints (a burst of known size, no rate extrapolated); no usable data
 * (PGTune's profile value). Writes the recommended text into buf (bsize)
 * and its bytes into *rec_max_bytes; returns the method ("measured" or
 * "pgtune"). */
static const char *ckpt_max_wal_size(ct_t *ct, json_t *group, const ckpt_t *k, char *buf,
                                     size_t bsize, double *rec_max_bytes)
{
    char *reason;
    char cur_s[32], rate_s[32], pt_s[32], need_s[32], pgt[32];
    pgtune_format_kb(ct->pgt.max_wal_size_kb, pgt, sizeof pgt);
    ct_format_bytes(k->cur_max, cur_s, sizeof cur_s);
    int burst =
        k->have_ckpt && k->have_wal_bytes && !ct->wal_rates_ok && k->req > 0 && k->wal_bytes > 0;
    *rec_max_bytes = (double)ct->pgt.max_wal_size_kb * CT_KB;
    const char *max_method = "pgtune";
    if (k->have_ckpt && k->have_wal) {
        double rec = fmax(k->cur_max, k->needed);
        int doubled = 0;
        if (k->req_share > REQUESTED_CHECKPOINT_SHARE && k->req >= 2 && 2 * k->cur_max > rec) {
            rec = 2 * k->cur_max;
            doubled = 1;
        }
        format_wal_size(rec, buf, bsize);
        if (rec <= k->cur_max)
            snprintf(buf, bsize, "%s", cur_s);
        snprintf(rate_s, sizeof rate_s, "%.0f", k->rate);
        ct_format_bytes(round_up(k->per_timeout, CT_KB), pt_s, sizeof pt_s);
        ct_format_bytes(round_up(k->needed, CT_MB), need_s, sizeof need_s);
        const char *verdict =
            doubled ? "too many requested checkpoints: the peak WAL rate is above the average, "
                      "so max_wal_size is doubled (check the next snapshot's counts)"
            : rec > k->cur_max ? "raised so that checkpoints are triggered by time"
                               : "fine: checkpoints are triggered by time and the measured WAL "
                                 "volume fits";
        reason = ct_printf(
            "measured: %.0f timed vs %.0f requested checkpoints (%.0f%% requested) over %.0f s; "
            "WAL %s bytes/s (pg_stat_wal wal_bytes %.0f over %.0f s) = %s per checkpoint_timeout "
            "of %.0f s; timed checkpoints need >= that x (1 + checkpoint_completion_target 0.9) "
            "x %.1f headroom = %s. Current %s: %s. (PGTune %s would use %s.)",
            k->timed, k->req, 100 * k->req_share, ct->bgwriter_window_s, rate_s, k->wal_bytes,
            ct->wal_window_s, pt_s, k->timeout_ms / 1000.0, WAL_HEADROOM, need_s, cur_s, verdict,
            pgtune_profile_name(ct->profile), pgt);
        max_method = "measured";
    } else if (burst) {
        double need_burst = k->wal_bytes * (1 + 0.9) * WAL_HEADROOM;
        double rec = fmax(k->cur_max, need_burst);
        format_wal_size(rec, buf, bsize);
        if (rec <= k->cur_max)
            snprintf(buf, bsize, "%s", cur_s);
        char w_s[32];
        ct_format_bytes(round_up(k->wal_bytes, CT_MB), w_s, sizeof w_s);
        ct_format_bytes(round_up(need_burst, CT_MB), need_s, sizeof need_s);
        reason = ct_printf(
            "measured: %.0f requested checkpoints while %s of WAL was written in the %.0f s the "
            "statistics cover (too short a window to extrapolate a rate). Absorbing such a burst "
            "without a requested checkpoint needs >= %s x (1 + checkpoint_completion_target 0.9) "
            "x %.1f headroom = %s. Current %s%s. (PGTune %s would use %s.)",
            k->req, w_s, ct->wal_window_s, w_s, WAL_HEADROOM, need_s, cur_s,
            rec > k->cur_max ? ": raised" : " covers it", pgtune_profile_name(ct->profile), pgt);
        max_method = "measured";
    } else {
        char why[160];
        if (!k->have_ckpt)
            snprintf(why, sizeof why, "the snapshot lacks the bgwriter checkpoint counters");
        else if (!k->have_wal_bytes || ct->wal_window_s <= 0)
            snprintf(why, sizeof why, "the snapshot lacks pg_stat_wal bytes or their window");
        else
            snprintf(why, sizeof why,
                     "the WAL statistics cover only %.0f s, too short to extrapolate the WAL "
                     "written per checkpoint interval, and no checkpoint was requested in them",
                     ct->wal_window_s);
        reason = ct_printf("PGTune (%s) profile value; %s", pgtune_profile_name(ct->profile), why);
        snprintf(buf, bsize, "%s", pgt);
    }
    json_t *max_e = ct_entry(ct, group, "max_wal_size", buf, max_method, reason);
    json_object_set_new(max_e, "pgtune", json_string(pgt));
    ct_free_str(reason);
    ct_parse_value(ct, "max_wal_size", buf, rec_max_bytes);
    return max_method;
}

/* min_wal_size: WAL segments up to this size are recycled instead of
 * removed; one checkpoint interval's WAL is what each cycle reuses. It
 * stays at most half of max_wal_size (max_buf, rec_max_bytes as
 * recommended, by max_method). */
static void ckpt_min_wal_size(ct_t *ct, json_t *group, const ckpt_t *k, const char *max_buf,
                              double rec_max_bytes, const char *max_method)
{
    char *reason;
    char cur_s[32], pt_s[32], pgt[32];
    pgtune_format_kb(ct->pgt.min_wal_size_kb, pgt, sizeof pgt);
    ct_format_bytes(k->cur_min, cur_s, sizeof cur_s);
    if (k->have_wal) {
        double want = fmin(k->per_timeout, rec_max_bytes / 2);
        double rec = fmax(k->cur_min, want);
        char rec_s[32];
        if (rec > k->cur_min)
            format_wal_size(rec, rec_s, sizeof rec_s);
        else
            snprintf(rec_s, sizeof rec_s, "%s", cur_s);
        ct_format_bytes(round_up(k->per_timeout, CT_KB), pt_s, sizeof pt_s);
        reason =
            ct_printf("measured: %s of WAL per checkpoint_timeout; keeping at least that "
                      "much recycled (at most half of max_wal_size) avoids creating new "
                      "segment files every checkpoint. Current %s %s.",
                      pt_s, cur_s, rec > k->cur_min ? "is smaller: raised" : "covers it: fine");
        ct_entry(ct, group, "min_wal_size", rec_s, "measured", reason);
    } else if ((double)ct->pgt.min_wal_size_kb * CT_KB * 2 <= rec_max_bytes &&
               strcmp(max_method, "pgtune") == 0) {
        reason = ct_printf("PGTune (%s) profile value; WAL rate not measured (no pg_stat_wal "
                           "data over at least an hour)",
                           pgtune_profile_name(ct->profile));
        ct_entry(ct, group, "min_wal_size", pgt, "pgtune", reason);
    } else {
        /* PGTune's profiles keep min_wal_size at a quarter of max_wal_size. */
        double rec = fmax(k->cur_min, rec_max_bytes / 4);
        char rec_s[32];
        if (rec > k->cur_min)
            format_wal_size(rec, rec_s, sizeof rec_s);
        else
            snprintf(rec_s, sizeof rec_s, "%s", cur_s);
        reason = ct_printf("WAL rate not measured; PGTune's profiles keep min_wal_size at a "
                           "quarter of max_wal_size (%s here), never below the current %s",
                           max_buf, cur_s);
        ct_entry(ct, group, "min_wal_size", rec_s, "rule", reason);
    }
    ct_free_str(reason);
}

/* wal_compression: PGTune's value when full-page images are at least
 * FPI_SHARE_FOR_COMPRESSION of the WAL (or WAL statistics are missing),
 * else the current value. */
static void ckpt_wal_compression(ct_t *ct, json_t *group, const ckpt_t *k)
{
    char *reason;
    const json_t *row = ct_setting_row(ct, "wal_compression");
    const char *cur_wc = row ? ct_str(row, "setting") : NULL;
    const char *pgt_wc = ct->pgt.wal_compression ? ct->pgt.wal_compression
                         : ct->pg_major >= 15    ? "lz4"
                                                 : "on";
    if (!k->have_wal_bytes || k->wal_bytes <= 0) {
        reason = ct_printf("PGTune: %s; WAL statistics are missing, so the share of full-page "
                           "images could not be measured",
                           pgt_wc);
        ct_entry(ct, group, "wal_compression", pgt_wc, "pgtune", reason);
    } else {
        double share = fmin(1.0, k->wal_fpi * CT_BLCKSZ / k->wal_bytes);
        int want = share >= FPI_SHARE_FOR_COMPRESSION;
        const char *rec = want ? pgt_wc : (cur_wc ? cur_wc : "off");
        reason = ct_printf("measured: %.0f full-page images in %.0f WAL records; at most 8kB "
                           "each they are up to %.1f%% of the %.0f WAL bytes. %s",
                           k->wal_fpi, k->wal_records, 100 * share, k->wal_bytes,
                           want ? "Compressing them (lz4 is cheap on CPU) cuts WAL volume."
                                : "Below 20%: compression would gain little, current value is "
                                  "fine.");
        ct_entry(ct, group, "wal_compression", rec, "measured", reason);
    }
    ct_free_str(reason);
}

/* The checkpoints group: max_wal_size, min_wal_size from the measured WAL
 * and checkpoint counts (PGTune's values without them),
 * checkpoint_completion_target, wal_compression; evidence.checkpoints. */
static void checkpoints_group(ct_t *ct, json_t *group)
{
    ckpt_t k;
    ckpt_read(ct, &k);
    char buf[32];
    double rec_max_bytes;
    const char *max_method = ckpt_max_wal_size(ct, group, &k, buf, sizeof buf, &rec_max_bytes);
    ckpt_min_wal_size(ct, group, &k, buf, rec_max_bytes, max_method);

    char *reason = ct_printf("PGTune: 0.9 spreads checkpoint writes over 90%% of the interval "
                             "(PostgreSQL 14+ default)");
    ct_entry(ct, group, "checkpoint_completion_target", "0.9", "pgtune", reason);
    ct_free_str(reason);

    ckpt_wal_compression(ct, group, &k);
}

/* ct_entry with an integer value. */
static void int_entry(ct_t *ct, json_t *group, const char *name, int value, const char *method,
                      const char *reason)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%d", value);
    ct_entry(ct, group, name, buf, method, reason);
}

/* timescaledb.max_background_workers recommendation (0 without TimescaleDB):
 * one scheduler per database plus one job per hypertable able to run at
 * once, never below the current value. */
static int timescaledb_workers(const ct_t *ct, int *current_out)
{
    const json_t *ts = json_object_get(ct->snap, "timescaledb");
    if (!json_is_object(ts))
        return 0;
    double cur = 16; /* TimescaleDB's default */
    const json_t *tss = json_object_get(ts, "settings");
    const char *v = ct_str(tss, "timescaledb.max_background_workers");
    if (v)
        cur = ct_clamp_int(atof(v), 0, 262143);
    else
        ct_setting_value(ct, "timescaledb.max_background_workers", &cur);
    size_t hyper = json_array_size(json_object_get(ts, "hypertables"));
    int want = ct_clamp_int(fmax(cur, 1.0 + (double)hyper), 1, 262143);
    if (current_out)
        *current_out = ct_clamp_int(cur, 0, 262143);
    return want;
}

/* The parallelism group: max_worker_processes, max_parallel_workers(_per_gather) and
 * max_parallel_maintenance_workers from PGTune's CPU rule, keeping room for TimescaleDB's
 * background workers; without host.cpus, entries without a value. Records the recommended worker
 * counts for later rules. */
static void parallelism_group(ct_t *ct, json_t *group)
{
    char *reason;
    double cur_mwp = 8, cur_mpw = 8;
    ct_setting_value(ct, "max_worker_processes", &cur_mwp);
    ct_setting_value(ct, "max_parallel_workers", &cur_mpw);
    int tsdb_bgw = timescaledb_workers(ct, NULL);
    cur_mwp = ct_clamp_int(cur_mwp, 0, 262143);
    cur_mpw = ct_clamp_int(cur_mpw, 0, 1024);
    ct->rec_max_worker_processes = (int)cur_mwp;
    ct->rec_max_parallel_workers = (int)cur_mpw;
    if (!ct->cpus) {
        const char *names[] = {"max_worker_processes", "max_parallel_workers_per_gather",
                               "max_parallel_workers", "max_parallel_maintenance_workers"};
        for (size_t i = 0; i < 4; i++)
            ct_entry(ct, group, names[i], NULL, "pgtune",
                     "not recommended: the snapshot has no host.cpus, and PGTune sizes "
                     "parallel workers by CPU count");
        return;
    }
    if (!ct->pgt.has_parallel) {
        /* PGTune emits no parallel settings below 4 CPUs: the defaults stay. */
        const char *names[] = {"max_worker_processes", "max_parallel_workers_per_gather",
                               "max_parallel_workers", "max_parallel_maintenance_workers"};
        const char *defaults[] = {"8", "2", "8", "2"};
        for (size_t i = 0; i < 4; i++) {
            char cur[64];
            const char *rec = ct_setting_human(ct, names[i], cur, sizeof cur) ? cur : defaults[i];
            if (i == 0 && tsdb_bgw > 0 && tsdb_bgw + (int)cur_mpw + 3 > atoi(rec)) {
                char b[32];
                snprintf(b, sizeof b, "%d", tsdb_bgw + (int)cur_mpw + 3);
                ct->rec_max_worker_processes = atoi(b);
                reason = ct_printf("TimescaleDB: at least timescaledb.max_background_workers %d + "
                                   "max_parallel_workers %d + 3",
                                   tsdb_bgw, (int)cur_mpw);
                ct_entry(ct, group, names[i], b, "rule", reason);
                ct_free_str(reason);
                continue;
            }
            reason = ct_printf("PGTune sets parallel workers only with 4 or more CPUs; with %d "
                               "CPU%s (host.cpus, source: %s) the current value is kept",
                               ct->cpus, ct->cpus == 1 ? "" : "s", ct->cpus_source);
            ct_entry(ct, group, names[i], rec, "pgtune", reason);
            ct_free_str(reason);
        }
        return;
    }
    const pgtune_result_t *p = &ct->pgt;
    int mwp = p->max_worker_processes;
    const char *mwp_method = "pgtune";
    if (tsdb_bgw > 0 && tsdb_bgw + p->max_parallel_workers + 3 > mwp) {
        mwp = tsdb_bgw + p->max_parallel_workers + 3;
        mwp_method = "rule";
    }
    /* Never lower max_worker_processes: extensions' background workers and
     * logical replication workers take slots from the same pool. */
    int kept_current = 0;
    if ((int)cur_mwp > mwp) {
        mwp = (int)cur_mwp;
        mwp_method = "rule";
        kept_current = 1;
    }
    ct->rec_max_worker_processes = mwp;
    ct->rec_max_parallel_workers = p->max_parallel_workers;
    if (kept_current)
        reason = ct_printf("PGTune would use the CPU count %d (host.cpus, source: %s), but the "
                           "current %d is kept: background workers of extensions and logical "
                           "replication share this pool, and unused slots cost nothing",
                           ct->cpus, ct->cpus_source, mwp);
    else if (mwp != p->max_worker_processes)
        reason = ct_printf("PGTune would use the CPU count %d (host.cpus, source: %s); "
                           "TimescaleDB needs timescaledb.max_background_workers %d + "
                           "max_parallel_workers %d + 3 = %d",
                           ct->cpus, ct->cpus_source, tsdb_bgw, p->max_parallel_workers, mwp);
    else
        reason = ct_printf("PGTune: one worker process per CPU, %d (host.cpus, source: %s)",
                           ct->cpus, ct->cpus_source);
    int_entry(ct, group, "max_worker_processes", mwp, mwp_method, reason);
    ct_free_str(reason);
    reason = ct_printf("PGTune: ceil(CPUs / 2) = %d%s", (ct->cpus + 1) / 2,
                       ct->profile != PGTUNE_DW && (ct->cpus + 1) / 2 > 4
                           ? ", at most 4 outside data warehouses (more workers per query gain "
                             "little)"
                           : "");
    int_entry(ct, group, "max_parallel_workers_per_gather", p->max_parallel_workers_per_gather,
              "pgtune", reason);
    ct_free_str(reason);
    reason = ct_printf("PGTune: all %d CPUs may run parallel workers", ct->cpus);
    int_entry(ct, group, "max_parallel_workers", p->max_parallel_workers, "pgtune", reason);
    ct_free_str(reason);
    reason = ct_printf("PGTune: ceil(CPUs / 2) = %d, at most 4", (ct->cpus + 1) / 2);
    int_entry(ct, group, "max_parallel_maintenance_workers", p->max_parallel_maintenance_workers,
              "pgtune", reason);
    ct_free_str(reason);
}

/* The planner group: random_page_cost and effective_io_concurrency from the storage kind,
 * default_statistics_target from the profile, and jit (kept for dw and desktop, off for the
 * other profiles, the measured shares of short and long statements in the reason). */
static void planner_group(ct_t *ct, json_t *group)
{
    char *reason;
    char buf[32];
    if (ct->storage_name) {
        ct_format_number(ct->pgt.has_storage         ? ct->pgt.random_page_cost
                         : ct->storage == PGTUNE_HDD ? 4
                                                     : 1.1,
                         buf, sizeof buf);
        reason = ct_printf("PGTune: %s storage (host.storage \"%s\", source: %s): %s",
                           pgtune_storage_name(ct->storage), ct->storage_name, ct->storage_source,
                           ct->storage == PGTUNE_HDD
                               ? "random reads cost 4x a sequential read on spinning disks"
                               : "random reads cost about as much as sequential ones");
        ct_entry(ct, group, "random_page_cost", buf, "pgtune", reason);
        ct_free_str(reason);
        static const int eic[] = {
            [PGTUNE_HDD] = 2, [PGTUNE_SSD] = 200, [PGTUNE_SAN] = 300, [PGTUNE_NVME] = 1000};
        snprintf(buf, sizeof buf, "%d", eic[ct->storage]);
        reason = ct_printf("PGTune: %d concurrent prefetch requests for %s storage (host.storage, "
                           "source: %s)",
                           eic[ct->storage], pgtune_storage_name(ct->storage), ct->storage_source);
        ct_entry(ct, group, "effective_io_concurrency", buf, "pgtune", reason);
        ct_free_str(reason);
    } else {
        ct_entry(ct, group, "random_page_cost", NULL, "pgtune",
                 "not recommended: the snapshot has no host.storage (hdd/ssd/nvme/san)");
        ct_entry(ct, group, "effective_io_concurrency", NULL, "pgtune",
                 "not recommended: the snapshot has no host.storage (hdd/ssd/nvme/san)");
    }

    snprintf(buf, sizeof buf, "%d", ct->profile == PGTUNE_DW ? 500 : 100);
    reason = ct_printf("PGTune (%s): %s", pgtune_profile_name(ct->profile),
                       ct->profile == PGTUNE_DW
                           ? "500 gives the planner finer histograms for analytical predicates"
                           : "100 (the default) is enough for short selective statements");
    ct_entry(ct, group, "default_statistics_target", buf, "pgtune", reason);
    ct_free_str(reason);

    const json_t *w = json_object_get(ct->result, "workload");
    double short_share = 0, long_share = 0;
    ct_num(w, "short_share", &short_share);
    ct_num(w, "long_share", &long_share);
    if (ct->profile == PGTUNE_DW || ct->profile == PGTUNE_DESKTOP) {
        char cur[64];
        const char *rec = ct_setting_human(ct, "jit", cur, sizeof cur) ? cur : "on";
        reason = ct_printf("PGTune (%s) leaves JIT at its default: long statements take %.0f%% "
                           "of execution time and JIT pays off on long CPU-bound queries",
                           pgtune_profile_name(ct->profile), 100 * long_share);
        ct_entry(ct, group, "jit", rec, "pgtune", reason);
    } else if (json_integer_value(json_object_get(w, "statements")) == 0) {
        reason = ct_printf("no statement statistics to measure the workload; PGTune's %s profile "
                           "turns JIT off: compiling costs tens of milliseconds, which short "
                           "web/OLTP statements cannot earn back",
                           pgtune_profile_name(ct->profile));
        ct_entry(ct, group, "jit", "off", "pgtune", reason);
    } else if (short_share >= 0.5) {
        reason = ct_printf("workload \"%s\": statements with a mean under 10 ms take %.0f%% of "
                           "execution time and long ones %.0f%%; JIT compilation costs tens of "
                           "milliseconds when the planner's cost crosses jit_above_cost, which "
                           "short statements cannot earn back (PGTune turns it off for "
                           "web/oltp/mixed)",
                           pgtune_profile_name(ct->profile), 100 * short_share, 100 * long_share);
        ct_entry(ct, group, "jit", "off", "measured", reason);
    } else {
        reason = ct_printf("PGTune turns JIT off for the %s profile; measured: statements under "
                           "10 ms take %.0f%% of execution time and statements of 100 ms or more "
                           "%.0f%%, so few queries run long enough to repay compilation",
                           pgtune_profile_name(ct->profile), 100 * short_share, 100 * long_share);
        ct_entry(ct, group, "jit", "off", "pgtune", reason);
    }
    ct_free_str(reason);
}

int ct_beat(ct_t *ct, const char *stage, int64_t done, int64_t total)
{
    if (!ct->cancelled && ct->progress && ct->progress(ct->progress_user, stage, done, total))
        ct->cancelled = 1;
    return ct->cancelled;
}

/* PGTune's values for the snapshot's host and the chosen profile into
 * ct->pgt (ct->have_pgtune with the RAM known; without it only the
 * profile-only parts, WAL sizes and flags, are usable). Returns 0, or -1
 * with err set. */
static int run_pgtune(ct_t *ct, err_t *err)
{
    if (ct->have_memory) {
        pgtune_input_t in = {.profile = ct->profile,
                             .memory_kb = ct->memory_bytes / 1024,
                             .cpus = ct->cpus,
                             .max_connections = ct->max_connections,
                             .storage = ct->storage_name ? ct->storage : PGTUNE_STORAGE_UNKNOWN,
                             .pg_major = ct->pg_major};
        if (pgtune_compute(&in, &ct->pgt, err) != 0)
            return -1;
        ct->have_pgtune = 1;
    } else {
        /* The profile-only parts of PGTune (WAL sizes, flags) need no RAM. */
        pgtune_input_t in = {.profile = ct->profile,
                             .memory_kb = 1,
                             .cpus = ct->cpus,
                             .max_connections = ct->max_connections,
                             .storage = ct->storage_name ? ct->storage : PGTUNE_STORAGE_UNKNOWN,
                             .pg_major = ct->pg_major};
        if (pgtune_compute(&in, &ct->pgt, err) != 0)
            return -1;
    }
    return 0;
}

/* The result's postgresql groups, pools and TimescaleDB sections, with a
 * progress beat between stages. Returns 1 when the job was cancelled
 * before the scripts, 0 otherwise. */
static int run_rules(ct_t *ct)
{
    json_t *pg = json_object();
    json_t *memory = json_object(), *autovacuum = json_object(), *checkpoints = json_object(),
           *parallelism = json_object(), *planner = json_object();
    json_object_set_new(pg, "memory", memory);
    json_object_set_new(pg, "autovacuum", autovacuum);
    json_object_set_new(pg, "checkpoints", checkpoints);
    json_object_set_new(pg, "parallelism", parallelism);
    json_object_set_new(pg, "planner", planner);
    json_object_set_new(ct->result, "postgresql", pg);

    /* A beat between stages, and inside the ones that loop over the input
     * (tables, code files): a large snapshot takes seconds. */
    ct_beat(ct, "memory", 0, 7);
    memory_group(ct, memory);
    ct_beat(ct, "parallelism", 1, 7);
    parallelism_group(ct, parallelism);
    ct_beat(ct, "autovacuum", 2, 7);
    ct_autovacuum(ct, autovacuum);
    ct_beat(ct, "checkpoints", 3, 7);
    checkpoints_group(ct, checkpoints);
    planner_group(ct, planner);
    ct_beat(ct, "pools", 4, 7);
    ct_sqlalchemy_pgbouncer(ct);
    ct_beat(ct, "timescaledb", 5, 7);
    ct_timescaledb(ct);
    return ct_beat(ct, "scripts", 6, 7);
}

/* A note listing the settings the rules found no pg_settings row for. */
static void note_missing_settings(ct_t *ct)
{
    if (json_array_size(ct->missing_settings) == 0)
        return;
    char list[1024] = "";
    size_t used = 0, i;
    json_t *v;
    json_array_foreach(ct->missing_settings, i, v)
    {
        int k =
            snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", json_string_value(v));
        if (k < 0 || (size_t)k >= sizeof list - used)
            break;
        used += (size_t)k;
    }
    ct_note(ct,
            "%zu settings are missing from the snapshot's pg_settings (%s): their current "
            "value is null, PostgreSQL %d's defaults stand in where a rule needs one, and "
            "rollback resets them",
            json_array_size(ct->missing_settings), list, ct->pg_major);
}

void config_tuner_options_init(config_tuner_options_t *o)
{
    memset(o, 0, sizeof *o);
}

int config_tuner_analyze(const json_t *snapshot, const config_tuner_options_t *opts,
                         progress_fn progress, void *progress_user, json_t **result, err_t *err)
{
    if (!result)
        return err_set(err, "config_tuner: no result pointer");
    *result = NULL;
    if (!json_is_object(snapshot))
        return err_set(err, "config_tuner: snapshot is not a map");
    ct_t ct;
    memset(&ct, 0, sizeof ct);
    ct.snap = snapshot;
    if (opts)
        ct.opts = *opts;
    ct.progress = progress;
    ct.progress_user = progress_user;
    if (ct.opts.app_processes < 0)
        return err_set(err, "config_tuner: app_processes must not be negative (got %d)",
                       ct.opts.app_processes);
    ct.result = json_object();
    ct.notes = json_array();
    ct.evidence = json_object();
    ct.changes = json_array();
    ct.per_table = json_array();
    ct.missing_settings = json_array();
    int rc = -1;

    json_object_set_new(ct.result, "phase", json_string("OPTIMIZE"));
    json_object_set_new(ct.result, "agent", json_string("config_tuner"));
    load_settings(&ct);
    load_host(&ct);
    load_windows(&ct);
    if (classify_workload(&ct, err) != 0)
        goto done;
    if (run_pgtune(&ct, err) != 0)
        goto done;
    if (run_rules(&ct)) {
        err_set(err, "config_tuner: cancelled");
        goto done;
    }
    ct_scripts(&ct);
    note_missing_settings(&ct);
    json_object_set(ct.result, "per_table", ct.per_table);
    json_object_set(ct.result, "notes", ct.notes);
    json_object_set(ct.result, "evidence", ct.evidence);
    *result = ct.result;
    ct.result = NULL;
    rc = 0;
done:
    sqla_scan_destroy(&ct.code_scan);
    json_decref(ct.result);
    json_decref(ct.notes);
    json_decref(ct.evidence);
    json_decref(ct.changes);
    json_decref(ct.per_table);
    json_decref(ct.missing_settings);
    json_decref(ct.settings_by_name);
    return rc;
}
