/*
 * synth_history.h - synthetic histories with planted truth for the
 * ai_tuning tests and benchmark.
 *
 * A snapshot (docs/SNAPSHOT.md) whose `history` holds `days` of entries
 * every `step_s` seconds, starting on a Monday 00:00 UTC, with:
 *  - a diurnal load profile (x3 in 09:00-12:00 and 14:00-18:00 UTC) and a
 *    weekly one (Saturday and Sunday at x0.4);
 *  - sustained latency regressions (x2 from an onset to the end) on some
 *    statements; one-off latency spikes (x10 for 1-2 intervals) on others;
 *  - database-level load spikes (every statement's calls x4 for 2-3
 *    intervals): the anomalies to find;
 *  - one global statistics reset, statement evictions (a statement absent
 *    for a while, back with counters from zero), and gaps (missing entries);
 *  - database size growing linearly and one table growing exponentially.
 * Noise is multiplicative, from a seeded generator: same arguments, same
 * document.
 */
#ifndef PGOPT_TESTS_SYNTH_HISTORY_H
#define PGOPT_TESTS_SYNTH_HISTORY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define SYNTH_MAX_PLANTED 32

typedef struct {
    int days;
    int step_s;
    int statements;
    unsigned seed;
    int regressions;             /* sustained latency regressions to plant */
    int stmt_spikes;             /* one-off latency spikes */
    int db_spikes;               /* database-level load spikes */
    int with_reset;              /* one global stats reset */
    int gaps;                    /* gaps of 3 hours */
    int evictions;               /* statements evicted for a while */
    double db_monthly_growth;    /* linear, relative per 30 days */
    double table_monthly_growth; /* exponential, per 30 days */
} synth_opts_t;

typedef struct {
    int64_t queryid;
    double t; /* onset (regressions) or start (spikes) */
    double t_end;
} synth_event_t;

typedef struct {
    synth_event_t regressions[SYNTH_MAX_PLANTED];
    int nregressions;
    synth_event_t stmt_spikes[SYNTH_MAX_PLANTED];
    int nstmt_spikes;
    synth_event_t db_spikes[SYNTH_MAX_PLANTED];
    int ndb_spikes;
    double t0, t_end;
} synth_truth_t;

void synth_opts_init(synth_opts_t *o);

/* Returns a new snapshot (caller json_decref()s) and fills truth. */
json_t *synth_history(const synth_opts_t *o, synth_truth_t *truth);

#endif
