/*
 * qr_code.h - the query rewriter's ORM part: `rewrites` entries from the
 * application code shipped in the snapshot (`code`), found by
 * orm/sqla_patterns, each tied to the database by matching the
 * SQL the ORM emits for it to pg_stat_statements.
 *
 * Matching: every statement text is parsed with libpg_query
 * (common/sqlparse.h) into its statement kind, tables and column names.
 *   - N+1 (a per-row SELECT by foreign key or primary key): a SELECT on
 *     exactly that table whose columns include the key column; the
 *     parent is the busiest SELECT on the parent table with fewer calls.
 *     Round trips saved = child calls - parent calls (one batched SELECT per
 *     parent query remains).
 *   - bulk insert: an INSERT into the table; multi-row INSERTs of up to
 *     1000 rows (SQLAlchemy's insertmanyvalues page) leave ceil(calls/1000).
 *   - per-iteration commit: the COMMIT entry (when track_utility is on).
 *   - SQL built from strings: the same tables and columns as the rewritten
 *     template; the number of matching entries shows the literal variants.
 * Without a match the gain says "no matching statement" and why.
 * Priority: P1 for security findings and for matches that carry >= 5% of
 * total execution time or would save >= 10000 round trips; P2 for other
 * matches; P3 without a match.
 */
#ifndef PGOPT_WORKERS_QUERY_REWRITER_QR_CODE_H
#define PGOPT_WORKERS_QUERY_REWRITER_QR_CODE_H

#include <jansson.h>

#include "common/error.h"

/* Appends one rewrites entry per finding to rewrites (ids qry-NNN from
 * *next_id) and explanations to notes. A snapshot without `code` adds a
 * note and nothing else. -1 with err on a malformed code section or out of
 * memory. */
int qr_code_rewrites(const json_t *snapshot, json_t *rewrites, json_t *notes, int *next_id,
                     err_t *err);

#endif
