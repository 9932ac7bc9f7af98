/*
 * sqlparse.h - SQL text to libpg_query's protobuf parse tree, a generic
 * walker over that tree, and classifiers built on it.
 *
 * libpg_query (Debian libpg-query-dev, PostgreSQL 15 grammar) parses with
 * the server's own parser, so anything PostgreSQL accepts parses here,
 * including pg_stat_statements' normalized texts ($1 placeholders). The tree
 * is the protobuf form (pg_query.pb-c.h) rather than JSON so that callers get
 * typed C structs and can deparse an edited tree later
 * (pg_query_deparse_protobuf). The walker uses protobuf-c's reflection, so
 * it visits every node of every statement type without a hand-written case
 * per node type.
 *
 * Classifier: which session-state features a statement uses. These are the
 * features PgBouncer's transaction pooling breaks, because the server
 * connection changes between transactions: SET/RESET (not SET LOCAL, not SET
 * TRANSACTION), LISTEN/UNLISTEN, SQL-level PREPARE/EXECUTE/DEALLOCATE,
 * session advisory locks (pg_advisory_lock*, pg_try_advisory_lock*,
 * pg_advisory_unlock*; the _xact_ variants are transaction scoped and safe),
 * DECLARE ... WITH HOLD cursors, and temporary tables (unless ON COMMIT DROP).
 *
 * Link: ${PG_QUERY_LIB} and PkgConfig::PROTOBUFC.
 */
#ifndef PGOPT_COMMON_SQLPARSE_H
#define PGOPT_COMMON_SQLPARSE_H

#include <pg_query/pg_query.pb-c.h>
#include <stddef.h>

#include "common/error.h"

typedef struct sqlparse sqlparse_t;

/* Parses text (one or more statements). On a syntax error returns -1 with
 * err = "syntax error at or near ... (at character N)". */
int sqlparse_parse(const char *text, sqlparse_t **out, err_t *err);

/* Frees the tree; safe on NULL and twice (nulls the pointer). */
void sqlparse_destroy(sqlparse_t **parse);

/* The whole tree (owned by parse). */
const PgQuery__ParseResult *sqlparse_tree(const sqlparse_t *parse);

size_t sqlparse_statement_count(const sqlparse_t *parse);

/* Statement i (0-based) or NULL when out of range. */
const PgQuery__RawStmt *sqlparse_statement(const sqlparse_t *parse, size_t i);

/* Walker callback: called for every message in the subtree, parents before
 * children, with the depth below the root (root = 0). Return 0 to continue,
 * nonzero to stop the walk (sqlparse_walk then returns that value). */
typedef int (*sqlparse_visit_fn)(const ProtobufCMessage *node, int depth, void *user);

/* Visits root and every message below it (only the active member of a oneof,
 * every element of repeated fields). Returns 0 or the callback's nonzero
 * value. Depth is bounded by the parser's own limits, recursion is safe. */
int sqlparse_walk(const ProtobufCMessage *root, sqlparse_visit_fn visit, void *user);

/* Session-state features (bit mask). */
enum {
    SQLPARSE_FEATURE_SET = 1u << 0,              /* SET / RESET at session level */
    SQLPARSE_FEATURE_LISTEN = 1u << 1,           /* LISTEN / UNLISTEN */
    SQLPARSE_FEATURE_PREPARE = 1u << 2,          /* PREPARE / EXECUTE / DEALLOCATE */
    SQLPARSE_FEATURE_ADVISORY_LOCK = 1u << 3,    /* session-level advisory lock functions */
    SQLPARSE_FEATURE_WITH_HOLD_CURSOR = 1u << 4, /* DECLARE ... WITH HOLD */
    SQLPARSE_FEATURE_TEMP_TABLE =
        1u << 5, /* CREATE TEMP TABLE / SELECT INTO TEMP, not ON COMMIT DROP */
};
#define SQLPARSE_FEATURE_COUNT 6

/* Union of the features used by any statement of parse. */
unsigned sqlparse_session_features(const sqlparse_t *parse);

/* Features used by one subtree (e.g. one statement's stmt node). */
unsigned sqlparse_node_session_features(const ProtobufCMessage *node);

/* Name of a single feature bit, using the spelling shared with
 * common/sqla_engines ("SET", "LISTEN", "PREPARE", "advisory_lock",
 * "with_hold_cursor", "temp_table"); NULL for anything else. */
const char *sqlparse_feature_name(unsigned feature_bit);

/* Why the feature breaks under transaction pooling (one sentence). */
const char *sqlparse_feature_explanation(unsigned feature_bit);

/* ---- Tree editing and deparse (added for the query rewriter) ------------
 * Callers may edit the tree in place and print it back as SQL. Nodes they
 * add must be allocated with malloc() (protobuf-c's default allocator, the
 * one the tree was unpacked with) because sqlparse_destroy() frees every
 * node; a node moved elsewhere must be unlinked from its old place. */

/* The tree, for editing (owned by parse). */
PgQuery__ParseResult *sqlparse_tree_mutable(sqlparse_t *parse);

/* SQL text of a (possibly edited) tree, printed by libpg_query's deparser
 * (pg_query_deparse_protobuf). *sql is malloc()ed. -1 with err when the tree
 * cannot be packed or the deparser refuses it (a node it cannot print). */
int sqlparse_deparse(const PgQuery__ParseResult *tree, char **sql, err_t *err);

#endif
