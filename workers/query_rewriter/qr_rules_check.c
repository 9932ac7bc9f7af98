/* qr_rules_check.c - the rules that close the gap to sqlcheck's query
 * anti-patterns (RULES.md, "sqlcheck's anti-patterns and pgopt"): INSERT
 * without a column list, comparisons with NULL (= NULL is never true),
 * || on nullable text columns, more FROM items than the planner's collapse
 * limits, and reading a whole large table without WHERE or LIMIT. Most are
 * findings without an equivalent rewrite: like select_star_wide and
 * order_by_random they report advice_only with the statement itself (or its
 * proven-equivalent expansion) as optimized_query. Detect + rewrite + safety
 * per rule (qr_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "workers/query_rewriter/qr_rules.h"

/* ---- helpers ------------------------------------------------------------------ */

static int plain_select(const PgQuery__SelectStmt *s)
{
    return s && s->op == PG_QUERY__SET_OPERATION__SETOP_NONE && !s->into_clause &&
           s->n_values_lists == 0;
}

/* A setting from the snapshot's settings section; NULL when absent. */
static const char *setting(const json_t *snapshot, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(snapshot, "settings"), i, v)
    {
        const char *n = json_string_value(json_object_get(v, "name"));
        if (n && strcmp(n, name) == 0)
            return json_string_value(json_object_get(v, "setting"));
    }
    return NULL;
}

/* An integer setting, with PostgreSQL's default when the snapshot lacks it;
 * *known says which, so the output can say so. */
static int int_setting(const json_t *snapshot, const char *name, int dflt, int *known)
{
    const char *s = setting(snapshot, name);
    char *end = NULL;
    long v = s ? strtol(s, &end, 10) : 0;
    *known = s && end != s && *end == 0;
    return *known ? (int)v : dflt;
}

static int is_null_const(const PgQuery__Node *n)
{
    return n && n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const->isnull;
}

/* sqlparse_walk visitor: stops (returns 1) at the first SELECT, which is how has_subquery finds
 * one. */
static int has_subquery_visit(const ProtobufCMessage *m, int depth, void *user)
{
    (void)depth;
    (void)user;
    return m->descriptor == &pg_query__select_stmt__descriptor;
}

/* 1 when the expression contains a nested query (its names are in another
 * scope, so resolving them against the outer FROM would be wrong). */
static int has_subquery(const PgQuery__Node *n)
{
    return n && sqlparse_walk((const ProtobufCMessage *)n, has_subquery_visit, NULL) != 0;
}

/* Whether a catalog type name is a string type (text, character, varchar, name, bpchar, citext). */
static int is_text_type(const char *t)
{
    return t && (strcmp(t, "text") == 0 || strncmp(t, "character", 9) == 0 ||
                 strncmp(t, "varchar", 7) == 0 || strcmp(t, "name") == 0 ||
                 strncmp(t, "bpchar", 6) == 0 || strcmp(t, "citext") == 0);
}

/* ---- INSERT without a column list --------------------------------------------- */

/* insert_without_columns: INSERT without a column list gets the columns its values fill
 * today written out (the first n by position, when the table and row width are known;
 * otherwise flagged without a list), so adding or reordering columns cannot shift values.
 * Returns 1 when rewritten or flagged, 0 when it does not apply; never fails. */
static int rule_insert_columns(qr_edit_t *e, err_t *err)
{
    (void)err;
    PgQuery__ParseResult *tree = sqlparse_tree_mutable(e->parse);
    PgQuery__Node *st = tree && tree->n_stmts == 1 ? tree->stmts[0]->stmt : NULL;
    if (!st || st->node_case != PG_QUERY__NODE__NODE_INSERT_STMT)
        return 0;
    PgQuery__InsertStmt *ins = st->insert_stmt;
    if (ins->n_cols || !ins->relation || !ins->select_stmt ||
        ins->select_stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return 0; /* has a column list, or DEFAULT VALUES */
    const PgQuery__RangeVar *rv = ins->relation;
    const qr_table_t *t = qr_table_find(
        e->cat, rv->schemaname && *rv->schemaname ? rv->schemaname : NULL, rv->relname);
    const PgQuery__SelectStmt *src = ins->select_stmt->select_stmt;
    /* how many values a row supplies: they fill the first n columns; a * in
     * INSERT ... SELECT or a set operation hides the count */
    int nvalues = -1;
    if (src->n_values_lists > 0) {
        nvalues = (int)src->values_lists[0]->list->n_items;
        for (size_t i = 1; i < src->n_values_lists; i++)
            if ((int)src->values_lists[i]->list->n_items != nvalues)
                nvalues = -1;
    } else if (src->op == PG_QUERY__SET_OPERATION__SETOP_NONE) {
        nvalues = (int)src->n_target_list;
        for (size_t i = 0; i < src->n_target_list; i++) {
            const PgQuery__Node *v =
                src->target_list[i]->node_case == PG_QUERY__NODE__NODE_RES_TARGET
                    ? src->target_list[i]->res_target->val
                    : NULL;
            if (!v || (v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && v->column_ref->n_fields &&
                       v->column_ref->fields[v->column_ref->n_fields - 1]->node_case ==
                           PG_QUERY__NODE__NODE_A_STAR))
                nvalues = -1;
        }
    }
    json_object_set_new(e->evidence, "table", json_string(rv->relname));
    e->advice_only = 1;
    e->not_verifiable = 1;
    snprintf(e->not_verifiable_reason, sizeof e->not_verifiable_reason,
             "INSERT changes data; verify runs statements read-only");
    snprintf(e->own_method, sizeof e->own_method,
             "no speed gain: the column list protects the statement from column order changes "
             "(ALTER TABLE ... ADD/DROP COLUMN, a dump restored with another order)");
    /* the first nvalues columns in attnum order: exactly what PostgreSQL fills */
    int ncols = t ? t->ncols : 0;
    const qr_column_t **cols = xcalloc((size_t)ncols + 1, sizeof *cols);
    int n = 0;
    for (size_t i = 0; t && i < e->cat->ncolumns && n < ncols; i++) {
        const qr_column_t *c = &e->cat->columns[i];
        if (strcmp(c->table, t->name) == 0 && strcmp(c->schema, t->schema) == 0)
            cols[n++] = c;
    }
    for (int i = 1; i < n; i++) /* insertion sort by attnum: tables are small */
        for (int j = i; j > 0 && cols[j - 1]->attnum > cols[j]->attnum; j--) {
            const qr_column_t *x = cols[j];
            cols[j] = cols[j - 1];
            cols[j - 1] = x;
        }
    if (!t || nvalues <= 0 || nvalues > n) {
        free(cols);
        /* unknown table or row width: report without a column list */
        e->advice = qr_strdupf("name the target columns: INSERT INTO %s (col, ...) %s; without "
                               "them the values land in whatever the current column order is",
                               rv->relname, src->n_values_lists ? "VALUES (...)" : "SELECT ...");
        qr_change(e,
                  "Flagged INSERT INTO %s without a column list: %s, so no column list is written",
                  rv->relname,
                  !t            ? "the table is not in the snapshot"
                  : nvalues > 0 ? "it supplies more values than the snapshot has columns for it"
                                : "the number of values per row is not visible in the text");
        return 1;
    }
    char list[1024] = "";
    size_t lo = 0;
    for (int i = 0; i < nvalues; i++) {
        qr_list_append(&ins->cols, &ins->n_cols, qr_node_restarget(NULL, cols[i]->name));
        if (lo < sizeof list)
            lo +=
                (size_t)snprintf(list + lo, sizeof list - lo, "%s%s", i ? ", " : "", cols[i]->name);
    }
    free(cols);
    qr_change(e,
              "Named the target columns (%s) of INSERT INTO %s: the same columns the values "
              "fill today (the first %d by position), written out so a column order change "
              "cannot move the values",
              list, t->name, nvalues);
    e->advice = qr_strdupf("keep the column list in the application's INSERT of %s", t->name);
    json_object_set_new(e->evidence, "values_per_row", json_integer(nvalues));
    json_object_set_new(e->evidence, "table_columns", json_integer(t->ncols));
    return 1;
}

/* ---- = NULL / <> NULL ------------------------------------------------------------ */

/* qr_each_top_pred callback for null_comparison: x = NULL / x <> NULL (never true) becomes x IS
 * [NOT] NULL in *slot. Returns 1 when replaced, 0 otherwise; never fails. */
static int null_cmp_slot(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node **slot, err_t *err)
{
    (void)sc;
    (void)err;
    PgQuery__Node *n = *slot;
    if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR ||
        n->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP)
        return 0;
    PgQuery__AExpr *a = n->a_expr;
    const char *op = qr_aexpr_op(a);
    int neg = op && (strcmp(op, "<>") == 0 || strcmp(op, "!=") == 0);
    if (!op || (!neg && strcmp(op, "=") != 0))
        return 0;
    PgQuery__Node **other = is_null_const(a->rexpr)   ? &a->lexpr
                            : is_null_const(a->lexpr) ? &a->rexpr
                                                      : NULL;
    if (!other || !*other || is_null_const(*other))
        return 0;
    char *sql = qr_expr_sql(*other);
    PgQuery__Node *arg = *other;
    *other = NULL;
    /* transform_null_equals = on makes the server read "x = NULL" (only that
     * form, not <>) as x IS NULL already */
    const char *tne = setting(e->snapshot, "transform_null_equals");
    int transformed = !neg && tne && strcmp(tne, "on") == 0;
    qr_change(e, "Replaced %s %s NULL with %s IS %sNULL: %s", sql ? sql : "x", neg ? "<>" : "=",
              sql ? sql : "x", neg ? "NOT " : "",
              transformed ? "transform_null_equals is on, so the server already reads it this "
                            "way; the explicit form does not depend on that setting"
                          : "a comparison with NULL is NULL, never true, so the original "
                            "condition matches no row");
    qr_node_free(*slot);
    *slot = qr_node_nulltest(arg, neg);
    if (!transformed) {
        qr_condition(e,
                     "the rewrite changes the results on purpose: the original condition never "
                     "matches; IS %sNULL is what it was written for",
                     neg ? "NOT " : "");
        e->not_verifiable = 1;
        snprintf(e->not_verifiable_reason, sizeof e->not_verifiable_reason,
                 "the original condition never matches: the results differ by design");
    }
    json_object_set_new(e->evidence, "transform_null_equals",
                        tne ? json_string(tne) : json_string("not in the snapshot (default off)"));
    free(sql);
    return 1;
}

/* null_comparison: every = NULL / <> NULL predicate becomes IS [NOT] NULL (a correctness fix, no
 * gain claimed). Returns 1 when rewritten, 0 when none, -1 on failure (err). */
static int rule_null_comparison(qr_edit_t *e, err_t *err)
{
    int n = qr_each_top_pred(e, null_cmp_slot, err);
    if (n <= 0)
        return n;
    snprintf(e->own_method, sizeof e->own_method,
             "not a speed change: a correctness fix (the original filter is always NULL)");
    return 1;
}

/* ---- || on nullable text columns ------------------------------------------------ */

typedef struct {
    qr_edit_t *e;
    const qr_scope_t *sc;
    json_t *cols; /* evidence: the nullable columns */
    char names[512];
    size_t len;
} concat_t;

/* Records a || operand that is a nullable string column of the statement's tables (once per
 * column) in c's list and names. */
static void concat_operand(concat_t *c, const PgQuery__Node *n)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
        return;
    const qr_column_t *col = qr_resolve_local(c->sc, c->e->cat, n, NULL);
    if (!col || col->not_null || !is_text_type(col->type))
        return;
    size_t i;
    json_t *x;
    json_array_foreach(
        c->cols, i,
        x) if (strcmp(json_string_value(json_object_get(x, "column")), col->name) == 0 &&
               strcmp(json_string_value(json_object_get(x, "table")), col->table) == 0) return;
    json_t *o = json_object();
    json_object_set_new(o, "table", json_string(col->table));
    json_object_set_new(o, "column", json_string(col->name));
    json_object_set_new(o, "not_null", json_false());
    json_object_set_new(o, "null_frac",
                        col->null_frac >= 0 ? json_real(col->null_frac)
                                            : json_string("unknown (no pg_stats)"));
    json_array_append_new(c->cols, o);
    if (c->len < sizeof c->names)
        c->len += (size_t)snprintf(c->names + c->len, sizeof c->names - c->len, "%s%s.%s%s",
                                   c->len ? ", " : "", col->table, col->name,
                                   col->null_frac > 0    ? ""
                                   : col->null_frac == 0 ? " (nullable, pg_stats saw no NULL)"
                                                         : " (nullable, no pg_stats)");
}

/* sqlparse_walk visitor: hands both operands of every || to concat_operand. Always returns 0
 * (continue). */
static int concat_visit(const ProtobufCMessage *m, int depth, void *user)
{
    (void)depth;
    if (m->descriptor != &pg_query__a__expr__descriptor)
        return 0;
    const PgQuery__AExpr *a = (const PgQuery__AExpr *)m;
    const char *op = a->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP ? qr_aexpr_op(a) : NULL;
    if (op && strcmp(op, "||") == 0) {
        concat_operand(user, a->lexpr);
        concat_operand(user, a->rexpr);
    }
    return 0;
}

/* nullable_concat (advice only): || over nullable string columns in the select list or WHERE
 * yields NULL for the whole expression; explains concat()/COALESCE without rewriting, since they
 * return '' where || returns NULL. Returns 1 when flagged, 0 otherwise; never fails. */
static int rule_nullable_concat(qr_edit_t *e, err_t *err)
{
    (void)err;
    PgQuery__SelectStmt *s = e->select;
    if (!plain_select(s))
        return 0;
    qr_scope_t sc;
    qr_scope_build(&sc, e->cat, s, NULL);
    concat_t c = {e, &sc, json_array(), "", 0};
    for (size_t i = 0; i < s->n_target_list; i++)
        if (!has_subquery(s->target_list[i]))
            sqlparse_walk((const ProtobufCMessage *)s->target_list[i], concat_visit, &c);
    if (s->where_clause && !has_subquery(s->where_clause))
        sqlparse_walk((const ProtobufCMessage *)s->where_clause, concat_visit, &c);
    if (json_array_size(c.cols) == 0) {
        json_decref(c.cols);
        return 0;
    }
    json_object_set_new(e->evidence, "nullable_columns", c.cols);
    e->advice_only = 1;
    e->advice = qr_strdupf(
        "a || b is NULL when either side is NULL: use concat(a, b) or concat_ws(sep, ...) "
        "(NULL counts as ''), or COALESCE(col, '') on the nullable columns (%s)",
        c.names);
    qr_change(e,
              "Flagged || on nullable columns %s: the whole expression becomes NULL for rows "
              "where one is NULL; no SQL is rewritten because concat() returns '' there instead",
              c.names);
    qr_condition(e, "the caller wants the other parts when a column is NULL (concat/COALESCE "
                    "return a string where || returns NULL)");
    snprintf(e->own_method, sizeof e->own_method,
             "not a speed change: NULL propagation in the result");
    return 1;
}

/* ---- too many FROM items ---------------------------------------------------------- */

/* The FROM items a FROM entry contributes to the planner's join search (both sides of every JOIN;
 * a table, subquery, function or VALUES counts one). */
static int count_from_items(const PgQuery__Node *n)
{
    if (!n)
        return 0;
    if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR)
        return count_from_items(n->join_expr->larg) + count_from_items(n->join_expr->rarg);
    return 1; /* a table, subquery, function or VALUES in FROM */
}

/* too_many_joins (advice only): more FROM items than join_collapse_limit (explicit JOINs),
 * from_collapse_limit (subqueries) or geqo_threshold (genetic search), read from the snapshot's
 * settings; explains what the planner stops doing. Returns 1 when flagged, 0 otherwise; never
 * fails. */
static int rule_too_many_joins(qr_edit_t *e, err_t *err)
{
    (void)err;
    PgQuery__SelectStmt *s = e->select;
    if (!plain_select(s))
        return 0;
    int items = 0, explicit_joins = 0, subqueries = 0;
    for (size_t i = 0; i < s->n_from_clause; i++) {
        items += count_from_items(s->from_clause[i]);
        if (s->from_clause[i]->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR)
            explicit_joins = 1;
        if (has_subquery(s->from_clause[i]))
            subqueries = 1;
    }
    int jk, fk, gk;
    int join_limit = int_setting(e->snapshot, "join_collapse_limit", 8, &jk);
    int from_limit = int_setting(e->snapshot, "from_collapse_limit", 8, &fk);
    int geqo_threshold = int_setting(e->snapshot, "geqo_threshold", 12, &gk);
    const char *geqo = setting(e->snapshot, "geqo");
    int geqo_on = !geqo || strcmp(geqo, "on") == 0;
    /* a finding only when a planner limit applies: a flat FROM list below
     * geqo_threshold is searched exhaustively whatever its length */
    int over_join = explicit_joins && items > join_limit;
    int over_from = subqueries && items > from_limit;
    int over_geqo = geqo_on && items >= geqo_threshold;
    if (!over_join && !over_from && !over_geqo)
        return 0;
    json_object_set_new(e->evidence, "from_items", json_integer(items));
    json_object_set_new(e->evidence, "join_collapse_limit", json_integer(join_limit));
    json_object_set_new(e->evidence, "from_collapse_limit", json_integer(from_limit));
    json_object_set_new(e->evidence, "geqo_threshold", json_integer(geqo_threshold));
    json_object_set_new(e->evidence, "geqo", json_string(geqo ? geqo : "on (default)"));
    if (!jk || !fk || !gk)
        json_object_set_new(e->evidence, "settings_source",
                            json_string("PostgreSQL defaults: the snapshot lacks some settings"));
    char why[600];
    size_t o = 0;
    if (over_join)
        o += (size_t)snprintf(why + o, sizeof why - o,
                              "%s%d items exceed join_collapse_limit %d: the planner splits the "
                              "explicit JOINs into sub-problems and keeps the written order "
                              "between them",
                              o ? "; " : "", items, join_limit);
    if (over_from && o < sizeof why)
        o += (size_t)snprintf(why + o, sizeof why - o,
                              "%s%d items exceed from_collapse_limit %d: subqueries in FROM are "
                              "not merged into the outer join search",
                              o ? "; " : "", items, from_limit);
    if (over_geqo && o < sizeof why)
        o += (size_t)snprintf(why + o, sizeof why - o,
                              "%s%d items reach geqo_threshold %d: the genetic optimizer picks "
                              "a join order heuristically, plans can change between runs",
                              o ? "; " : "", items, geqo_threshold);
    e->advice_only = 1;
    e->advice = qr_strdupf(
        "%s. Check that the written join order is good (EXPLAIN), pre-aggregate or split the "
        "query, or raise join_collapse_limit/from_collapse_limit for this query (SET LOCAL) "
        "when planning time allows",
        why);
    qr_change(e, "Flagged %d relations in one FROM (%s): no SQL is rewritten", items, why);
    snprintf(e->own_method, sizeof e->own_method,
             "not estimated: the cost depends on the join order the planner no longer searches");
    return 1;
}

/* ---- a whole large table without WHERE or LIMIT ------------------------------- */

/* reltuples from which reading every row per call is worth a finding */
#define QR_LARGE_TABLE_ROWS 100000.0

/* Whether a select-list entry is a plain (not windowed) aggregate call, which returns one row. */
static int is_aggregate_target(const PgQuery__Node *rt)
{
    const PgQuery__Node *v =
        rt && rt->node_case == PG_QUERY__NODE__NODE_RES_TARGET ? rt->res_target->val : NULL;
    if (!v || v->node_case != PG_QUERY__NODE__NODE_FUNC_CALL || v->func_call->over)
        return 0;
    const char *fn = qr_func_name(v->func_call);
    static const char *const aggs[] = {"count",    "sum",       "min",        "max",
                                       "avg",      "array_agg", "string_agg", "json_agg",
                                       "bool_and", "bool_or"};
    for (size_t i = 0; fn && i < sizeof aggs / sizeof aggs[0]; i++)
        if (strcmp(fn, aggs[i]) == 0)
            return 1;
    return v->func_call->agg_star;
}

/* full_table_read (advice only): SELECT from one large table (>= QR_LARGE_TABLE_ROWS) without
 * WHERE, LIMIT, grouping or aggregates ships every row; the rows per call from pg_stat_statements
 * say how many. Returns 1 when flagged, 0 otherwise; never fails. */
static int rule_full_table_read(qr_edit_t *e, err_t *err)
{
    (void)err;
    PgQuery__SelectStmt *s = e->select;
    if (!plain_select(s) || s->where_clause || s->limit_count || s->n_group_clause ||
        s->having_clause || s->n_from_clause != 1 ||
        s->from_clause[0]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
        return 0;
    for (size_t i = 0; i < s->n_target_list; i++)
        if (is_aggregate_target(s->target_list[i]))
            return 0; /* one row out: a summary question, not rows shipped */
    qr_scope_t sc;
    qr_scope_build(&sc, e->cat, s, NULL);
    const qr_table_t *t = sc.n == 1 ? sc.r[0].table : NULL;
    if (!t || t->reltuples < QR_LARGE_TABLE_ROWS)
        return 0;
    const json_t *jc = json_object_get(e->stmt, "calls");
    const json_t *jr = json_object_get(e->stmt, "rows");
    double calls = json_is_number(jc) ? json_number_value(jc) : -1;
    double rows = json_is_number(jr) ? json_number_value(jr) : -1;
    json_object_set_new(e->evidence, "table_rows", json_real(t->reltuples));
    json_object_set_new(e->evidence, "table_bytes", json_integer(t->table_bytes));
    json_object_set_new(e->evidence, "threshold_rows", json_real(QR_LARGE_TABLE_ROWS));
    char per_call[120];
    if (calls > 0 && rows >= 0) {
        json_object_set_new(e->evidence, "rows_per_call", json_real(rows / calls));
        snprintf(per_call, sizeof per_call, "%.0f calls returned %.0f rows each on average", calls,
                 rows / calls);
    } else {
        json_object_set_new(e->evidence, "rows_per_call",
                            json_string("unknown: no pg_stat_statements counters"));
        snprintf(per_call, sizeof per_call, "calls and rows per call unknown");
    }
    e->advice_only = 1;
    e->advice = qr_strdupf(
        "every call reads all of %s (%.0f rows, %lld bytes) and sends them to the client; %s. "
        "Add the WHERE the caller filters on afterwards, a LIMIT with keyset paging, or an "
        "aggregate in SQL if the caller summarises",
        t->name, t->reltuples, (long long)t->table_bytes, per_call);
    qr_change(e,
              "Flagged a read of the whole table %s (%.0f rows) without WHERE or LIMIT: no SQL is "
              "rewritten, the filter only the caller knows",
              t->name, t->reltuples);
    snprintf(e->own_method, sizeof e->own_method,
             "not estimated: the saving depends on the filter the caller applies");
    return 1;
}

const qr_rule_t qr_rule_insert_columns = {"insert_without_columns", "INSERT without a column list",
                                          rule_insert_columns};
const qr_rule_t qr_rule_null_comparison = {"null_comparison", "= NULL / <> NULL -> IS [NOT] NULL",
                                           rule_null_comparison};
const qr_rule_t qr_rule_nullable_concat = {"nullable_concat", "|| on nullable columns",
                                           rule_nullable_concat};
const qr_rule_t qr_rule_too_many_joins = {"too_many_joins", "more FROM items than collapse limits",
                                          rule_too_many_joins};
const qr_rule_t qr_rule_full_table_read = {
    "full_table_read", "whole large table without WHERE or LIMIT", rule_full_table_read};
