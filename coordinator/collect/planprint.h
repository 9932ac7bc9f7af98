/*
 * planprint.h - plan fingerprints of the top statements, for the history:
 * did a statement's plan change between two snapshots?
 *
 * A fingerprint is the shape of the statement's generic plan (node types,
 * join types and strategies, relations and indexes, parent relationships;
 * no costs, no row estimates), hashed with 64-bit FNV-1a: two snapshots
 * with the same hash planned the statement the same way. Generic because
 * pg_stat_statements keeps $n texts; on PostgreSQL 15 that is PREPARE +
 * SET LOCAL plan_cache_mode = force_generic_plan + EXPLAIN EXECUTE with
 * NULLs (the generic plan never looks at them).
 *
 * Read-only and bounded: it runs inside the collector's READ ONLY
 * transaction, every statement under its own savepoint with SET LOCAL
 * statement_timeout (so a slow plan costs one statement, never the
 * collection), for at most max_statements statements by total time; EXPLAIN
 * without ANALYZE executes nothing. PREPARE is session-local and
 * DEALLOCATEd. Every text sent carries PGOPT_SQL_MARK.
 */
#ifndef PGOPT_COORDINATOR_PLANPRINT_H
#define PGOPT_COORDINATOR_PLANPRINT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/pgconn.h"

typedef struct {
    size_t max_statements; /* by total_exec_time, default 20 */
    int timeout_ms;        /* per statement (PREPARE + EXPLAIN), default 500 */
} planprint_opts_t;

void planprint_opts_init(planprint_opts_t *o);

/* Shape of one EXPLAIN (FORMAT JSON) output: *hash and a compact text
 * ("Nested Loop(Seq Scan public.a, Index Scan public.b_pkey)", cut to len).
 * -1 with err when the text is not an EXPLAIN JSON document. */
int planprint_shape(const char *explain_json, uint64_t *hash, char *shape, size_t len, err_t *err);

/* Adds plan_hash ("%016llx") and plan_shape to the top rows of statements
 * (pg_stat_statements rows with query and total_exec_time) that plan.
 * conn (common/pgconn: every wait bounded) is inside a transaction. *done counts fingerprinted
 * statements, *skipped those that did not plan (utility statements, texts that do not PREPARE,
 * timeouts). -1 with err only when the connection is lost or the transaction cannot be restored. */
int planprint_statements(pgconn_t *conn, json_t *statements, const planprint_opts_t *o,
                         size_t *done, size_t *skipped, err_t *err);

#endif
