/*
 * query_rewriter.h - the query rewriter agent (SQL part): proven-safe,
 * measured rewrites of the statements in a snapshot.
 *
 * Input: the snapshot's statements (pg_stat_statements), tables, columns
 * (pg_stats), indexes, constraints, settings, meta.extensions and, when
 * present and reachable, target.dsn. Output: the seed's query_rewriter shape
 *   {"phase":"OPTIMIZE","agent":"query_rewriter","rewrites":[...],
 *    "sql_rewrites":[{original_query, optimized_query, changes,
 *      estimated_gain, queryid, rule, safety, method, priority, evidence,
 *      [advice], [verify]}], "notes":[...]}
 * Every statement is parsed with libpg_query; each rule (qr_rules.c) works
 * on its own fresh parse tree and the optimized text is deparsed from the
 * edited tree, then parsed again (a text that does not parse is dropped with
 * a note). Rules that cannot be proven equivalent from the catalog are
 * marked "conditional: <condition>" (one priority level lower) or withheld
 * (notes say why).
 *
 * estimated_gain: with target.dsn reachable, the planner's cost of the
 * original vs the rewritten text (common/whatif: generic plans on PG15 with
 * representative values from pg_stats; hypopg for expression-index advice),
 * method "explain"; otherwise pgopt's own reasoning ("pgopt estimate"),
 * stated in `method`. Priority weighs the gain by the statement's share of
 * total execution time (calls x mean time).
 *
 * Options (the agent contract, workers/agent.h): snapshot.options.verify
 * and snapshot.options.rewriter_offline (docs/SNAPSHOT.md) turn verify mode
 * and offline mode on, as opts.verify / opts.offline do for in-process
 * callers.
 *
 * Verify mode (opts.verify, or snapshot.options.verify == true): both texts
 * run on the target inside READ ONLY transactions with statement_timeout,
 * with parameters bound from pg_stats, and their row multisets are compared
 * by count and two order-independent hash sums (verify.c).
 *
 * N+1 from the database alone: a statement keyed by a foreign key
 * (WHERE fk = $n) called many times per call of a statement on the parent
 * table, at the rate the parent returns rows, becomes a rewrites entry of
 * type n1_fix with the batched form and the round trips it saves.
 */
#ifndef PGOPT_WORKERS_QUERY_REWRITER_H
#define PGOPT_WORKERS_QUERY_REWRITER_H

#include <jansson.h>
#include <stdint.h>

#include "common/error.h"
#include "workers/agent.h"

typedef struct {
    int offline;              /* 1: never connect to target.dsn */
    int verify;               /* 1: run both texts and compare results */
    int statement_timeout_ms; /* what-if and verify statements; 0 = 5000 */
    int max_statements;       /* statements examined, by total time; 0 = 500 */
} query_rewriter_options_t;

/* The defaults: online when target.dsn is reachable, no verify, 5 s per
 * statement, 500 statements. */
void query_rewriter_options_init(query_rewriter_options_t *o);

/* The agent contract (workers/agent.h): analyses snapshot; *result is a new
 * object (the shape above). progress beats once per statement (stage
 * "rewrite"). -1 with err on a snapshot it cannot read or when cancelled.
 * opts NULL = the defaults. */
int query_rewriter_analyze(const json_t *snapshot, const query_rewriter_options_t *opts,
                           progress_fn progress, void *progress_user, json_t **result, err_t *err);

/* Rewrites one statement text with every applicable rule, offline (no gain
 * from the server), against the catalog of snapshot: an array of
 * sql_rewrites entries plus refusals in notes. For tests and tools. */
int query_rewriter_rewrite_text(const json_t *snapshot, const char *sql, json_t **rewrites,
                                json_t **notes, err_t *err);

#endif
