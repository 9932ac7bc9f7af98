/*
 * planted_pg.h - planted changes against the test PostgreSQL, with a real
 * history: each scenario runs a workload between snapshots collected by
 * the real collector (coordinator/collect/collect.h), reduced to history records
 * by the history store's own reduction (coordinator/history/history.h), applies
 * one change half-way (an index dropped, work_mem lowered, statistics
 * changed, data grown, a new heavy statement) or a look-alike (steady
 * noise, a statistics reset, a server restart), and lets the ai_tuning
 * agent find and attribute it. The restart runs on a private cluster the
 * scenario starts (scripts/pg-sandbox.sh, found through PGOPT_SOURCE_DIR)
 * and restarts with pg_ctl: the shared test server cannot restart. Shared by the ctest
 * (tests/ai_tuning/test_attribution_pg.c) and the benchmark (bench/ai_attribution_bench.c).
 *
 * PGOPT_PLANTED_KEEP=DIR keeps each scenario's snapshot (history included)
 * in DIR, to analyse a miss again offline.
 *
 * Entries are kept in memory, not in a store on disk: the store keys
 * records by whole seconds today and the scenarios take snapshots faster
 * than that; the records are the same reduction the store keeps.
 */
#ifndef PGOPT_TESTS_PLANTED_PG_H
#define PGOPT_TESTS_PLANTED_PG_H

#include <stddef.h>

typedef struct {
    const char *name;
    const char *expect_kind;  /* "regression", "anomaly" or NULL (look-alike) */
    const char *expect_query; /* substring of the regressing statement */
    const char *expect_cause;
    const char *expect_event; /* "restart": must be recognised (evidence.history.restarts) */
    /* results */
    int recognised;  /* the expected event was recognised */
    int detected;    /* the expected finding was reported */
    int attributed;  /* ... with the expected cause */
    int false_found; /* other findings */
    char got_cause[64];
    char summary[400];
} planted_result_t;

/* Runs every scenario; results[] gets one row each (max rows). Returns the
 * number run, or -1 with a message on stderr when the fixture is missing. */
int planted_run_all(planted_result_t *results, size_t max, int verbose);

/* Prints the table and precision / recall of detection and attribution;
 * returns 1 when all four are 1.0, no look-alike was reported and every
 * expected event (the restart) was recognised. */
int planted_report(const planted_result_t *r, size_t n);

#endif
