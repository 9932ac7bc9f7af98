/* qr_rules.c - the table of rules, in the order they are tried. Each entry
 * is a small module (detect + rewrite + safety proof) in qr_rules_pred.c,
 * qr_rules_shape.c or qr_rules_check.c; a new rule is one more line here. */
#include "workers/query_rewriter/qr_rules.h"

const qr_rule_t *const qr_rules[] = {
    &qr_rule_not_in,         &qr_rule_or_any,          &qr_rule_in_list,
    &qr_rule_offset,         &qr_rule_sargable,        &qr_rule_implicit_cast,
    &qr_rule_like,           &qr_rule_scalar_subquery, &qr_rule_union,
    &qr_rule_count_distinct, &qr_rule_distinct_join,   &qr_rule_select_star,
    &qr_rule_random,         &qr_rule_null_comparison, &qr_rule_nullable_concat,
    &qr_rule_insert_columns, &qr_rule_too_many_joins,  &qr_rule_full_table_read,
};
const size_t qr_nrules = sizeof qr_rules / sizeof qr_rules[0];
