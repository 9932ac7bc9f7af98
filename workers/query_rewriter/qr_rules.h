/*
 * qr_rules.h - the rule modules of the query rewriter and the helpers they
 * share. Each rule is one qr_rule_t (detect + rewrite + safety proof, see
 * qr_internal.h); qr_rules.c lists them in the order they are tried.
 */
#ifndef PGOPT_QR_RULES_H
#define PGOPT_QR_RULES_H

#include "workers/query_rewriter/qr_internal.h"

/* Calls fn on every predicate slot of the statement: the WHERE and JOIN ...
 * ON conditions of a plain top-level SELECT, UPDATE ... WHERE (and FROM's
 * join conditions), DELETE ... WHERE (and USING's), and, inside those, the
 * subqueries used as predicates (EXISTS / IN (SELECT ...), also under NOT)
 * with their own scope. fn may replace *slot. Returns replacements made or
 * -1. On UPDATE/DELETE it marks the edit not verifiable (verify is
 * read-only). */
int qr_each_top_pred(qr_edit_t *e,
                     int (*fn)(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node **slot,
                               err_t *err),
                     err_t *err);

/* "UPDATE" or "DELETE" for those statements, "" otherwise. */
const char *qr_dml_kind(const qr_edit_t *e);

/* An identifier as SQL: bare when lower-case [a-z_][a-z0-9_]*, else quoted. */
const char *qr_quote_ident(const char *s, char *buf, size_t len);

extern const qr_rule_t qr_rule_not_in;
extern const qr_rule_t qr_rule_or_any;
extern const qr_rule_t qr_rule_in_list;
extern const qr_rule_t qr_rule_sargable;
extern const qr_rule_t qr_rule_implicit_cast;
extern const qr_rule_t qr_rule_like;
extern const qr_rule_t qr_rule_offset;
extern const qr_rule_t qr_rule_scalar_subquery;
extern const qr_rule_t qr_rule_union;
extern const qr_rule_t qr_rule_count_distinct;
extern const qr_rule_t qr_rule_select_star;
extern const qr_rule_t qr_rule_random;
extern const qr_rule_t qr_rule_distinct_join;
/* qr_rules_check.c: sqlcheck's remaining query anti-patterns */
extern const qr_rule_t qr_rule_insert_columns;
extern const qr_rule_t qr_rule_null_comparison;
extern const qr_rule_t qr_rule_nullable_concat;
extern const qr_rule_t qr_rule_too_many_joins;
extern const qr_rule_t qr_rule_full_table_read;

#endif
