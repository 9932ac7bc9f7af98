/*
 * ct_vacuum.c - autovacuum: global settings from the table population and
 * per-table thresholds for large or high-churn tables.
 *
 * Autovacuum vacuums a table when its dead rows exceed
 *   autovacuum_vacuum_threshold + autovacuum_vacuum_scale_factor x reltuples
 * (50 + 0.2 x reltuples by default): a 10M-row table waits for 2M dead rows,
 * 20% bloat. Per-table rule (table qualifies when it is large, >= 1M rows,
 * or churns: >= 10k rows and either all its rows were updated or deleted
 * within the stats window, or >= 20% of it is dead now):
 *   scale factor f = 0.005 from 10M rows, 0.01 from 1M, else 0.02
 *     (vacuum at 0.5-2% dead rows);
 *   threshold t = 50, raised so that at the measured churn (n_tup_upd +
 *     n_tup_del per second over the stats window) the table is not vacuumed
 *     more often than every 5 minutes: t = max(50, churn x 300 s - f x reltuples);
 *   analyze scale factor f / 2 (the default keeps analyze at half the vacuum
 *     factor too).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/config_tuner/ct_internal.h"

#define LARGE_TABLE_ROWS      1000000.0
#define HUGE_TABLE_ROWS       10000000.0
#define CHURN_MIN_ROWS        10000.0
#define DEAD_RATIO_HIGH       0.2
#define MIN_VACUUM_INTERVAL_S 300.0
#define DEFAULT_THRESHOLD     50.0
#define MID_TABLE_ROWS        100000.0
#define MID_BLOATED_RATIO     0.1
/* Cost accounting (PostgreSQL 15 defaults): vacuum_cost_page_dirty = 20
 * credits; autovacuum spends cost_limit credits per cost_delay. */
#define COST_PAGE_DIRTY 20.0
#define COST_HEADROOM   2.0

typedef struct {
    int have_f, have_t;
    double f, t;
} reloption_vals_t;

/* A table's autovacuum_vacuum_scale_factor and _threshold reloptions into r (have_f/have_t say
 * which are set). */
static void read_reloptions(const json_t *table, reloption_vals_t *r)
{
    memset(r, 0, sizeof *r);
    const json_t *opts = json_object_get(table, "reloptions");
    size_t i;
    const json_t *o;
    json_array_foreach(opts, i, o)
    {
        const char *s = json_string_value(o);
        if (!s)
            continue;
        if (strncmp(s, "autovacuum_vacuum_scale_factor=", 31) == 0) {
            r->have_f = 1;
            r->f = atof(s + 31);
        } else if (strncmp(s, "autovacuum_vacuum_threshold=", 28) == 0) {
            r->have_t = 1;
            r->t = atof(s + 28);
        }
    }
}

/* The previous value of one reloption key as text, or NULL. */
static const char *reloption_text(const json_t *table, const char *key)
{
    const json_t *opts = json_object_get(table, "reloptions");
    size_t klen = strlen(key), i;
    const json_t *o;
    json_array_foreach(opts, i, o)
    {
        const char *s = json_string_value(o);
        if (s && strncmp(s, key, klen) == 0 && s[klen] == '=')
            return s + klen + 1;
    }
    return NULL;
}

/* The table's schema-qualified, quoted name for ALTER TABLE ("public" when the schema is missing).
 */
static void table_name(const json_t *t, char *buf, size_t len)
{
    char s[200], n[200];
    const char *schema = ct_str(t, "schema");
    const char *name = ct_str(t, "name");
    ct_quote_ident(schema ? schema : "public", s, sizeof s);
    ct_quote_ident(name ? name : "?", n, sizeof n);
    snprintf(buf, len, "%s.%s", s, n);
}

/* One table's figures and the per-table settings derived from them. */
typedef struct {
    double rows, dead, dead_ratio, upd_del;
    double churn;        /* dead rows per second, 0 when not measured */
    const char *why;     /* why the table gets settings */
    double f, th;        /* recommended scale factor and threshold */
    double cur_f, cur_t; /* current, from reloptions or the globals */
    int cur_from_reloptions;
    double cur_trigger, new_trigger; /* dead rows that trigger autovacuum */
    double interval;                 /* expected seconds between vacuums, -1 unknown */
} table_av_t;

/* The rollback for the per-table settings of t (named name): the previous
 * reloptions set back, the keys that were unset RESET. Returns the
 * statement(s) (ct_free_str). */
static char *reloptions_rollback(const json_t *t, const char *name)
{
    const char *keys[] = {"autovacuum_vacuum_scale_factor", "autovacuum_vacuum_threshold",
                          "autovacuum_analyze_scale_factor"};
    char set_part[512] = "", reset_part[256] = "";
    for (size_t i = 0; i < 3; i++) {
        const char *prev = reloption_text(t, keys[i]);
        char *dst = prev ? set_part : reset_part;
        size_t cap = prev ? sizeof set_part : sizeof reset_part;
        size_t used = strlen(dst);
        if (prev)
            snprintf(dst + used, cap - used, "%s%s = %s", used ? ", " : "", keys[i], prev);
        else
            snprintf(dst + used, cap - used, "%s%s", used ? ", " : "", keys[i]);
    }
    if (set_part[0] && reset_part[0])
        return ct_printf("ALTER TABLE %s SET (%s);\nALTER TABLE %s RESET (%s);", name, set_part,
                         name, reset_part);
    if (set_part[0])
        return ct_printf("ALTER TABLE %s SET (%s);", name, set_part);
    return ct_printf("ALTER TABLE %s RESET (%s);", name, reset_part);
}

/* The sentence explaining a table's settings (ct_free_str). */
static char *per_table_reason(const ct_t *ct, const table_av_t *a)
{
    char interval_s[96];
    if (a->interval > 0)
        snprintf(interval_s, sizeof interval_s, "about every %.0f s at the measured churn",
                 a->interval);
    else if (ct->tables_rates_ok)
        snprintf(interval_s, sizeof interval_s, "no updates or deletes in the window");
    else
        snprintf(interval_s, sizeof interval_s, "churn rate not measured (stats window %.0f s)",
                 ct->tables_window_s);
    char churn_s[128];
    if (ct->tables_rates_ok)
        snprintf(churn_s, sizeof churn_s, " = %.2f dead rows/s", a->churn);
    else
        snprintf(churn_s, sizeof churn_s, " (too short a window for a rate)");
    return ct_printf(
        "%s: %.0f rows, %.0f dead (%.1f%%), %.0f updates+deletes over %.0f s%s. Autovacuum now "
        "waits for %.0f + %g x %.0f = %.0f dead rows (%.1f%% of the table). Vacuuming at %g%% "
        "(threshold %.0f so it runs at most every %.0f s) waits for %.0f dead rows: %s.",
        a->why, a->rows, a->dead, 100 * a->dead_ratio, a->upd_del, ct->tables_window_s, churn_s,
        a->cur_t, a->cur_f, a->rows, a->cur_trigger,
        a->rows > 0 ? 100 * a->cur_trigger / a->rows : 0, 100 * a->f, a->th, MIN_VACUUM_INTERVAL_S,
        a->new_trigger, interval_s);
}

/* The per_table entry for table name: figures, current and recommended
 * settings, triggers, and the statements. */
static json_t *per_table_json(const char *name, const table_av_t *a, const char *reason,
                              const char *apply, const char *rollback)
{
    json_t *e = json_object();
    json_object_set_new(e, "table", json_string(name));
    json_object_set_new(e, "reltuples", json_real(a->rows));
    json_object_set_new(e, "n_dead_tup", json_real(a->dead));
    json_object_set_new(e, "dead_ratio", json_real(a->dead_ratio));
    json_object_set_new(e, "dead_rows_per_s", json_real(a->churn));
    json_t *c = json_object();
    json_object_set_new(c, "autovacuum_vacuum_scale_factor", json_real(a->cur_f));
    json_object_set_new(c, "autovacuum_vacuum_threshold", json_real(a->cur_t));
    json_object_set_new(c, "source",
                        json_string(a->cur_from_reloptions ? "reloptions" : "global settings"));
    json_object_set_new(e, "current", c);
    json_t *r = json_object();
    json_object_set_new(r, "autovacuum_vacuum_scale_factor", json_real(a->f));
    json_object_set_new(r, "autovacuum_vacuum_threshold", json_real(a->th));
    json_object_set_new(r, "autovacuum_analyze_scale_factor", json_real(a->f / 2));
    json_object_set_new(e, "recommended", r);
    json_object_set_new(e, "trigger_dead_rows_current", json_real(a->cur_trigger));
    json_object_set_new(e, "trigger_dead_rows_recommended", json_real(a->new_trigger));
    json_object_set_new(e, "expected_interval_s",
                        a->interval > 0 ? json_real(a->interval) : json_null());
    json_object_set_new(e, "reason", json_string(reason));
    json_object_set_new(e, "apply", json_string(apply));
    json_object_set_new(e, "rollback", json_string(rollback));
    json_object_set_new(e, "doc",
                        json_string("https://www.postgresql.org/docs/15/"
                                    "sql-createtable.html#SQL-CREATETABLE-STORAGE-PARAMETERS"));
    return e;
}

/* One table: adds its churn to *dirty_rate and, when it is large, turned
 * over in the window or bloated and autovacuum does not already come
 * earlier, appends per-table autovacuum settings to ct->per_table (global
 * factor g_f, threshold g_t). */
static void per_table(ct_t *ct, const json_t *t, double g_f, double g_t, double *dirty_rate)
{
    double rel = 0, live = 0, dead = 0, upd = 0, del = 0;
    ct_num(t, "reltuples", &rel);
    ct_num(t, "n_live_tup", &live);
    ct_num(t, "n_dead_tup", &dead);
    ct_num(t, "n_tup_upd", &upd);
    ct_num(t, "n_tup_del", &del);
    if (rel < 0) /* -1: never analyzed */
        rel = live;
    table_av_t a = {.dead = dead, .upd_del = upd + del};
    a.rows = fmax(rel, live);
    double rows = a.rows;
    a.dead_ratio = live + dead > 0 ? dead / (live + dead) : 0;
    a.churn = ct->tables_rates_ok ? (upd + del) / ct->tables_window_s : 0;
    *dirty_rate += a.churn;

    int large = rows >= LARGE_TABLE_ROWS;
    int turned_over = ct->tables_rates_ok && rows >= CHURN_MIN_ROWS && upd + del >= rows;
    int bloated = rows >= CHURN_MIN_ROWS && a.dead_ratio >= DEAD_RATIO_HIGH && dead >= 1000;
    if (!large && !turned_over && !bloated)
        return;

    a.f = rows >= HUGE_TABLE_ROWS ? 0.005 : rows >= LARGE_TABLE_ROWS ? 0.01 : 0.02;
    a.th = DEFAULT_THRESHOLD;
    if (a.churn > 0)
        a.th = fmax(a.th, ceil(a.churn * MIN_VACUUM_INTERVAL_S - a.f * rows));
    reloption_vals_t cur;
    read_reloptions(t, &cur);
    a.cur_f = cur.have_f ? cur.f : g_f;
    a.cur_t = cur.have_t ? cur.t : g_t;
    a.cur_from_reloptions = cur.have_f || cur.have_t;
    a.cur_trigger = a.cur_t + a.cur_f * rows;
    a.new_trigger = a.th + a.f * rows;
    /* Autovacuum already comes at least this early (per-table settings of a
     * DBA, or the churn budget asks for a later vacuum than the current
     * trigger): nothing to gain. */
    if (a.cur_trigger <= a.new_trigger * 1.0001)
        return;

    char name[420];
    table_name(t, name, sizeof name);
    char fbuf[32], abuf[32];
    ct_format_number(a.f, fbuf, sizeof fbuf);
    ct_format_number(a.f / 2, abuf, sizeof abuf);
    char *apply = ct_printf("ALTER TABLE %s SET (autovacuum_vacuum_scale_factor = %s, "
                            "autovacuum_vacuum_threshold = %.0f, "
                            "autovacuum_analyze_scale_factor = %s);",
                            name, fbuf, a.th, abuf);
    /* Rollback: previous reloptions back, or RESET the keys that were unset. */
    char *rollback = reloptions_rollback(t, name);
    a.why = large ? "large table" : turned_over ? "high churn" : "high dead-row ratio";
    a.interval = a.churn > 0 ? a.new_trigger / a.churn : -1;
    char *reason = per_table_reason(ct, &a);
    json_array_append_new(ct->per_table, per_table_json(name, &a, reason, apply, rollback));
    ct_free_str(apply);
    ct_free_str(rollback);
    ct_free_str(reason);
}

/* The table population autovacuum's global settings are judged on. */
typedef struct {
    size_t n_tables, mid, mid_bloated, large;
    double dead_total, rows_total;
    double dirty_rate; /* dead rows per second over all tables */
} av_population_t;

/* Walks the snapshot's tables (with progress beats; stops early when the
 * job is cancelled): counts them by size and dead share into pop, and
 * derives each one's per-table settings (per_table). */
static void av_population(ct_t *ct, const json_t *tables, double g_f, double g_t,
                          av_population_t *pop)
{
    memset(pop, 0, sizeof *pop);
    size_t i;
    const json_t *t;
    json_array_foreach(tables, i, t)
    {
        if (ct_beat(ct, "autovacuum", (int64_t)i, (int64_t)json_array_size(tables)))
            break;
        double rel = 0, live = 0, dead = 0;
        ct_num(t, "reltuples", &rel);
        ct_num(t, "n_live_tup", &live);
        ct_num(t, "n_dead_tup", &dead);
        double rows = fmax(rel, live);
        pop->n_tables++;
        pop->dead_total += dead;
        pop->rows_total += live + dead;
        if (rows >= LARGE_TABLE_ROWS)
            pop->large++;
        else if (rows >= MID_TABLE_ROWS) {
            pop->mid++;
            if (live + dead > 0 && dead / (live + dead) > MID_BLOATED_RATIO)
                pop->mid_bloated++;
        }
        per_table(ct, t, g_f, g_t, &pop->dirty_rate);
    }
}

/* Global scale factors: lowered when most mid-sized tables (100k-1M rows,
 * too small for per-table settings) are more than 10% dead. */
static void av_scale_factors(ct_t *ct, json_t *group, const av_population_t *pop, double g_f,
                             double g_af)
{
    char buf[32];
    int lower = pop->mid >= 2 && pop->mid_bloated * 2 > pop->mid;
    double rec_f = lower ? fmin(g_f, 0.1) : g_f;
    double rec_af = lower ? fmin(g_af, 0.05) : g_af;
    ct_format_number(rec_f, buf, sizeof buf);
    char *reason =
        ct_printf("table population: %zu tables, %zu with 100k-1M rows of which %zu are "
                  "more than 10%% dead, %zu with >= 1M rows (given per-table settings). %s",
                  pop->n_tables, pop->mid, pop->mid_bloated, pop->large,
                  lower ? "Most mid-sized tables carry over 10% dead rows at the current "
                          "factor: vacuum them at 10% instead."
                        : "Mid-sized tables keep up at the current factor: fine.");
    ct_entry(ct, group, "autovacuum_vacuum_scale_factor", buf, "rule", reason);
    ct_free_str(reason);
    ct_format_number(rec_af, buf, sizeof buf);
    reason =
        ct_printf("kept at half the vacuum scale factor (%g), as in PostgreSQL's defaults", rec_f);
    ct_entry(ct, group, "autovacuum_analyze_scale_factor", buf, "rule", reason);
    ct_free_str(reason);
}

/* autovacuum_max_workers: PGTune's CPU rule, else the current value. */
static void av_workers(ct_t *ct, json_t *group)
{
    char buf[32];
    char *reason;
    double cur_workers = 3;
    ct_setting_value(ct, "autovacuum_max_workers", &cur_workers);
    if (ct->pgt.autovacuum_max_workers > 0) {
        snprintf(buf, sizeof buf, "%d", ct->pgt.autovacuum_max_workers);
        reason = ct_printf("PGTune: %d workers with %d CPUs (host.cpus, source: %s); %zu tables "
                           "get per-table settings",
                           ct->pgt.autovacuum_max_workers, ct->cpus, ct->cpus_source,
                           json_array_size(ct->per_table));
        ct_entry(ct, group, "autovacuum_max_workers", buf, "pgtune", reason);
    } else {
        snprintf(buf, sizeof buf, "%.0f", cur_workers);
        reason = ct_printf("PGTune raises workers only from 16 CPUs (%s here); the current %.0f "
                           "is kept",
                           ct->cpus ? "fewer" : "CPU count unknown", cur_workers);
        ct_entry(ct, group, "autovacuum_max_workers", buf, "pgtune", reason);
    }
    ct_free_str(reason);
}

/* autovacuum_vacuum_cost_limit: raised when the measured churn, with every
 * dead row dirtying its own page (the worst case), needs more credits per
 * second than the current limit (eff_limit per delay ms) allows; the
 * capacity and need go to the evidence ev. */
static void av_cost_limit(ct_t *ct, json_t *group, json_t *ev, double dirty_rate, double eff_limit,
                          double delay)
{
    char buf[32];
    char *reason;
    double capacity = eff_limit / fmax(delay, 0.001) * 1000.0; /* credits per second */
    double needed = dirty_rate * COST_PAGE_DIRTY;
    json_object_set_new(ev, "cost_credits_per_s_capacity", json_real(capacity));
    json_object_set_new(ev, "cost_credits_per_s_needed", json_real(needed));
    if (ct->tables_rates_ok && needed * COST_HEADROOM > capacity) {
        double rec =
            fmin(10000, ceil(needed * COST_HEADROOM * fmax(delay, 0.001) / 1000.0 / 100) * 100);
        snprintf(buf, sizeof buf, "%.0f", rec);
        reason = ct_printf("measured: %.1f dead rows/s across all tables x %g credits per dirtied "
                           "page = %.0f credits/s needed in the worst case; the current limit "
                           "%.0f per %g ms allows %.0f credits/s. Raised for %gx headroom.",
                           dirty_rate, COST_PAGE_DIRTY, needed, eff_limit, delay, capacity,
                           COST_HEADROOM);
        ct_entry(ct, group, "autovacuum_vacuum_cost_limit", buf, "measured", reason);
    } else {
        char cur[64];
        const char *rec =
            ct_setting_human(ct, "autovacuum_vacuum_cost_limit", cur, sizeof cur) ? cur : "-1";
        if (ct->tables_rates_ok)
            reason = ct_printf("measured: %.1f dead rows/s x %g credits per dirtied page = %.0f "
                               "credits/s in the worst case, within the %.0f credits/s the "
                               "current limit %.0f per %g ms allows: fine",
                               dirty_rate, COST_PAGE_DIRTY, needed, capacity, eff_limit, delay);
        else
            reason = ct_printf("churn not measured (stats window %.0f s, at least %.0f s "
                               "needed); the current limit %.0f per %g ms is kept",
                               ct->tables_window_s, CT_MIN_RATE_WINDOW_S, eff_limit, delay);
        ct_entry(ct, group, "autovacuum_vacuum_cost_limit", rec,
                 ct->tables_rates_ok ? "measured" : "rule", reason);
    }
    ct_free_str(reason);
}

/* The autovacuum group and evidence.autovacuum: global scale factors from
 * the table population, workers, cost limit from the measured churn, cost
 * delay and naptime kept; per-table settings into ct->per_table. */
void ct_autovacuum(ct_t *ct, json_t *group)
{
    const json_t *tables = json_object_get(ct->snap, "tables");
    double g_f = 0.2, g_t = 50, g_af = 0.1, limit = -1, vlimit = 200, delay = 2, naptime_ms = 60000;
    ct_setting_value(ct, "autovacuum_vacuum_scale_factor", &g_f);
    ct_setting_value(ct, "autovacuum_vacuum_threshold", &g_t);
    ct_setting_value(ct, "autovacuum_analyze_scale_factor", &g_af);
    ct_setting_value(ct, "autovacuum_vacuum_cost_limit", &limit);
    ct_setting_value(ct, "vacuum_cost_limit", &vlimit);
    ct_setting_value(ct, "autovacuum_vacuum_cost_delay", &delay);
    ct_setting_value(ct, "autovacuum_naptime", &naptime_ms);
    double eff_limit = limit > 0 ? limit : vlimit;

    av_population_t pop;
    av_population(ct, tables, g_f, g_t, &pop);
    if (!json_is_array(tables) || pop.n_tables == 0)
        ct_note(ct, "snapshot has no tables: autovacuum settings are checked against defaults "
                    "only and no per-table settings are derived");

    json_t *ev = json_object();
    json_object_set_new(ev, "tables", json_integer((json_int_t)pop.n_tables));
    json_object_set_new(ev, "large_tables", json_integer((json_int_t)pop.large));
    json_object_set_new(ev, "mid_tables", json_integer((json_int_t)pop.mid));
    json_object_set_new(ev, "mid_tables_over_10pct_dead",
                        json_integer((json_int_t)pop.mid_bloated));
    json_object_set_new(ev, "dead_ratio_overall",
                        json_real(pop.rows_total > 0 ? pop.dead_total / pop.rows_total : 0));
    json_object_set_new(ev, "dead_rows_per_s", json_real(pop.dirty_rate));
    json_object_set_new(ev, "per_table_settings",
                        json_integer((json_int_t)json_array_size(ct->per_table)));
    json_object_set_new(ct->evidence, "autovacuum", ev);

    av_scale_factors(ct, group, &pop, g_f, g_af);
    av_workers(ct, group);
    av_cost_limit(ct, group, ev, pop.dirty_rate, eff_limit, delay);

    char cur[64];
    const char *rec =
        ct_setting_human(ct, "autovacuum_vacuum_cost_delay", cur, sizeof cur) ? cur : "2ms";
    char *reason = ct_printf("kept: throughput is tuned with the cost limit; %g ms is PostgreSQL "
                             "12+'s default",
                             delay);
    ct_entry(ct, group, "autovacuum_vacuum_cost_delay", rec, "rule", reason);
    ct_free_str(reason);

    rec = ct_setting_human(ct, "autovacuum_naptime", cur, sizeof cur) ? cur : "1min";
    reason = ct_printf("kept: per-table thresholds are sized so no table is due more often than "
                       "every %.0f s, so checking each database every %.0f s is enough",
                       MIN_VACUUM_INTERVAL_S, naptime_ms / 1000.0);
    ct_entry(ct, group, "autovacuum_naptime", rec, "rule", reason);
    ct_free_str(reason);
}
