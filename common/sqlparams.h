/*
 * sqlparams.h - the types of a parameterized statement's $n, inferred from
 * its parse tree and the catalog, so that pg_stat_statements' normalized
 * texts can be PREPAREd with explicit types.
 *
 * Without declared types PostgreSQL resolves each $n from its context, and
 * some normalized texts have none it can use: "col BETWEEN $4 - $5 AND $6 +
 * $7" (operator is not unique: unknown - unknown), "sum(CASE WHEN ... THEN
 * $3 ELSE $4 END)" (unknown resolved to text, sum(text) does not exist),
 * "l_shipdate <= $1::date - $2" ($2 taken as a date, date - date is an
 * integer). Here each $n takes the type of what it meets:
 *  - a column it is compared with (=, <, LIKE, IN list, BETWEEN bounds,
 *    IS DISTINCT FROM), the column's type from the caller's catalog;
 *  - an arithmetic partner: the other operand's type, except date +/- $n
 *    (integer: date + integer is a date) and timestamp[tz] +/- $n (interval);
 *    a bound "$a - $b" of a date column gets date, integer;
 *  - the other results of its CASE, or numeric when every result of a CASE
 *    under sum/avg is a parameter;
 *  - a typed literal or cast it is combined with;
 *  - LIMIT / OFFSET: bigint, and marked as not a value the planner can take
 *    generically (a generic plan guesses the row count; callers bind a
 *    representative count).
 * A $n none of these reaches is declared "unknown" (the server infers it as
 * before). A $n that the text fix of whatif_fix_typed_params removed (the
 * field of extract(), which is a name, not a value) is declared text and
 * marked SQLPARAM_REMOVED.
 *
 * Shared by the index advisor's what-if costing and the query rewriter's
 * cost evidence (both PREPARE pg_stat_statements texts).
 *
 * Link: common (sqlparse, whatif), libpg_query.
 */
#ifndef PGOPT_COMMON_SQLPARAMS_H
#define PGOPT_COMMON_SQLPARAMS_H

#include <stddef.h>

#include "common/error.h"

typedef enum {
    SQLPARAM_VALUE = 0, /* an ordinary value (typed or left to the server) */
    SQLPARAM_LIMIT,     /* LIMIT $n: a row count the plan depends on */
    SQLPARAM_OFFSET,    /* OFFSET $n */
    SQLPARAM_REMOVED,   /* not in the fixed text (extract field bound to a name) */
} sqlparam_kind_t;

/* Catalog lookup: the type name (format_type spelling, e.g. "numeric",
 * "timestamp without time zone") of column of relation [schema.]table, or
 * NULL when unknown. schema is NULL when the text does not qualify it. */
typedef const char *(*sqlparams_coltype_fn)(void *user, const char *schema, const char *table,
                                            const char *column);

typedef struct {
    size_t n;              /* highest $n of the original text */
    char **types;          /* [n]: declared type of $(i+1) ("unknown" when not inferred) */
    char **source;         /* [n]: what the type came from ("l_shipdate", "CASE", ...) or NULL */
    sqlparam_kind_t *kind; /* [n] */
} sqlparams_t;

/* Infers the types of sql's parameters (sql: pg_stat_statements' text; the
 * text fix of whatif_fix_typed_params is applied first). -1 with err when
 * the fixed text does not parse. */
int sqlparams_infer(const char *sql, sqlparams_coltype_fn coltype, void *user, sqlparams_t **out,
                    err_t *err);

/* Number of parameters that got a type other than "unknown". */
size_t sqlparams_typed_count(const sqlparams_t *p);

void sqlparams_destroy(sqlparams_t **p);

#endif
