/*
 * whatif.h - a read-only what-if session on the target database: hypothetical
 * indexes (hypopg) and planner cost estimates of statement texts, including
 * pg_stat_statements' parameterized texts on PostgreSQL 15.
 *
 * Used by the index advisor (and later the query rewriter) to ask the
 * server's own planner "what would this statement cost if these indexes
 * existed?" without creating anything.
 *
 * Nothing is written to the target, and that is enforced, not promised:
 *  - the session runs with default_transaction_read_only = on, so any
 *    statement that would write fails; EXPLAIN without ANALYZE never
 *    executes (PostgreSQL skips the read-only check only for EXPLAIN-only
 *    executor starts), so EXPLAIN of UPDATE/DELETE works and writes nothing;
 *  - hypopg 1.3.1's hypothetical indexes live in the backend's memory only
 *    (hypopg_create_index works in a read-only transaction, assigns no
 *    transaction id, and the index survives ROLLBACK because it is not a
 *    catalog row); they vanish with the session. Verified on PG15 + hypopg
 *    1.3.1: txid_current_if_assigned() stays NULL after creating one;
 *  - PREPARE/DEALLOCATE are session-local too;
 *  - statement_timeout bounds every statement (default 5 s), lock_timeout 1 s.
 *
 * A server or network that stops answering cannot hold a caller: the session
 * runs on common/pgconn, so each wait ends WHATIF_NO_ANSWER_MARGIN_MS after
 * statement_timeout at the latest, and at once when the calling thread's stop
 * hook fires (a worker's job was cancelled); the session is then broken and
 * every later call fails with the reason.
 *
 * hypopg 1.3.1 hands out fake OIDs between the highest pg_class OID below
 * FirstNormalObjectId and 16384 (2828 of them on a fresh PostgreSQL 15
 * cluster; read at whatif_open) and takes a dropped index's OID again once
 * it has gone round the range (hypo_getNewOid): what runs out is the
 * number of hypothetical indexes alive at once, not creations. So
 * whatif_index_create() resets all hypothetical indexes only when a
 * creation would pass that range or WHATIF_MAX_HYPO alive indexes (a reset
 * every N creations made callers create again the indexes they were still
 * using): callers must treat any OID they hold as invalid after
 * whatif_generation() changes.
 *
 * Parameterized statements (pg_stat_statements texts with $n): PostgreSQL 15
 * has no EXPLAIN (GENERIC_PLAN), so a statement is PREPAREd, its parameter
 * types are read from pg_prepared_statements, and the plan is EXPLAIN
 * EXECUTE s(NULL, ...) under plan_cache_mode = force_generic_plan, set once
 * for the session, in one round trip ("DEALLOCATE ALL; PREPARE ...; EXPLAIN
 * ... EXECUTE ..."; SET LOCAL in a transaction of its own per EXPLAIN where
 * the server refuses the session setting; a generic plan never looks at the
 * NULLs). Generic plans estimate ranges at
 * 1/3 selectivity; callers may pass representative values for some
 * parameters: those $n are replaced in the text by typed literals
 * ('value'::type) and the statement is prepared again with all parameter
 * types declared, so the planner sees real constants where they are known and
 * generic parameters elsewhere. "interval $1" (pg_stat_statements' text of a
 * typed literal, which does not parse) is rewritten to "$1::interval"; the
 * same for date, time, timestamp, timestamptz and friends. "extract($1 FROM
 * col)" (the field name, replaced by pg_stat_statements, which the grammar
 * does not take as a parameter) becomes "extract('epoch' FROM col)".
 *
 * Link: libpq, libpg_query (through common/sqlparse), jansson.
 */
#ifndef PGOPT_COMMON_WHATIF_H
#define PGOPT_COMMON_WHATIF_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define WHATIF_MAX_HYPO            2000  /* hypothetical indexes alive at once, see top */
#define WHATIF_NO_ANSWER_MARGIN_MS 10000 /* past statement_timeout, see top */

typedef struct whatif whatif_t;

/* Connects (conninfo: libpq conninfo or URI) and sets the session up as
 * described on top. statement_timeout_ms <= 0 means 5000. Returns -1 with err
 * when the server cannot be reached or the session cannot be made read-only. */
int whatif_open(const char *conninfo, int statement_timeout_ms, whatif_t **out, err_t *err);

/* Closes the session (every hypothetical index and prepared statement goes
 * with it). Safe on NULL and twice. */
void whatif_destroy(whatif_t **w);

/* Last error of a failing call. */
const char *whatif_error(const whatif_t *w);

/* 1 when hypopg is installed in the database (CREATE EXTENSION is never run:
 * that would be a write), else 0. */
int whatif_has_hypopg(const whatif_t *w);
const char *whatif_hypopg_version(const whatif_t *w);

/* Server version number (e.g. 150018). */
int whatif_server_version(const whatif_t *w);

/* Creates a hypothetical index from a CREATE INDEX statement (no
 * CONCURRENTLY). *oid receives its OID, *size hypopg's size estimate in bytes
 * (may be NULL). -1 with whatif_error() when hypopg refuses it. */
int whatif_index_create(whatif_t *w, const char *create_sql, unsigned *oid, int64_t *size);

/* Drops one hypothetical index. */
int whatif_index_drop(whatif_t *w, unsigned oid);

/* The same for n indexes in one round trip (each one costs about a
 * millisecond on a loaded machine, more a network away). create_many
 * resets the session first (whatif_generation changes) when the n would
 * pass whatif_live_limit() alive indexes; oids[i] / sizes[i] (may be NULL) belong to
 * create_sql[i]. -1 with whatif_error() when hypopg refuses one of them
 * (then none of the batch is known to exist: reset to be sure). */
int whatif_index_create_many(whatif_t *w, const char *const *create_sql, size_t n, unsigned *oids,
                             int64_t *sizes);
int whatif_index_drop_many(whatif_t *w, const unsigned *oids, size_t n);

/* Drops every hypothetical index of the session (hypopg_reset()). */
int whatif_reset(whatif_t *w);

/* Increases each time the session resets its hypothetical indexes (see top). */
int whatif_generation(const whatif_t *w);

/* Hypothetical indexes alive now, and how many may be before a creation
 * resets them all (see top). */
int64_t whatif_live_count(const whatif_t *w);
int64_t whatif_live_limit(const whatif_t *w);

/* Planner total cost of a statement text with the hypothetical indexes that
 * exist now. values[i] is a representative value for parameter $(i+1) (as
 * text) or NULL for a generic parameter; values may be NULL. cache_key, when
 * not NULL, names the statement + hypothetical index set: a second call with
 * the same key returns the cached cost without asking the server. */
int whatif_cost(whatif_t *w, const char *sql, const char *const *values, size_t nvalues,
                const char *cache_key, double *cost);

/* Same without a cache key, also returning the OIDs of the hypothetical
 * indexes the plan uses (*hypo_oids malloc()ed, NULL when none; one entry
 * per plan node naming one, so an OID may repeat). hypo_oids may be NULL. */
int whatif_cost_plan(whatif_t *w, const char *sql, const char *const *values, size_t nvalues,
                     double *cost, unsigned **hypo_oids, size_t *nhypo);

/* Same, returning the whole EXPLAIN (FORMAT JSON) text (malloc()ed) instead. */
int whatif_explain(whatif_t *w, const char *sql, const char *const *values, size_t nvalues,
                   char **plan_json);

/* Parameter types ("integer", "text", ...) of a parameterized text, as the
 * server infers them; *types is a malloc()ed array of malloc()ed strings
 * (free with whatif_free_types). nparams 0 for a text without parameters. */
int whatif_param_types(whatif_t *w, const char *sql, size_t *nparams, char ***types);
void whatif_free_types(char **types, size_t n);

/* Declares the types of sql's $1..$n for every later PREPARE of that text
 * (types[i] NULL or "unknown": the server infers $(i+1)); from
 * common/sqlparams. pg_stat_statements' texts that do not prepare on their
 * own ("col BETWEEN $4 - $5 AND ...", "sum(CASE ... THEN $3 ELSE $4 END)")
 * do with declared types. n 0 removes a declaration. */
int whatif_declare_param_types(whatif_t *w, const char *sql, const char *const *types, size_t n);

/* Counters: EXPLAINs sent to the server, answers served from the cache,
 * hypothetical indexes created. */
int64_t whatif_explain_count(const whatif_t *w);
int64_t whatif_cache_hits(const whatif_t *w);
int64_t whatif_created_count(const whatif_t *w);

/* Rewrites pg_stat_statements' "interval $1" (and date/time/timestamp[tz]/
 * timetz/numeric/... $n) into "$1::interval", and "extract($n FROM" into
 * "extract('epoch' FROM", so the text parses. Returns a
 * malloc()ed string (a copy when nothing changed). */
char *whatif_fix_typed_params(const char *sql);

#endif
