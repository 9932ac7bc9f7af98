/*
 * index_advisor.h - the index advisor agent (issue 4): which indexes to
 * create and which to drop, for the whole workload of a snapshot.
 *
 * Input: the snapshot (docs/SNAPSHOT.md): tables, columns (pg_stats),
 * indexes, constraints, statements (pg_stat_statements), qualstats,
 * database, meta, options, target.dsn. Output: the seed's index_advisor map
 * (seed/phase3-optimize.md) - recommendations, unused_indexes_to_drop,
 * duplicate_indexes - plus invalid_indexes, notes and an evaluation summary.
 *
 * Method (workers/index_advisor/METHOD.md has the details):
 *  1. every statement is parsed with libpg_query; equality, IN, range, join,
 *     ORDER BY, GROUP BY, LIKE, jsonb/array/full-text uses are resolved to
 *     base-table columns through aliases, subqueries and CTEs;
 *  2. candidates: btree up to 3 keys (equality first, then range or sort),
 *     partial, covering (INCLUDE), expression, GIN; those an existing index
 *     already serves are dropped;
 *  3. evaluation: with target.dsn reachable and hypopg installed, what-if
 *     EXPLAIN in one read-only session (common/whatif.h); otherwise and for
 *     GIN, pgopt's own cost model from pg_stats and sizes;
 *  4. greedy selection by benefit per byte weighted by calls x time, under
 *     a storage budget and a write-overhead limit.
 */
#ifndef PGOPT_WORKERS_INDEX_ADVISOR_H
#define PGOPT_WORKERS_INDEX_ADVISOR_H

#include <jansson.h>
#include <stdint.h>

#include "common/error.h"
#include "workers/agent.h"

typedef struct {
    /* Storage budget for new indexes, bytes; 0 = snapshot.options.index_budget_bytes
     * when present, else 25% of the database size (database.size_bytes). */
    int64_t budget_bytes;
    /* Largest extra write volume a new index may add to its table (fraction of
     * the table's current heap + index write bytes); default 0.5. Below the
     * limit the extra write time (that fraction of the time the workload's
     * INSERT/UPDATE/DELETE statements on the table take) is subtracted from
     * the index's gain. */
    double max_write_overhead;
    /* Stop when the best remaining step saves less than this fraction of the
     * workload's total weighted time; default 0.005. */
    double min_gain_fraction;
    /* Every recommendation must lower the weighted cost of the statements it
     * claims by at least this fraction, under the what-if plans with
     * representative values and under plain generic plans alike (each
     * greedy step must do so for the statements it changes); default 0.05.
     * Smaller gains depend on the evaluator, not on the index. */
    double min_index_improvement;
    /* An index must have idx_scan = 0 over at least this many seconds of
     * statistics to be reported unused; default 7 days. */
    double min_unused_window_s;
    /* 0: use target.dsn when present; 1: never connect (cost model only). */
    int offline;
    /* per what-if statement, ms; default 5000 */
    int statement_timeout_ms;
    /* 1: single-column, per-statement candidates only (Supabase
     * index_advisor's method) - the benchmark's baseline. */
    int baseline_single_column;
} index_advisor_options_t;

/* Defaults as documented above; snapshot.options may override some of them
 * (index_budget_bytes, index_max_write_overhead, index_min_gain_fraction,
 * index_min_improvement, index_min_unused_window_s, index_offline). */
void index_advisor_options_init(index_advisor_options_t *o);

/* Runs the analysis (the agent contract, workers/agent.h; opts NULL = the
 * defaults, snapshot.options on top). *result is a new map shaped like the
 * seed's index_advisor JSON. Returns -1 with err on invalid input or cancel;
 * a target that cannot be reached is not an error (cost model, with a
 * note). */
int index_advisor_analyze(const json_t *snapshot, const index_advisor_options_t *opts,
                          progress_fn progress, void *progress_user, json_t **result, err_t *err);

#endif
