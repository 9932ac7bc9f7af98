/*
 * ai_internal.h - shared between the ai_tuning modules: the time series
 * derived from the history (ai_series.c), robust statistics (ai_stats.c)
 * and the sections built from them.
 */
#ifndef PGOPT_AI_INTERNAL_H
#define PGOPT_AI_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "workers/ai_tuning/ai_tuning.h"

/* ---- statistics (ai_stats.c) ---- */
double ai_median(double *v, size_t n);                /* reorders v; NAN when n == 0 */
double ai_mad(const double *v, size_t n, double med); /* median absolute deviation */
double ai_quantile(double *v, size_t n, double q);    /* reorders v; linear interpolation */
/* Theil-Sen slope of y on x with Sen's 95% interval; subsamples to <= 400
 * points. Returns -1 when fewer than 3 points or x is constant. */
int ai_theil_sen(const double *x, const double *y, size_t n, double *slope, double *intercept,
                 double *lo, double *hi);
/* k-means++ on n points of dim d (row-major); labels[n], centroids[k*d].
 * Deterministic for a seed. Returns the within-cluster sum of squares. */
double ai_kmeans(const double *pts, size_t n, size_t d, size_t k, unsigned seed, int *labels,
                 double *centroids);

/* ---- time ---- */
/* "YYYY-MM-DD HH:MM:SS[.frac][+TZ]" or ISO-8601 into seconds since the
 * epoch; -1 when text is NULL or not such a time. */
int ai_parse_time(const char *text, double *epoch);
void ai_format_time(double t, char *buf, size_t len); /* "YYYY-MM-DDTHH:MM:SSZ" */
void ai_format_date(double t, char *buf, size_t len); /* "YYYY-MM-DD" */

/* ---- series (ai_series.c) ---- */

/* One interval between consecutive history entries. */
typedef struct {
    double t0, t1; /* epoch seconds */
    int valid;     /* counters comparable (no reset, both sides present) */
    int gap;       /* longer than 2.5 x the usual step */
    double xact_per_s, rows_per_s, blks_read_per_s, temp_bytes_per_s, writes_per_s, reads_per_s;
    double db_time_per_s; /* sum of statement execution time / wall time (NAN if unknown) */
    double active_conn;   /* activity.by_state.active at t1 (NAN if unknown) */
} ai_interval_t;

/* One statement's interval (consecutive entries that both list it). */
typedef struct {
    double t0, t1;
    double calls, total_ms, sumsq, rows, blks;
    double temp; /* temp_blks_written in the interval */
} ai_stmt_point_t;

typedef struct {
    int64_t queryid, userid;
    int toplevel;
    ai_stmt_point_t *pts;
    size_t n, cap;
    size_t resets;   /* negative deltas seen (stats reset or eviction and re-entry) */
    size_t absences; /* entries where it was missing between appearances */
    double total_ms; /* over valid intervals */
} ai_stmt_series_t;

typedef struct {
    size_t n;           /* history entries used (sorted by time) */
    double *t;          /* entry times */
    double *db_size;    /* database.size_bytes per entry (NAN if absent) */
    double *conn_total; /* activity.total per entry */
    double max_connections, cpus, memory_bytes;
    ai_interval_t *iv; /* n - 1 intervals */
    size_t niv;
    double step_s; /* median interval */
    size_t resets, gaps, invalid;
    /* Server restarts seen between consecutive entries (postmaster start
     * time moved): [{between: [a, b], started_at}], owned. */
    json_t *restarts;
    /* statements (entries carrying a statements list) */
    ai_stmt_series_t *st;
    size_t nst;
    size_t stmt_entries;
    double db_time_total_ms; /* all statements, valid statement intervals */
    /* load per statement interval: db time per second */
    double *load, *load_t0, *load_t1;
    size_t nload;
    json_t *notes; /* borrowed */
} ai_series_t;

/* Builds s from the history entries (any order): per entry, per interval
 * between entries, per statement. Returns 0: a malformed entry is skipped
 * and counted in notes (borrowed), never an error. */
int ai_series_build(const json_t *history, ai_series_t *s, json_t *notes);
/* Frees what ai_series_build allocated (s itself is the caller's). */
void ai_series_free(ai_series_t *s);

/* ---- sections ---- */
typedef struct {
    const json_t *snapshot;
    const ai_tuning_options_t *opt;
    ai_series_t series;
    json_t *notes;
    /* from workload analysis, used by later sections */
    double olap_share, oltp_share;
    double load_p50, load_p95, load_p99, load_max; /* NAN when unknown */
    const char *load_source;                       /* how load was measured */
    double working_set_bytes;                      /* NAN when unknown */
    double db_growth_monthly;                      /* relative per 30 days, NAN unknown */
    double db_size_now;
    json_t *triggers;         /* borrowed from predictions */
    size_t small_unexplained; /* step findings < 2x with no cause found: not reported */
} ai_ctx_t;

/* The sections of the result, each built from c (series, snapshot,
 * options) and never failing: what cannot be computed says why in the
 * section. workload_analysis (classification, clusters, peak hours). */
json_t *ai_workload(ai_ctx_t *c);
/* predictions (growth, scaling triggers, proactive actions). */
json_t *ai_predictions(ai_ctx_t *c);
/* ml_insights (regressions, improvements, anomalies, auto scaling). */
json_t *ai_ml(ai_ctx_t *c);
/* cloud_native, and cost_optimization in *cost. */
json_t *ai_cloud(ai_ctx_t *c, json_t **cost);

/* ---- attribution (ai_cause.c) ---- */
typedef struct {
    int64_t queryid;                /* 0: a database-level change (anomaly) */
    int direction;                  /* +1 slower / more load, -1 faster / less */
    double t0, t1;                  /* the change happened between these entry times */
    double win0, win1;              /* the whole before .. after window compared */
    double temp_before, temp_after; /* temp blocks written per call, NAN unknown */
} ai_change_t;

/* {cause, summary, compared{before, after}, evidence[], checked[]}: the
 * most likely cause of the change, from what differs between the history
 * entries around it (docs/AI_TUNING.md). */
json_t *ai_attribute(ai_ctx_t *c, const ai_change_t *ch);

/* The statement's SQL text in the current snapshot, or NULL. */
const char *ai_statement_text(const json_t *snapshot, int64_t queryid);

/* ---- cloud catalog (ai_catalog.c) ---- */
typedef struct {
    const char *provider; /* aws, gcp, azure, neon */
    const char *product;  /* "RDS for PostgreSQL", ... */
    const char *instance; /* instance class / machine shape */
    double vcpu, memory_gib;
    double usd_per_hour; /* on-demand list price, compute only */
    const char *region;
    const char *source; /* public pricing page */
    const char *as_of;  /* date the price was transcribed */
} ai_offer_t;

typedef struct {
    const char *provider, *product;
    double discount_1y, discount_3y; /* fraction off on-demand */
    const char *terms, *source, *as_of;
} ai_commitment_t;

extern const ai_offer_t AI_OFFERS[];
extern const size_t AI_OFFER_COUNT;
extern const ai_commitment_t AI_COMMITMENTS[];
extern const size_t AI_COMMITMENT_COUNT;
extern const char *const AI_CATALOG_DATE;

#endif
