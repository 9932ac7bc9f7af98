/* qr_rules_pred.c - rules on predicates: the WHERE and JOIN ... ON
 * conditions of the top-level SELECT, of UPDATE ... WHERE (and its FROM) and
 * DELETE ... WHERE (and its USING), and of the subqueries used as predicates
 * there (EXISTS, IN (SELECT ...)). NOT IN (subquery) -> NOT EXISTS, OR chains on
 * one column -> = ANY, long IN lists -> = ANY($n::type[]), non-sargable
 * predicates (cast/date() on an indexed timestamp -> range; a function on a
 * column -> its expression index), leading-wildcard LIKE -> pg_trgm GIN.
 * Each rule is detect + rewrite + safety proof (qr_internal.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "workers/query_rewriter/qr_rules.h"

/* ---- shared helpers ---------------------------------------------------------- */

typedef int (*slot_fn)(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node **slot, err_t *err);

static int join_quals(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node *from, slot_fn fn,
                      err_t *err);

/* The WHERE and JOIN ... ON predicates of a plain SELECT, under scope sc. */
static int select_preds(qr_edit_t *e, const qr_scope_t *sc, PgQuery__SelectStmt *s, slot_fn fn,
                        err_t *err);

/* Calls fn on every predicate slot under *slot (parents first). fn returns
 * 1 when it replaced the node (its children are not visited), 0 to go on,
 * -1 on error. A subquery used as a predicate (EXISTS, IN (SELECT ...), also
 * under NOT) is entered with its own scope whose parent is sc: its columns
 * resolve locally only (qr_resolve_local), so a correlated reference to the
 * outer query is never mistaken for an inner column. Returns the number of
 * replacements or -1. */
static int each_pred(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node **slot, slot_fn fn,
                     err_t *err)
{
    if (!slot || !*slot)
        return 0;
    int rc = fn(e, sc, slot, err);
    if (rc != 0)
        return rc;
    int total = 0;
    PgQuery__Node *n = *slot;
    if (n->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR) {
        for (size_t i = 0; i < n->bool_expr->n_args; i++) {
            int r = each_pred(e, sc, &n->bool_expr->args[i], fn, err);
            if (r < 0)
                return -1;
            total += r;
        }
    } else if (n->node_case == PG_QUERY__NODE__NODE_SUB_LINK && n->sub_link->subselect &&
               n->sub_link->subselect->node_case == PG_QUERY__NODE__NODE_SELECT_STMT &&
               (n->sub_link->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK ||
                n->sub_link->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK)) {
        PgQuery__SelectStmt *sub = n->sub_link->subselect->select_stmt;
        if (sub->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
            return 0;
        qr_scope_t inner;
        qr_scope_build(&inner, e->cat, sub, sc);
        total = select_preds(e, &inner, sub, fn, err);
    }
    return total;
}

/* each_pred over the ON conditions of a FROM item's joins (nested joins included). Returns the
 * replacements made or -1. */
static int join_quals(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node *from, slot_fn fn,
                      err_t *err)
{
    if (!from || from->node_case != PG_QUERY__NODE__NODE_JOIN_EXPR)
        return 0;
    PgQuery__JoinExpr *j = from->join_expr;
    int a = join_quals(e, sc, j->larg, fn, err);
    int b = a < 0 ? -1 : join_quals(e, sc, j->rarg, fn, err);
    int c = b < 0 ? -1 : each_pred(e, sc, &j->quals, fn, err);
    return c < 0 ? -1 : a + b + c;
}

/* each_pred over a plain SELECT's WHERE and JOIN ... ON predicates under scope sc. Returns the
 * replacements made or -1. */
static int select_preds(qr_edit_t *e, const qr_scope_t *sc, PgQuery__SelectStmt *s, slot_fn fn,
                        err_t *err)
{
    int total = each_pred(e, sc, &s->where_clause, fn, err);
    for (size_t i = 0; total >= 0 && i < s->n_from_clause; i++) {
        int r = join_quals(e, sc, s->from_clause[i], fn, err);
        total = r < 0 ? -1 : total + r;
    }
    return total;
}

/* The scope of an UPDATE (target + FROM) or DELETE (target + USING): built
 * through qr_scope_build from a SELECT that only carries those relations, so
 * name resolution is the same code as for SELECT. The target's RangeVar is
 * the statement's own (an alias set on it shows in the output). */
static void dml_scope(qr_scope_t *sc, const qr_catalog_t *cat, PgQuery__RangeVar *target,
                      PgQuery__Node **more, size_t nmore)
{
    PgQuery__Node relnode;
    pg_query__node__init(&relnode);
    relnode.node_case = PG_QUERY__NODE__NODE_RANGE_VAR;
    relnode.range_var = target;
    PgQuery__Node *from[QR_MAX_RANGES + 1];
    size_t n = 0;
    from[n++] = &relnode;
    for (size_t i = 0; i < nmore && n < QR_MAX_RANGES + 1; i++)
        from[n++] = more[i];
    PgQuery__SelectStmt fake;
    pg_query__select_stmt__init(&fake);
    fake.from_clause = from;
    fake.n_from_clause = n;
    qr_scope_build(sc, cat, &fake, NULL);
    if (nmore >= QR_MAX_RANGES)
        sc->opaque = 1;
}

/* The statement's data-changing kind, "" for SELECT (see qr_dml_kind). */
const char *qr_dml_kind(const qr_edit_t *e)
{
    const PgQuery__ParseResult *t = sqlparse_tree(e->parse);
    const PgQuery__Node *st = t && t->n_stmts == 1 ? t->stmts[0]->stmt : NULL;
    if (st && st->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT)
        return "UPDATE";
    if (st && st->node_case == PG_QUERY__NODE__NODE_DELETE_STMT)
        return "DELETE";
    return "";
}

/* UPDATE/DELETE statements change data: --verify runs statements in a READ
 * ONLY transaction, so their results cannot be compared there. */
static void mark_dml(qr_edit_t *e)
{
    const char *kind = qr_dml_kind(e);
    if (!*kind || e->not_verifiable)
        return;
    e->not_verifiable = 1;
    snprintf(e->not_verifiable_reason, sizeof e->not_verifiable_reason,
             "%s changes data; verify runs statements read-only", kind);
}

int qr_each_top_pred(qr_edit_t *e, slot_fn fn, err_t *err)
{
    PgQuery__ParseResult *t = sqlparse_tree_mutable(e->parse);
    PgQuery__Node *st = t && t->n_stmts == 1 ? t->stmts[0]->stmt : NULL;
    qr_scope_t sc;
    int total = 0;
    if (e->select) {
        PgQuery__SelectStmt *s = e->select;
        if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
            return 0;
        qr_scope_build(&sc, e->cat, s, NULL);
        return select_preds(e, &sc, s, fn, err);
    }
    if (st && st->node_case == PG_QUERY__NODE__NODE_UPDATE_STMT && st->update_stmt->relation) {
        PgQuery__UpdateStmt *u = st->update_stmt;
        dml_scope(&sc, e->cat, u->relation, u->from_clause, u->n_from_clause);
        total = each_pred(e, &sc, &u->where_clause, fn, err);
        for (size_t i = 0; total >= 0 && i < u->n_from_clause; i++) {
            int r = join_quals(e, &sc, u->from_clause[i], fn, err);
            total = r < 0 ? -1 : total + r;
        }
    } else if (st && st->node_case == PG_QUERY__NODE__NODE_DELETE_STMT &&
               st->delete_stmt->relation) {
        PgQuery__DeleteStmt *d = st->delete_stmt;
        dml_scope(&sc, e->cat, d->relation, d->using_clause, d->n_using_clause);
        total = each_pred(e, &sc, &d->where_clause, fn, err);
        for (size_t i = 0; total >= 0 && i < d->n_using_clause; i++) {
            int r = join_quals(e, &sc, d->using_clause[i], fn, err);
            total = r < 0 ? -1 : total + r;
        }
    }
    if (total > 0 || e->withheld[0])
        mark_dml(e);
    return total;
}

const char *qr_quote_ident(const char *s, char *buf, size_t len)
{
    int plain = s && *s && (islower((unsigned char)*s) || *s == '_');
    for (const char *p = s; plain && *p; p++)
        plain = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_';
    if (plain) {
        snprintf(buf, len, "%s", s);
        return buf;
    }
    size_t o = 0;
    if (o + 1 < len)
        buf[o++] = '"';
    for (const char *p = s ? s : ""; *p && o + 3 < len; p++) {
        if (*p == '"')
            buf[o++] = '"';
        buf[o++] = *p;
    }
    buf[o++] = '"';
    buf[o] = 0;
    return buf;
}

/* "schema.table" for DDL (schema omitted for public). */
static void qualified(const qr_table_t *t, char *buf, size_t len)
{
    char a[160], b[160];
    if (strcmp(t->schema, "public") == 0)
        snprintf(buf, len, "%s", qr_quote_ident(t->name, a, sizeof a));
    else
        snprintf(buf, len, "%s.%s", qr_quote_ident(t->schema, a, sizeof a),
                 qr_quote_ident(t->name, b, sizeof b));
}

/* Index names follow the index advisor's convention, idx_<table>_<keys>
 * [_trgm], cut to 63 bytes, so both agents point at the same index. */
static void index_name(const qr_table_t *t, const char *keys, const char *suffix, char *buf,
                       size_t len)
{
    char raw[256];
    snprintf(raw, sizeof raw, "idx_%s_%s%s%s", t->name, keys, suffix ? "_" : "",
             suffix ? suffix : "");
    size_t o = 0;
    for (const char *p = raw; *p && o + 1 < len && o < 63; p++)
        buf[o++] =
            (isalnum((unsigned char)*p) || *p == '_') ? (char)tolower((unsigned char)*p) : '_';
    buf[o] = 0;
}

/* ---- NOT IN (subquery) -> NOT EXISTS --------------------------------------------- */

/* 1 when the conjunction w contains "col IS NOT NULL" for a ColumnRef whose
 * last name is col. */
static int where_has_not_null(const PgQuery__Node *w, const char *col)
{
    if (!w)
        return 0;
    if (w->node_case == PG_QUERY__NODE__NODE_NULL_TEST)
        return w->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL &&
               qr_colref_last(w->null_test->arg) &&
               strcmp(qr_colref_last(w->null_test->arg), col) == 0;
    if (w->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
        w->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
        for (size_t i = 0; i < w->bool_expr->n_args; i++)
            if (where_has_not_null(w->bool_expr->args[i], col))
                return 1;
    }
    return 0;
}

/* Proves "side" never yields NULL, or records the condition / withholds.
 * Returns 0 when the rewrite may go on. */
static int prove_not_null(qr_edit_t *e, const qr_column_t *c, const char *role, int filtered)
{
    char key[300];
    snprintf(key, sizeof key, "%s.%s", c->table, c->name);
    if (c->not_null) {
        json_object_set_new(e->evidence, key, json_string("NOT NULL constraint"));
        return 0;
    }
    if (filtered) {
        json_object_set_new(e->evidence, key,
                            json_string("filtered by IS NOT NULL in the subquery"));
        return 0;
    }
    if (c->null_frac > 0) {
        qr_withhold(e,
                    "%s %s.%s is nullable and pg_stats shows NULLs (null_frac %.4g): NOT IN "
                    "returns no row where NOT EXISTS returns some, so the rewrite would change "
                    "results",
                    role, c->table, c->name, c->null_frac);
        return -1;
    }
    json_object_set_new(e->evidence, key,
                        json_string(c->null_frac == 0 ? "nullable, pg_stats null_frac 0"
                                                      : "nullable, no pg_stats"));
    qr_condition(e, "%s.%s is never NULL (no NOT NULL constraint; %s)", c->table, c->name,
                 c->null_frac == 0 ? "pg_stats saw no NULL" : "no pg_stats for it");
    return 0;
}

/* qr_each_top_pred callback for not_in_to_not_exists: col NOT IN (SELECT col2 FROM t ...) becomes
 * NOT EXISTS (SELECT 1 FROM t WHERE inner = outer ...) in *slot, once both columns are proven NOT
 * NULL (NOT IN with a NULL is never true). Returns 1 when replaced or withheld, 0 otherwise; never
 * fails. */
static int not_in_slot(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node **slot, err_t *err)
{
    (void)err;
    PgQuery__Node *n = *slot;
    if (n->node_case != PG_QUERY__NODE__NODE_BOOL_EXPR ||
        n->bool_expr->boolop != PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR || n->bool_expr->n_args != 1)
        return 0;
    PgQuery__Node *a = n->bool_expr->args[0];
    if (!a || a->node_case != PG_QUERY__NODE__NODE_SUB_LINK)
        return 0;
    PgQuery__SubLink *sl = a->sub_link;
    if (sl->sub_link_type != PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK || !sl->subselect ||
        sl->subselect->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return 0;
    if (sl->n_oper_name > 0) {
        const PgQuery__Node *op = sl->oper_name[sl->n_oper_name - 1];
        if (op->node_case != PG_QUERY__NODE__NODE_STRING || strcmp(op->string->sval, "=") != 0)
            return 0; /* x <op> ALL/ANY other than = */
    }
    PgQuery__SelectStmt *sub = sl->subselect->select_stmt;
    if (sub->op != PG_QUERY__SET_OPERATION__SETOP_NONE || sub->n_target_list != 1 ||
        sub->n_group_clause || sub->having_clause || sub->limit_count || sub->limit_offset ||
        sub->n_from_clause != 1 || sub->from_clause[0]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
        return 0;
    PgQuery__Node *tv = sub->target_list[0]->res_target->val;
    int orange = -1, irange = -1;
    const qr_column_t *outer = qr_resolve_local(sc, e->cat, sl->testexpr, &orange);
    qr_scope_t isc;
    qr_scope_build(&isc, e->cat, sub, sc);
    const qr_column_t *inner = qr_resolve_local(&isc, e->cat, tv, &irange);
    if (!outer || !inner)
        return 0;
    char desc[600];
    snprintf(desc, sizeof desc, "%s.%s NOT IN (SELECT %s.%s ...)", outer->table, outer->name,
             inner->table, inner->name);
    json_object_set_new(e->evidence, "pattern", json_string(desc));
    if (prove_not_null(e, outer, "the outer column", 0) != 0 ||
        prove_not_null(e, inner, "the subquery's column",
                       where_has_not_null(sub->where_clause, inner->name)) != 0)
        return 1; /* withheld: stop, the driver reports it */
    /* qualify both sides; give the inner relation its own name when both
     * sides use the same one, so "inner = outer" cannot be captured */
    const char *oref = sc->r[orange].refname;
    PgQuery__RangeVar *irv = isc.r[irange].rv;
    const char *iref = isc.r[irange].refname;
    char alias[200];
    if (strcmp(oref, iref) == 0) {
        if (irv->alias)
            return 0; /* the user's own alias clashes: leave it */
        snprintf(alias, sizeof alias, "%s_sub", irv->relname);
        PgQuery__Alias *al = xcalloc(1, sizeof *al);
        pg_query__alias__init(al);
        al->aliasname = xstrdup(alias);
        irv->alias = al;
        iref = alias;
        qr_change(e,
                  "Gave the subquery's %s the alias %s so its columns cannot be confused with "
                  "the outer query's",
                  irv->relname, alias);
    }
    PgQuery__Node *cond =
        qr_node_aexpr(PG_QUERY__A__EXPR__KIND__AEXPR_OP, "=", qr_node_colref2(iref, inner->name),
                      qr_node_colref2(oref, outer->name));
    sub->where_clause = qr_node_and(sub->where_clause, cond);
    qr_node_free(sub->target_list[0]);
    sub->target_list[0] = qr_node_restarget(qr_node_int(1), NULL);
    sl->sub_link_type = PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK;
    qr_node_free(sl->testexpr);
    sl->testexpr = NULL;
    for (size_t i = 0; i < sl->n_oper_name; i++)
        qr_node_free(sl->oper_name[i]);
    free(sl->oper_name);
    sl->oper_name = NULL;
    sl->n_oper_name = 0;
    qr_change(
        e,
        "Replaced %s.%s NOT IN (SELECT %s ...) with NOT EXISTS (SELECT 1 ... WHERE %s.%s = %s.%s)",
        oref, outer->name, inner->name, iref, inner->name, oref, outer->name);
    return 1;
}

/* not_in_to_not_exists: every NOT IN (subquery) predicate that can be proven NULL-free becomes NOT
 * EXISTS. Returns 1 when rewritten or withheld, 0 when none, -1 on failure (err). */
static int rule_not_in(qr_edit_t *e, err_t *err)
{
    int n = qr_each_top_pred(e, not_in_slot, err);
    if (n > 0 && !e->withheld[0])
        snprintf(e->own_method, sizeof e->own_method,
                 "NOT IN over a subquery whose result does not fit in work_mem (%.0f kB) is a "
                 "plain SubPlan rescanned per outer row; NOT EXISTS plans as a hash anti-join",
                 e->cat->work_mem_kb);
    return n > 0 || e->withheld[0] ? 1 : n;
}

/* ---- OR chain on one column -> = ANY(ARRAY[...]) ---------------------------------- */

/* Whether two ColumnRefs are written the same (same qualification and names). */
static int same_colref(const PgQuery__Node *a, const PgQuery__Node *b)
{
    if (!a || !b || a->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
        b->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
        return 0;
    const PgQuery__ColumnRef *x = a->column_ref, *y = b->column_ref;
    if (x->n_fields != y->n_fields)
        return 0;
    for (size_t i = 0; i < x->n_fields; i++) {
        const char *p = x->fields[i]->node_case == PG_QUERY__NODE__NODE_STRING
                            ? x->fields[i]->string->sval
                            : NULL;
        const char *q = y->fields[i]->node_case == PG_QUERY__NODE__NODE_STRING
                            ? y->fields[i]->string->sval
                            : NULL;
        if (!p || !q || strcmp(p, q) != 0)
            return 0;
    }
    return 1;
}

/* Whether a node is a value: a parameter or a non-NULL constant, possibly under casts. */
static int is_value(const PgQuery__Node *n)
{
    if (!n)
        return 0;
    if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        return is_value(n->type_cast->arg);
    return n->node_case == PG_QUERY__NODE__NODE_PARAM_REF ||
           (n->node_case == PG_QUERY__NODE__NODE_A_CONST && !n->a_const->isnull);
}

/* col = value (either side); returns the column side and the value side. */
static int eq_col_value(const PgQuery__Node *n, PgQuery__Node **col, PgQuery__Node **val)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_A_EXPR)
        return 0;
    const PgQuery__AExpr *a = n->a_expr;
    if (a->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !qr_aexpr_op(a) ||
        strcmp(qr_aexpr_op(a), "="))
        return 0;
    if (a->lexpr && a->lexpr->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && is_value(a->rexpr)) {
        *col = a->lexpr;
        *val = a->rexpr;
        return 1;
    }
    if (a->rexpr && a->rexpr->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && is_value(a->lexpr)) {
        *col = a->rexpr;
        *val = a->lexpr;
        return 1;
    }
    return 0;
}

/* qr_each_top_pred callback for or_to_any: an OR whose branches compare one column with values
 * (col = v1 OR col = v2 ...) becomes col = ANY(ARRAY[v1, v2, ...]) in *slot, the other branches
 * kept. Returns 1 when replaced, 0 otherwise; never fails. */
static int or_slot(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node **slot, err_t *err)
{
    (void)err;
    PgQuery__Node *n = *slot;
    if (n->node_case != PG_QUERY__NODE__NODE_BOOL_EXPR ||
        n->bool_expr->boolop != PG_QUERY__BOOL_EXPR_TYPE__OR_EXPR)
        return 0;
    PgQuery__BoolExpr *b = n->bool_expr;
    /* the column with the most equalities in this OR */
    size_t best = 0, best_count = 0;
    for (size_t i = 0; i < b->n_args; i++) {
        PgQuery__Node *c, *v;
        if (!eq_col_value(b->args[i], &c, &v))
            continue;
        size_t count = 0;
        for (size_t j = 0; j < b->n_args; j++) {
            PgQuery__Node *c2, *v2;
            if (eq_col_value(b->args[j], &c2, &v2) && same_colref(c, c2))
                count++;
        }
        if (count > best_count) {
            best_count = count;
            best = i;
        }
    }
    if (best_count < 2)
        return 0;
    PgQuery__Node *col, *val;
    eq_col_value(b->args[best], &col, &val);
    PgQuery__Node *colcopy = qr_node_copy(col);
    PgQuery__Node **elems = xcalloc(best_count, sizeof *elems);
    PgQuery__Node **rest = xcalloc(b->n_args, sizeof *rest);
    size_t ne = 0, nr = 0;
    for (size_t j = 0; j < b->n_args; j++) {
        PgQuery__Node *c2, *v2;
        if (eq_col_value(b->args[j], &c2, &v2) && same_colref(colcopy, c2)) {
            PgQuery__AExpr *a = b->args[j]->a_expr;
            /* detach the value, free the comparison */
            if (a->lexpr == v2)
                a->lexpr = NULL;
            else
                a->rexpr = NULL;
            elems[ne++] = v2;
            qr_node_free(b->args[j]);
        } else {
            rest[nr++] = b->args[j];
        }
    }
    PgQuery__Node *any = qr_node_aexpr(PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY, "=", colcopy,
                                       qr_node_array(elems, ne));
    free(elems);
    char *cs = qr_expr_sql(colcopy);
    const qr_column_t *c = qr_resolve_local(sc, e->cat, colcopy, NULL);
    if (nr == 0) {
        free(b->args);
        b->args = NULL;
        b->n_args = 0;
        qr_node_free(n);
        *slot = any;
        free(rest);
    } else {
        rest[nr++] = any;
        free(b->args);
        b->args = rest;
        b->n_args = nr;
    }
    qr_change(e,
              "Replaced %zu OR-ed equalities on %s with %s = ANY(ARRAY[...]) (same three-valued "
              "result: NULL elements behave as in the OR)",
              ne, cs ? cs : "the column", cs ? cs : "the column");
    if (c) {
        const qr_index_t *x =
            qr_index_leading(e->cat, qr_table_find(e->cat, c->schema, c->table), c->name, NULL);
        json_object_set_new(e->evidence, "index", x ? json_string(x->name) : json_null());
    }
    free(cs);
    return 1;
}

/* or_to_any: OR chains of equalities on one column become = ANY. Returns 1 when rewritten, 0 when
 * none, -1 on failure (err). */
static int rule_or_any(qr_edit_t *e, err_t *err)
{
    int n = qr_each_top_pred(e, or_slot, err);
    if (n > 0)
        snprintf(e->own_method, sizeof e->own_method,
                 "one index scan with an array of keys instead of a BitmapOr of one scan per "
                 "OR branch");
    return n > 0 ? 1 : n;
}

/* ---- long IN list -> = ANY($n::type[]) ------------------------------------------- */

#define QR_IN_LIST_MIN 10

typedef struct {
    int from, to; /* $from..$to collapse into $from */
} renumber_t;

/* sqlparse_walk visitor: parameters numbered after a folded list move down by the list's length
 * minus one. Always returns 0 (continue). */
static int renumber_visit(const ProtobufCMessage *m, int depth, void *user)
{
    (void)depth;
    if (m->descriptor == &pg_query__param_ref__descriptor) {
        renumber_t *r = user;
        PgQuery__ParamRef *p = (PgQuery__ParamRef *)m;
        if (p->number > r->to)
            p->number -= r->to - r->from;
    }
    return 0;
}

/* qr_each_top_pred callback for in_list_to_array_param: col IN ($a, $a+1, ..., $b) with at least
 * QR_IN_LIST_MIN consecutive parameters becomes col = ANY($a::type[]) in *slot, the later
 * parameters renumbered (one list per statement). Returns 1 when replaced or withheld (the
 * column's type is unknown), 0 otherwise; never fails. */
static int in_list_slot(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node **slot, err_t *err)
{
    (void)err;
    PgQuery__Node *n = *slot;
    if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR ||
        n->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_IN)
        return 0;
    PgQuery__AExpr *a = n->a_expr;
    if (!a->rexpr || a->rexpr->node_case != PG_QUERY__NODE__NODE_LIST || e->nparams)
        return 0; /* one list per statement: renumbering twice would be hard to read */
    PgQuery__List *l = a->rexpr->list;
    if (l->n_items < QR_IN_LIST_MIN)
        return 0;
    int first = 0, prev = 0;
    for (size_t i = 0; i < l->n_items; i++) {
        int num;
        if (!qr_is_param(l->items[i], &num) ||
            l->items[i]->node_case != PG_QUERY__NODE__NODE_PARAM_REF)
            return 0; /* literal lists are left alone: they are already one text */
        if (i == 0)
            first = num;
        else if (num != prev + 1)
            return 0;
        prev = num;
    }
    const qr_column_t *c = qr_resolve_local(sc, e->cat, a->lexpr, NULL);
    if (!c) {
        char *s = qr_expr_sql(a->lexpr);
        qr_withhold(e,
                    "the element type of %s is not known from the catalog, so the array "
                    "parameter's type cannot be written",
                    s ? s : "the IN list's left side");
        free(s);
        return 1;
    }
    int is_not = qr_aexpr_op(a) && strcmp(qr_aexpr_op(a), "<>") == 0;
    int max = qr_max_param((const ProtobufCMessage *)sqlparse_tree(e->parse));
    int last = prev;
    char type[300];
    snprintf(type, sizeof type, "%s[]", c->type);
    PgQuery__Node *arr = qr_node_cast(qr_node_param(first), type);
    PgQuery__Node *lexpr = a->lexpr;
    size_t nitems = l->n_items;
    a->lexpr = NULL;
    qr_node_free(n); /* frees l too */
    *slot = qr_node_aexpr(is_not ? PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL
                                 : PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY,
                          is_not ? "<>" : "=", lexpr, arr);
    renumber_t r = {first, last};
    sqlparse_walk((const ProtobufCMessage *)sqlparse_tree(e->parse), renumber_visit, &r);
    /* parameter map: $1..$first-1 unchanged, $first = array of $first..$last,
     * later ones shift down */
    int nnew = max - (last - first);
    for (int k = 1; k <= nnew && k <= QR_MAX_PARAMS; k++) {
        qr_param_src_t *p = &e->params[k - 1];
        if (k < first) {
            p->kind = QR_PARAM_SAME;
            p->src = k;
        } else if (k == first) {
            p->kind = QR_PARAM_ARRAY;
            p->src = first;
            p->src_end = last;
        } else {
            p->kind = QR_PARAM_SAME;
            p->src = k + (last - first);
        }
    }
    e->nparams = nnew < QR_MAX_PARAMS ? nnew : QR_MAX_PARAMS;
    qr_change(e,
              "Replaced %s.%s %s ($%d, ..., $%d) (%zu parameters) with %s = %s($%d::%s): one "
              "statement text, one plan and one pg_stat_statements entry for every list length",
              c->table, c->name, is_not ? "NOT IN" : "IN", first, last, nitems, c->name,
              is_not ? "<> ALL" : "ANY", first, type);
    if (max == last + 1)
        qr_change(e, "Parameter $%d after the list becomes $%d", max, first + 1);
    else if (max > last)
        qr_change(e, "Parameters $%d..$%d after the list become $%d..$%d", last + 1, max, first + 1,
                  nnew);
    json_object_set_new(e->evidence, "list_length", json_integer((json_int_t)nitems));
    json_object_set_new(e->evidence, "element_type", json_string(c->type));
    return 1;
}

/* in_list_to_array_param: a long IN list of parameters becomes one array parameter. Returns 1 when
 * rewritten or withheld, 0 when none, -1 on failure (err). */
static int rule_in_list(qr_edit_t *e, err_t *err)
{
    int n = qr_each_top_pred(e, in_list_slot, err);
    if (n > 0 && !e->withheld[0])
        snprintf(e->own_method, sizeof e->own_method,
                 "planning and parse work for %d+ separate parameters per call; "
                 "PostgreSQL 15's pg_stat_statements and plan cache keep one entry per list length",
                 QR_IN_LIST_MIN);
    return n > 0 ? 1 : n;
}

/* ---- non-sargable predicates --------------------------------------------------- */

static int is_timestamp_type(const char *t)
{
    return t && (strncmp(t, "timestamp", 9) == 0);
}

/* col::date or date(col) -> the column node (else NULL). */
static PgQuery__Node *date_of_column(PgQuery__Node *n)
{
    if (!n)
        return NULL;
    if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && n->type_cast->type_name &&
        n->type_cast->arg && n->type_cast->arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
        PgQuery__TypeName *tn = n->type_cast->type_name;
        const PgQuery__Node *last = tn->n_names ? tn->names[tn->n_names - 1] : NULL;
        if (last && last->node_case == PG_QUERY__NODE__NODE_STRING &&
            strcmp(last->string->sval, "date") == 0 && tn->n_array_bounds == 0)
            return n->type_cast->arg;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_FUNC_CALL && qr_func_name(n->func_call) &&
        strcmp(qr_func_name(n->func_call), "date") == 0 && n->func_call->n_args == 1 &&
        n->func_call->args[0]->node_case == PG_QUERY__NODE__NODE_COLUMN_REF)
        return n->func_call->args[0];
    return NULL;
}

/* Functions whose result an expression index can hold (immutable ones). */
static int indexable_function(const char *f)
{
    static const char *const fns[] = {"lower", "upper",    "btrim",  "trim", "md5",
                                      "abs",   "coalesce", "substr", "left"};
    for (size_t i = 0; f && i < sizeof fns / sizeof fns[0]; i++)
        if (strcasecmp(f, fns[i]) == 0)
            return 1;
    return 0;
}

/* qr_each_top_pred callback for non_sargable_predicate: col::date = v (or date(col) = v) on an
 * indexed timestamp column becomes a range on the column in *slot; f(col) = v gets an expression
 * index as advice. Returns 1 when replaced or advised, 0 otherwise; never fails. */
static int sarg_slot(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node **slot, err_t *err)
{
    (void)err;
    PgQuery__Node *n = *slot;
    if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR ||
        n->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP)
        return 0;
    PgQuery__AExpr *a = n->a_expr;
    const char *op = qr_aexpr_op(a);
    if (!op || strcmp(op, "=") != 0 || !is_value(a->rexpr))
        return 0;
    /* (1) col::date = v / date(col) = v on a timestamp column with an index */
    PgQuery__Node *colnode = date_of_column(a->lexpr);
    if (colnode) {
        int range = -1;
        const qr_column_t *c = qr_resolve_local(sc, e->cat, colnode, &range);
        if (!c || !is_timestamp_type(c->type))
            return 0;
        const qr_table_t *t = qr_table_find(e->cat, c->schema, c->table);
        const qr_index_t *x = qr_index_leading(e->cat, t, c->name, "btree");
        if (!x)
            return 0; /* nothing to make usable: that is the index advisor's question */
        const char *ref = sc->r[range].refname;
        PgQuery__Node *lo = qr_node_cast(qr_node_copy(a->rexpr), "date");
        PgQuery__Node *hi =
            qr_node_aexpr(PG_QUERY__A__EXPR__KIND__AEXPR_OP, "+",
                          qr_node_cast(qr_node_copy(a->rexpr), "date"), qr_node_int(1));
        PgQuery__Node *args[2] = {
            qr_node_aexpr(PG_QUERY__A__EXPR__KIND__AEXPR_OP, ">=", qr_node_colref2(ref, c->name),
                          lo),
            qr_node_aexpr(PG_QUERY__A__EXPR__KIND__AEXPR_OP, "<", qr_node_colref2(ref, c->name),
                          hi),
        };
        char *vs = qr_expr_sql(a->rexpr);
        qr_node_free(n);
        *slot = qr_node_bool(PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR, args, 2);
        qr_change(e,
                  "Replaced the cast of %s.%s to date (not sargable: index %s cannot be used) "
                  "with the range %s >= %s::date AND %s < %s::date + 1",
                  ref, c->name, x->name, c->name, vs ? vs : "v", c->name, vs ? vs : "v");
        json_object_set_new(e->evidence, "index", json_string(x->name));
        json_object_set_new(e->evidence, "column_type", json_string(c->type));
        free(vs);
        return 1;
    }
    /* (2) f(col) = v: point at the expression index */
    if (a->lexpr && a->lexpr->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
        indexable_function(qr_func_name(a->lexpr->func_call)) && a->lexpr->func_call->n_args >= 1 &&
        a->lexpr->func_call->args[0]->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && !e->advice) {
        int range = -1;
        const qr_column_t *c = qr_resolve_local(sc, e->cat, a->lexpr->func_call->args[0], &range);
        if (!c)
            return 0;
        const qr_table_t *t = qr_table_find(e->cat, c->schema, c->table);
        /* the expression as written, with the column unqualified */
        PgQuery__Node *expr = qr_node_copy(a->lexpr);
        qr_node_free(expr->func_call->args[0]);
        expr->func_call->args[0] = qr_node_colref2(NULL, c->name);
        char *es = qr_expr_sql(expr);
        qr_node_free(expr);
        if (!es)
            return 0;
        const qr_index_t *have = qr_index_expression(e->cat, t, es);
        if (have) {
            free(es);
            return 0; /* already served */
        }
        char name[128], keys[200], tq[330];
        snprintf(keys, sizeof keys, "%s_%s", qr_func_name(a->lexpr->func_call), c->name);
        index_name(t, keys, NULL, name, sizeof name);
        qualified(t, tq, sizeof tq);
        e->advice_only = 1;
        e->advice = qr_strdupf("CREATE INDEX CONCURRENTLY %s ON %s (%s);", name, tq, es);
        e->hypo_index = qr_strdupf("CREATE INDEX %s ON %s (%s)", name, tq, es);
        const qr_index_t *plain = qr_index_leading(e->cat, t, c->name, NULL);
        qr_change(e,
                  "%s(%s) = ... cannot use %s; an expression index on %s makes the predicate "
                  "sargable without changing the query: %s",
                  qr_func_name(a->lexpr->func_call), c->name,
                  plain ? plain->name : "a plain index on the column", es, e->advice);
        json_object_set_new(e->evidence, "expression", json_string(es));
        json_object_set_new(e->evidence, "plain_index",
                            plain ? json_string(plain->name) : json_null());
        free(es);
        return 1;
    }
    return 0;
}

/* non_sargable_predicate: functions and casts on indexed columns, rewritten as a range or advised
 * as an expression index. Returns 1 when rewritten or advised, 0 when none, -1 on failure (err). */
static int rule_sargable(qr_edit_t *e, err_t *err)
{
    int n = qr_each_top_pred(e, sarg_slot, err);
    if (n > 0)
        snprintf(e->own_method, sizeof e->own_method,
                 "an index range scan over the matching rows instead of a scan that evaluates "
                 "the expression on every row");
    return n > 0 ? 1 : n;
}

/* ---- leading-wildcard LIKE -> pg_trgm GIN ------------------------------------- */

/* A pattern that begins with a wildcard: a literal '%...'/'_...', or
 * '%' || something. Parameters alone cannot be judged. */
static int leading_wildcard(const PgQuery__Node *p)
{
    if (!p)
        return 0;
    if (p->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        return leading_wildcard(p->type_cast->arg);
    if (p->node_case == PG_QUERY__NODE__NODE_A_CONST &&
        p->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL)
        return p->a_const->sval->sval &&
               (p->a_const->sval->sval[0] == '%' || p->a_const->sval->sval[0] == '_');
    if (p->node_case == PG_QUERY__NODE__NODE_A_EXPR && qr_aexpr_op(p->a_expr) &&
        strcmp(qr_aexpr_op(p->a_expr), "||") == 0)
        return leading_wildcard(p->a_expr->lexpr);
    if (p->node_case == PG_QUERY__NODE__NODE_FUNC_CALL && qr_func_name(p->func_call) &&
        strcmp(qr_func_name(p->func_call), "concat") == 0 && p->func_call->n_args)
        return leading_wildcard(p->func_call->args[0]);
    return 0;
}

/* qr_each_top_pred callback for leading_wildcard_like: col LIKE/ILIKE '%...' on a column without a
 * trigram index gets a pg_trgm GIN index as advice (the predicate is unchanged). Returns 1 when
 * advised, 0 otherwise; never fails. */
static int like_slot(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node **slot, err_t *err)
{
    (void)err;
    PgQuery__Node *n = *slot;
    if (e->advice || n->node_case != PG_QUERY__NODE__NODE_A_EXPR ||
        (n->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_LIKE &&
         n->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE))
        return 0;
    PgQuery__AExpr *a = n->a_expr;
    if (!leading_wildcard(a->rexpr))
        return 0;
    const qr_column_t *c = qr_resolve_local(sc, e->cat, a->lexpr, NULL);
    if (!c)
        return 0;
    const qr_table_t *t = qr_table_find(e->cat, c->schema, c->table);
    for (size_t i = 0; i < e->cat->nindexes; i++) {
        const qr_index_t *x = &e->cat->indexes[i];
        if (strcmp(x->table, t->name) == 0 && strcmp(x->schema, t->schema) == 0 && x->is_valid &&
            (strcmp(x->method, "gin") == 0 || strcmp(x->method, "gist") == 0) &&
            strstr(x->definition, "trgm_ops") && x->ncols && strcmp(x->cols[0], c->name) == 0)
            return 0; /* served by a trigram index already */
    }
    char name[128], tq[330], col[160];
    index_name(t, c->name, "trgm", name, sizeof name);
    qualified(t, tq, sizeof tq);
    e->advice_only = 1;
    e->advice = qr_strdupf("CREATE INDEX CONCURRENTLY %s ON %s USING gin (%s gin_trgm_ops);", name,
                           tq, qr_quote_ident(c->name, col, sizeof col));
    qr_change(e,
              "%s %s a pattern starting with a wildcard: a btree cannot serve it, every call "
              "reads all of %s (%.0f rows, %lld pages); a pg_trgm GIN index can (the index "
              "advisor's candidate %s): %s",
              c->name, a->kind == PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE ? "ILIKE" : "LIKE", t->name,
              t->reltuples, (long long)t->relpages, name, e->advice);
    json_object_set_new(e->evidence, "index_advisor_candidate", json_string(name));
    json_object_set_new(e->evidence, "table_pages", json_integer(t->relpages));
    return 1;
}

/* leading_wildcard_like: advises a trigram index for a leading-wildcard LIKE, with the condition
 * that pg_trgm is installed when the snapshot's extension list lacks it. Returns 1 when advised, 0
 * when none, -1 on failure (err). */
static int rule_like(qr_edit_t *e, err_t *err)
{
    int n = qr_each_top_pred(e, like_slot, err);
    if (n > 0) {
        snprintf(e->own_method, sizeof e->own_method,
                 "not estimated: hypopg cannot simulate GIN indexes, and the pattern's "
                 "selectivity is not in pg_stats");
        const json_t *exts = json_object_get(json_object_get(e->snapshot, "meta"), "extensions");
        int have = 0;
        size_t i;
        const json_t *x;
        json_array_foreach(exts, i, x)
        {
            const char *nm = json_string_value(json_object_get(x, "name"));
            have |= nm && strcmp(nm, "pg_trgm") == 0;
        }
        if (!have)
            qr_condition(e, "the pg_trgm extension is installed (CREATE EXTENSION pg_trgm; it is "
                            "not in this database's extension list)");
    }
    return n > 0 ? 1 : n;
}

/* ---- casts that defeat an index ------------------------------------------------ */

/* Type families as far as index use goes. Within the integer family and
 * within the date/time family the btree operator families have cross-type
 * operators (int4 = int8, timestamp = timestamptz), so a value of another
 * member leaves the column alone; across families PostgreSQL resolves the
 * operator by casting one side, and when that side is the column the index
 * on it cannot be used (measured on PostgreSQL 15: int = 1.0 and
 * int = $1::numeric, int = float8, numeric = float8, character = text,
 * varchar = character all plan a Seq Scan with the column cast). */
typedef enum {
    TY_OTHER = 0,
    TY_INT,
    TY_NUMERIC,
    TY_FLOAT,
    TY_BPCHAR,
    TY_VARCHAR,
    TY_TEXT,
    TY_TS,
    TY_TSTZ,
    TY_DATE
} ty_t;

/* A type as format_type() prints it (the snapshot's column types). rank
 * orders the integer types (1 smallint, 2 integer, 3 bigint). */
static ty_t catalog_type(const char *t, int *rank)
{
    *rank = 0;
    if (!t)
        return TY_OTHER;
    if (strcmp(t, "smallint") == 0)
        return *rank = 1, TY_INT;
    if (strcmp(t, "integer") == 0)
        return *rank = 2, TY_INT;
    if (strcmp(t, "bigint") == 0)
        return *rank = 3, TY_INT;
    if (strncmp(t, "numeric", 7) == 0)
        return TY_NUMERIC;
    if (strcmp(t, "real") == 0 || strcmp(t, "double precision") == 0)
        return TY_FLOAT;
    if (strncmp(t, "character varying", 17) == 0)
        return TY_VARCHAR;
    if (strncmp(t, "character", 9) == 0 || strcmp(t, "bpchar") == 0)
        return TY_BPCHAR;
    if (strcmp(t, "text") == 0)
        return TY_TEXT;
    if (strncmp(t, "timestamp", 9) == 0)
        return strstr(t, "with time zone") && !strstr(t, "without") ? TY_TSTZ : TY_TS;
    if (strcmp(t, "date") == 0)
        return TY_DATE;
    return TY_OTHER;
}

/* A cast's type name as the parser builds it (pg_catalog.int4, ...). */
static ty_t cast_type(const PgQuery__TypeName *tn, int *rank)
{
    *rank = 0;
    if (!tn || tn->n_array_bounds || tn->n_names == 0)
        return TY_OTHER;
    const PgQuery__Node *last = tn->names[tn->n_names - 1];
    if (!last || last->node_case != PG_QUERY__NODE__NODE_STRING)
        return TY_OTHER;
    const char *n = last->string->sval;
    static const struct {
        const char *name;
        ty_t ty;
        int rank;
    } map[] = {
        {"int2", TY_INT, 1},      {"smallint", TY_INT, 1},    {"int4", TY_INT, 2},
        {"int", TY_INT, 2},       {"integer", TY_INT, 2},     {"int8", TY_INT, 3},
        {"bigint", TY_INT, 3},    {"numeric", TY_NUMERIC, 0}, {"decimal", TY_NUMERIC, 0},
        {"float4", TY_FLOAT, 0},  {"float8", TY_FLOAT, 0},    {"real", TY_FLOAT, 0},
        {"bpchar", TY_BPCHAR, 0}, {"char", TY_BPCHAR, 0},     {"varchar", TY_VARCHAR, 0},
        {"text", TY_TEXT, 0},     {"timestamp", TY_TS, 0},    {"timestamptz", TY_TSTZ, 0},
        {"date", TY_DATE, 0},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(n, map[i].name) == 0)
            return *rank = map[i].rank, map[i].ty;
    return TY_OTHER;
}

/* The type as SQL, format_type()'s spelling (pg_get_indexdef prints casts
 * in expression indexes the same way). Lengths and typmods are left out on
 * purpose: a value cast to character(8) or numeric(10,2) would be cut or
 * rounded. */
static const char *type_sql(ty_t ty, int rank)
{
    switch (ty) {
    case TY_INT:
        return rank == 1 ? "smallint" : rank == 3 ? "bigint" : "integer";
    case TY_NUMERIC:
        return "numeric";
    case TY_FLOAT:
        return "double precision";
    case TY_BPCHAR:
        return "bpchar";
    case TY_VARCHAR:
        return "character varying";
    case TY_TEXT:
        return "text";
    case TY_TS:
        return "timestamp without time zone";
    case TY_TSTZ:
        return "timestamp with time zone";
    case TY_DATE:
        return "date";
    default:
        return "?";
    }
}

/* What the value side of a comparison is. */
typedef struct {
    ty_t ty; /* TY_OTHER: untyped (a bare $n or a quoted literal adopts the column's type) */
    int rank;
    PgQuery__Node *inner;  /* the parameter or constant under any casts */
    const char *literal;   /* the constant's text (numbers and strings), NULL for $n */
    int literal_is_string; /* 'x' rather than 1 or 1.5 */
    char ibuf[32];         /* an integer constant's text */
} value_t;

/* What the value side of a comparison is (v): its type from the outermost cast or from the
 * constant (1.0 numeric, 1 integer, 'x' untyped), the constant's text, and the node under the
 * casts. */
static void value_of(PgQuery__Node *n, value_t *v)
{
    memset(v, 0, sizeof *v);
    if (n && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        v->ty = cast_type(n->type_cast->type_name, &v->rank);
    while (n && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        n = n->type_cast->arg;
    v->inner = n;
    if (!n || n->node_case != PG_QUERY__NODE__NODE_A_CONST)
        return;
    const PgQuery__AConst *c = n->a_const;
    if (c->val_case == PG_QUERY__A__CONST__VAL_FVAL && c->fval) {
        v->literal = c->fval->fval;
        if (v->ty == TY_OTHER)
            v->ty = TY_NUMERIC; /* 1.0 is numeric in PostgreSQL */
    } else if (c->val_case == PG_QUERY__A__CONST__VAL_IVAL && c->ival) {
        snprintf(v->ibuf, sizeof v->ibuf, "%d", c->ival->ival);
        v->literal = v->ibuf;
        if (v->ty == TY_OTHER)
            v->ty = TY_INT, v->rank = 2;
    } else if (c->val_case == PG_QUERY__A__CONST__VAL_SVAL && c->sval) {
        v->literal = c->sval->sval;
        v->literal_is_string = 1;
    }
}

/* A decimal literal ([+-]digits[.digits], no exponent) split into its
 * floor and ceiling; 0 when the text is not such a number or the integer
 * part does not fit in 64 bits. */
static int decimal_bounds(const char *s, long long *floor_v, long long *ceil_v, int *integral)
{
    if (!s)
        return 0;
    const char *p = s;
    while (*p == ' ')
        p++;
    int neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1])))
        return 0;
    long long ip = 0;
    for (; isdigit((unsigned char)*p); p++) {
        int d = *p - '0';
        if (ip > (9223372036854775807LL - d) / 10)
            return 0;
        ip = ip * 10 + d;
    }
    int frac = 0;
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++)
            frac |= *p != '0';
    }
    while (*p == ' ')
        p++;
    if (*p)
        return 0; /* exponent or garbage: not judged */
    *integral = !frac;
    if (neg) {
        *ceil_v = -ip;
        *floor_v = frac ? -ip - 1 : -ip;
    } else {
        *floor_v = ip;
        *ceil_v = frac ? ip + 1 : ip;
    }
    return 1;
}

/* Whether v fits in the integer type of rank (1 smallint, 2 integer, 3 bigint). */
static int in_int_range(long long v, int rank)
{
    if (rank == 1)
        return v >= -32768 && v <= 32767;
    if (rank == 2)
        return v >= -2147483647LL - 1 && v <= 2147483647LL;
    return 1;
}

/* The comparison operator with its sides swapped (< becomes >); = and others unchanged. */
static const char *mirror_op(const char *op)
{
    if (strcmp(op, "<") == 0)
        return ">";
    if (strcmp(op, ">") == 0)
        return "<";
    if (strcmp(op, "<=") == 0)
        return ">=";
    if (strcmp(op, ">=") == 0)
        return "<=";
    return op;
}

/* A pg_stats value of c (most common values, histogram bounds) for which
 * bad() holds, or NULL when none does (or there are no pg_stats). */
static const char *stats_counterexample(const qr_column_t *c, int (*bad)(const char *v),
                                        int *have_stats)
{
    const json_t *lists[2] = {c->mcv, c->hist};
    *have_stats = 0;
    for (int l = 0; l < 2; l++) {
        size_t i;
        const json_t *x;
        json_array_foreach(lists[l], i, x)
        {
            const char *v = json_string_value(x);
            if (!v)
                continue;
            *have_stats = 1;
            if (bad(v))
                return v;
        }
    }
    return NULL;
}

static int ends_with_space(const char *v)
{
    size_t n = strlen(v);
    return n > 0 && v[n - 1] == ' ';
}

/* Not the canonical text of an integer ("7", "-12"; not "007", "+7", " 7"). */
static int not_canonical_int(const char *v)
{
    const char *p = v;
    if (*p == '-')
        p++;
    if (!isdigit((unsigned char)*p) || (*p == '0' && p[1]) || (v[0] == '-' && *p == '0'))
        return 1;
    for (; *p; p++)
        if (!isdigit((unsigned char)*p))
            return 1;
    return 0;
}

/* pgopt's own estimate with PostgreSQL's default cost constants: a
 * sequential scan that evaluates the cast on every row vs a btree scan
 * fetching the matching rows (equality selectivity from pg_stats
 * n_distinct, ranges at the planner's default 1/3). */
static void cast_estimate(qr_edit_t *e, const qr_table_t *t, const qr_column_t *c, const char *op)
{
    if (e->own_gain > 0 || e->own_method[0])
        return;
    if (t->reltuples <= 0 || t->relpages <= 0) {
        snprintf(e->own_method, sizeof e->own_method,
                 "not estimated: %s has no reltuples/relpages (never analyzed)", t->name);
        return;
    }
    int eq = strcmp(op, "=") == 0;
    double nd = c->n_distinct > 0   ? c->n_distinct
                : c->n_distinct < 0 ? -c->n_distinct * t->reltuples
                                    : 0;
    double sel = eq ? (nd >= 1 ? 1.0 / nd : 0.005) : 1.0 / 3;
    double rows = sel * t->reltuples < 1 ? 1 : sel * t->reltuples;
    double seq = (double)t->relpages * 1.0 + t->reltuples * (0.01 + 0.0025 + 0.0025);
    double pages = rows < (double)t->relpages ? rows : (double)t->relpages;
    double idx = 8.0 + pages * 4.0 + rows * (0.01 + 0.005 + 0.0025);
    e->own_gain = seq / idx;
    snprintf(e->own_method, sizeof e->own_method,
             "PostgreSQL's default cost constants: a sequential scan of %s (%lld pages, %.0f rows) "
             "casting %s on every row vs an index scan fetching about %.0f rows (%s)",
             t->name, (long long)t->relpages, t->reltuples, c->name, rows,
             eq ? (nd >= 1 ? "1/n_distinct from pg_stats" : "no n_distinct: default 0.5%")
                : "range: the planner's default selectivity 1/3");
}

typedef enum {
    CAST_VALUE_TO_COLUMN, /* cast the value to the column's type instead */
    CAST_MOVE,            /* col::T op v -> col op v::T (cross-type operator exists) */
    CAST_TEXT_AS_INT,     /* text_col::int = v -> text_col = v::int::text */
} cast_fix_t;

/* One cast comparison being rewritten: what cast_slot found, and what a
 * cast_fix_* function builds (the new value side, operator and the sentence
 * saying how). */
typedef struct {
    qr_edit_t *e;
    const qr_column_t *c;
    const char *op;       /* the comparison's operator as written */
    int col_on_right;     /* v op col rather than col op v */
    PgQuery__Node *value; /* the value side as written */
    const value_t *v;     /* what that value is */
    ty_t ct, target;      /* the column's type and the type it is cast to */
    int crank, trank;
    const char *colsql; /* ref.column */
    const char *key;    /* table.column */
    const char *vtext;  /* the value's SQL, for messages */
    /* built by the fix */
    const char *new_op;
    PgQuery__Node *newval;
    char how[600];
} cast_ctx_t;

/* The comparison's column side - a column, or a column under one explicit
 * cast - opposite a value. Sets *colslot and *valslot; returns 0 when
 * neither side qualifies. */
static int cast_find_column(PgQuery__AExpr *a, PgQuery__Node ***colslot, PgQuery__Node ***valslot)
{
    *colslot = *valslot = NULL;
    for (int side = 0; side < 2 && !*colslot; side++) {
        PgQuery__Node **cs = side ? &a->rexpr : &a->lexpr, **vs = side ? &a->lexpr : &a->rexpr;
        PgQuery__Node *x = *cs;
        if (!x || !is_value(*vs))
            continue;
        if (x->node_case == PG_QUERY__NODE__NODE_COLUMN_REF ||
            (x->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && x->type_cast->arg &&
             x->type_cast->arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF)) {
            *colslot = cs;
            *valslot = vs;
        }
    }
    return *colslot != NULL;
}

/* The type the column is cast to: the explicit cast's, or for a bare
 * column the value's type when it is one that makes PostgreSQL cast the
 * column. TY_OTHER when the column is not cast. */
static ty_t cast_target(PgQuery__Node *colside, ty_t ct, const value_t *v, int *trank)
{
    if (colside->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        return cast_type(colside->type_cast->type_name, trank);
    /* implicit: only value types that make PostgreSQL cast the column */
    if ((ct == TY_INT && (v->ty == TY_NUMERIC || v->ty == TY_FLOAT)) ||
        (ct == TY_NUMERIC && v->ty == TY_FLOAT) || (ct == TY_BPCHAR && v->ty == TY_TEXT) ||
        (ct == TY_VARCHAR && v->ty == TY_BPCHAR)) {
        *trank = v->rank;
        return v->ty;
    }
    return TY_OTHER;
}

/* Which fix applies to a column of type ct cast to target; sets *narrowing
 * (an integer cast to a smaller integer) and *conditional_tz (timestamptz
 * cast to timestamp). Returns -1 for casts no fix handles (e.g.
 * timestamp::date: non_sargable_predicate's case). */
static int cast_choose_fix(ty_t ct, int crank, ty_t target, int trank, cast_fix_t *fix,
                           int *narrowing, int *conditional_tz)
{
    *narrowing = *conditional_tz = 0;
    if (ct == TY_INT && target == TY_INT) {
        *fix = CAST_MOVE;
        *narrowing = trank < crank;
    } else if ((ct == TY_INT && (target == TY_NUMERIC || target == TY_FLOAT)) ||
               (ct == TY_NUMERIC && target == TY_FLOAT) ||
               (ct == TY_BPCHAR && (target == TY_TEXT || target == TY_VARCHAR)) ||
               (ct == TY_VARCHAR && target == TY_BPCHAR)) {
        *fix = CAST_VALUE_TO_COLUMN;
    } else if ((ct == TY_TS && target == TY_TSTZ) ||
               (ct == TY_DATE && (target == TY_TS || target == TY_TSTZ))) {
        *fix = CAST_MOVE;
    } else if (ct == TY_TSTZ && target == TY_TS) {
        *fix = CAST_MOVE;
        *conditional_tz = 1;
    } else if ((ct == TY_TEXT || ct == TY_VARCHAR || ct == TY_BPCHAR) && target == TY_INT) {
        *fix = CAST_TEXT_AS_INT;
    } else {
        return -1;
    }
    return 0;
}

/* CAST_MOVE: the cast moves from the column to the value (the operator
 * family has the cross-type operator), with the conditions under which
 * that is exact. Always builds. */
static void cast_fix_move(cast_ctx_t *cx, int narrowing, int conditional_tz)
{
    qr_edit_t *e = cx->e;
    const value_t *cur = cx->v;
    if (cur->ty == cx->target && (cx->target != TY_INT || cur->rank == cx->trank))
        cx->newval = qr_node_copy(cx->value);
    else
        cx->newval = qr_node_cast(qr_node_copy(cx->value), type_sql(cx->target, cx->trank));
    snprintf(cx->how, sizeof cx->how,
             "moved the cast from the column to the value: the btree operator family of %s "
             "has a cross-type %s operator that converts exactly as the cast did",
             cx->c->type, cx->op);
    if (narrowing)
        qr_condition(e,
                     "every value of %s fits in %s (the original raises an error on the "
                     "others, the rewrite compares them)",
                     cx->key, type_sql(cx->target, cx->trank));
    if (conditional_tz)
        qr_condition(e,
                     "the session TimeZone has no daylight-saving transitions for the "
                     "values of %s (e.g. UTC): in a repeated local hour two instants cast "
                     "to the same timestamp, while the value converts to one instant",
                     cx->key);
}

/* CAST_TEXT_AS_INT: text_col::int = v becomes text_col = v's canonical
 * text. Returns 1 when withheld (not an equality, or pg_stats shows a
 * non-canonical integer), 0 when built. */
static int cast_fix_text_as_int(cast_ctx_t *cx)
{
    qr_edit_t *e = cx->e;
    const value_t *v = cx->v;
    const char *tsql = type_sql(cx->target, cx->trank);
    if (strcmp(cx->op, "=") != 0) {
        qr_withhold(e,
                    "%s::%s %s %s compares numbers; as text the order differs ('10' < '9'), "
                    "so the cast cannot move to the value",
                    cx->colsql, tsql, cx->op, cx->vtext);
        return 1;
    }
    int have = 0;
    const char *bad = stats_counterexample(cx->c, not_canonical_int, &have);
    if (bad) {
        qr_withhold(e,
                    "pg_stats of %s holds %s, not the canonical text of an integer: the "
                    "original matches it through the cast, the text comparison would not",
                    cx->key, bad);
        return 1;
    }
    if (v->literal && !v->literal_is_string && v->ty == TY_INT &&
        cx->value->node_case == PG_QUERY__NODE__NODE_A_CONST) {
        char *lit = qr_strdupf("'%s'", v->literal); /* 7 -> '7' */
        cx->newval = qr_node_parse_expr(lit);
        free(lit);
    } else
        cx->newval = qr_node_cast(qr_node_cast(qr_node_copy(cx->value), tsql), "text");
    json_object_set_new(e->evidence, "pg_stats_values_checked",
                        json_string(have ? "all canonical integers" : "no pg_stats"));
    qr_condition(e,
                 "every value of %s is an integer written canonically, without leading "
                 "zeros, '+' or spaces (%s); the original matched '007' for 7, and raised "
                 "an error on non-integer text where the rewrite does not",
                 cx->key,
                 have ? "the pg_stats sample agrees" : "there are no pg_stats to check it");
    snprintf(cx->how, sizeof cx->how,
             "compared the text column with the value's canonical text instead of casting "
             "every row to %s",
             tsql);
    return 0;
}

/* An integer column cast to numeric/double: a constant becomes the exact
 * integer constant or bound (x < 2.5 -> x <= 2); a parameter is cast to the
 * column's type under a stated condition. Returns 1 when withheld (= with a
 * fraction never matches; the bound is outside the column's type), 0 when
 * built. */
static int cast_fix_int_column(cast_ctx_t *cx)
{
    qr_edit_t *e = cx->e;
    const value_t *v = cx->v;
    long long lo, hi;
    int integral;
    if (!(v->literal && decimal_bounds(v->literal, &lo, &hi, &integral))) {
        cx->newval = qr_node_cast(qr_node_copy(v->inner), type_sql(cx->ct, cx->crank));
        qr_condition(e,
                     "the values bound to %s are whole numbers within %s's range (casting "
                     "1.5 to %s rounds it to 2, so a comparison that was never true would "
                     "match; out-of-range values raise an error)",
                     cx->vtext, cx->c->type, type_sql(cx->ct, cx->crank));
        snprintf(cx->how, sizeof cx->how, "cast the value to the column's type %s", cx->c->type);
        return 0;
    }
    /* a constant: decide exactly */
    const char *col_op = cx->col_on_right ? mirror_op(cx->op) : cx->op; /* as "col op v" */
    long long k;
    if (integral) {
        k = lo;
    } else if (strcmp(col_op, "=") == 0) {
        qr_withhold(e,
                    "%s = %s is never true (an integer column against a fraction): the "
                    "statement is probably wrong, not slow",
                    cx->colsql, v->literal);
        return 1;
    } else if (strcmp(col_op, "<") == 0 || strcmp(col_op, "<=") == 0) {
        k = lo;
        col_op = "<="; /* x < 2.5 <=> x <= 2 for integers */
    } else {
        k = hi;
        col_op = ">="; /* x > 2.5 <=> x >= 3 */
    }
    if (!in_int_range(k, cx->crank)) {
        qr_withhold(e, "%s is outside the range of %s's type %s", v->literal, cx->colsql,
                    cx->c->type);
        return 1;
    }
    cx->new_op = cx->col_on_right ? mirror_op(col_op) : col_op;
    char num[32];
    snprintf(num, sizeof num, "%lld", k);
    cx->newval = qr_node_parse_expr(num);
    json_object_set_new(e->evidence, "literal", json_string(v->literal));
    snprintf(cx->how, sizeof cx->how,
             "replaced the %s constant %s by the %s %s %lld (equivalent for an integer "
             "column)",
             v->ty == TY_FLOAT ? "double precision" : "numeric", v->literal, cx->c->type,
             integral ? "constant" : "bound", k);
    return 0;
}

/* A numeric column cast to double precision: the value is cast to numeric
 * instead, under the condition that both are exact in double. Always
 * builds. */
static void cast_fix_numeric_column(cast_ctx_t *cx)
{
    cx->newval = qr_node_cast(qr_node_copy(cx->v->inner), "numeric");
    qr_condition(cx->e,
                 "the values of %s and %s are exact in double precision (at most 15 "
                 "significant digits): the original compared %s rounded to double precision",
                 cx->key, cx->vtext, cx->key);
    snprintf(cx->how, sizeof cx->how,
             "cast the value to numeric instead of the column to double "
             "precision");
}

/* A character (bpchar) column cast to text: the value is cast to character
 * instead. Returns 1 when withheld (a constant with a trailing space), 0
 * when built. */
static int cast_fix_bpchar_column(cast_ctx_t *cx)
{
    qr_edit_t *e = cx->e;
    const value_t *v = cx->v;
    if (v->literal && v->literal_is_string) {
        if (ends_with_space(v->literal)) {
            qr_withhold(e,
                        "'%s' ends with a space: as text it never equals %s (the cast strips "
                        "trailing spaces), as character it would",
                        v->literal, cx->colsql);
            return 1;
        }
        json_object_set_new(e->evidence, "literal", json_string(v->literal));
    } else {
        qr_condition(e,
                     "the values bound to %s never end with a space (as text the column's "
                     "trailing spaces are stripped and 'x ' matches nothing; as character "
                     "trailing spaces are ignored on both sides)",
                     cx->vtext);
    }
    cx->newval = qr_node_cast(qr_node_copy(v->inner), "bpchar");
    snprintf(cx->how, sizeof cx->how,
             "cast the value to character instead of the column to text (character "
             "compares without trailing spaces, as the cast to text left the column)");
    return 0;
}

/* A varchar column compared with a character value (cast to character):
 * the value is cast to text instead. Returns 1 when withheld (the value or
 * a pg_stats value ends with a space), 0 when built. */
static int cast_fix_varchar_column(cast_ctx_t *cx)
{
    qr_edit_t *e = cx->e;
    const value_t *v = cx->v;
    int have = 0;
    const char *bad = stats_counterexample(cx->c, ends_with_space, &have);
    if (bad || (v->literal && ends_with_space(v->literal))) {
        qr_withhold(e,
                    "'%s' (%s) ends with a space: compared as character (the original) "
                    "trailing spaces are ignored, compared as text they are not",
                    bad ? bad : v->literal, bad ? "a pg_stats value of the column" : "the value");
        return 1;
    }
    cx->newval = qr_node_cast(qr_node_copy(v->inner), "text");
    qr_condition(e,
                 "no value of %s ends with a space (%s): the original compared as character, "
                 "ignoring trailing spaces",
                 cx->key, have ? "none in the pg_stats sample" : "no pg_stats to check it");
    snprintf(cx->how, sizeof cx->how,
             "cast the value to text (varchar's index operator class) "
             "instead of the column to character");
    return 0;
}

/* The fix for cx's cast, by kind and column type. Returns 1 when withheld,
 * 0 when cx->newval (and cx->new_op, cx->how) are built. */
static int cast_build_fix(cast_ctx_t *cx, cast_fix_t fix, int narrowing, int conditional_tz)
{
    if (fix == CAST_MOVE) {
        cast_fix_move(cx, narrowing, conditional_tz);
        return 0;
    }
    if (fix == CAST_TEXT_AS_INT)
        return cast_fix_text_as_int(cx);
    if (cx->ct == TY_INT)
        return cast_fix_int_column(cx);
    if (cx->ct == TY_NUMERIC) {
        cast_fix_numeric_column(cx);
        return 0;
    }
    if (cx->ct == TY_BPCHAR)
        return cast_fix_bpchar_column(cx);
    return cast_fix_varchar_column(cx); /* varchar column vs character value */
}

/* qr_each_top_pred callback for cast_defeats_index: a comparison whose
 * column side is cast (explicitly, or implicitly by the value's type) so
 * that the btree index leading with the column cannot serve it is replaced
 * in *slot by one with the column bare. Returns 1 when the edit changed or
 * withheld the predicate, 0 when it does not apply; never fails. */
static int cast_slot(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node **slot, err_t *err)
{
    (void)err;
    PgQuery__Node *n = *slot;
    if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR ||
        n->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP)
        return 0;
    PgQuery__AExpr *a = n->a_expr;
    const char *op = qr_aexpr_op(a);
    /* <> is not an index condition: nothing for the index to win */
    if (!op || (strcmp(op, "=") && strcmp(op, "<") && strcmp(op, "<=") && strcmp(op, ">") &&
                strcmp(op, ">=")))
        return 0;
    PgQuery__Node **colslot, **valslot;
    if (!cast_find_column(a, &colslot, &valslot))
        return 0;
    int col_on_right = colslot == &a->rexpr;
    PgQuery__Node *colref = (*colslot)->node_case == PG_QUERY__NODE__NODE_TYPE_CAST
                                ? (*colslot)->type_cast->arg
                                : *colslot;
    int range = -1;
    const qr_column_t *c = qr_resolve_local(sc, e->cat, colref, &range);
    if (!c)
        return 0;
    const qr_table_t *t = qr_table_find(e->cat, c->schema, c->table);
    const qr_index_t *x = t ? qr_index_leading(e->cat, t, c->name, "btree") : NULL;
    if (!x)
        return 0; /* no index to make usable: a missing index is the index advisor's question */
    int crank, trank = 0;
    ty_t ct = catalog_type(c->type, &crank);
    value_t v;
    value_of(*valslot, &v);
    /* the type the column is cast to, explicitly or implicitly */
    ty_t target = cast_target(*colslot, ct, &v, &trank);
    if (target == TY_OTHER || (target == ct && (ct != TY_INT || trank == crank)))
        return 0;
    cast_fix_t fix;
    int conditional_tz, narrowing;
    if (cast_choose_fix(ct, crank, target, trank, &fix, &narrowing, &conditional_tz) != 0)
        return 0;
    /* an expression index on exactly this cast already serves the predicate */
    char expr[400];
    snprintf(expr, sizeof expr, "%s::%s", c->name, type_sql(target, trank));
    if (qr_index_expression(e->cat, t, expr))
        return 0;
    const char *ref = sc->r[range].refname;
    char colsql[400];
    snprintf(colsql, sizeof colsql, "%s.%s", ref, c->name);
    char *vs = qr_expr_sql(*valslot);
    char key[300];
    snprintf(key, sizeof key, "%s.%s", c->table, c->name);
    json_object_set_new(e->evidence, "index", json_string(x->name));
    json_object_set_new(e->evidence, "column_type", json_string(c->type));
    json_object_set_new(e->evidence, "cast_to", json_string(type_sql(target, trank)));
    cast_ctx_t cx = {.e = e,
                     .c = c,
                     .op = op,
                     .col_on_right = col_on_right,
                     .value = *valslot,
                     .v = &v,
                     .ct = ct,
                     .target = target,
                     .crank = crank,
                     .trank = trank,
                     .colsql = colsql,
                     .key = key,
                     .vtext = vs ? vs : "the value",
                     .new_op = op};
    if (cast_build_fix(&cx, fix, narrowing, conditional_tz)) {
        free(vs);
        return 1; /* withheld */
    }
    /* build the sargable comparison in place, the column keeping its side */
    PgQuery__Node *newcol = qr_node_copy(colref);
    PgQuery__Node *cmp =
        col_on_right
            ? qr_node_aexpr(PG_QUERY__A__EXPR__KIND__AEXPR_OP, cx.new_op, cx.newval, newcol)
            : qr_node_aexpr(PG_QUERY__A__EXPR__KIND__AEXPR_OP, cx.new_op, newcol, cx.newval);
    char *before = qr_expr_sql(n);
    char *after = qr_expr_sql(cmp);
    qr_change(e, "%s -> %s: %s, so index %s on %s can be used", before ? before : "predicate",
              after ? after : "rewritten predicate", cx.how, x->name, colsql);
    free(before);
    free(after);
    free(vs);
    cast_estimate(e, t, c, op);
    qr_node_free(n);
    *slot = cmp;
    return 1;
}

static int rule_implicit_cast(qr_edit_t *e, err_t *err)
{
    int n = qr_each_top_pred(e, cast_slot, err);
    return n > 0 || e->withheld[0] ? 1 : n;
}

const qr_rule_t qr_rule_not_in = {"not_in_to_not_exists", "NOT IN (subquery) -> NOT EXISTS",
                                  rule_not_in};
const qr_rule_t qr_rule_or_any = {"or_to_any", "OR chain on one column -> = ANY", rule_or_any};
const qr_rule_t qr_rule_in_list = {"in_list_to_array_param", "long IN list -> = ANY($n::type[])",
                                   rule_in_list};
const qr_rule_t qr_rule_sargable = {"non_sargable_predicate",
                                    "function or cast on an indexed column", rule_sargable};
const qr_rule_t qr_rule_like = {"leading_wildcard_like", "leading-wildcard LIKE -> pg_trgm GIN",
                                rule_like};
const qr_rule_t qr_rule_implicit_cast = {"cast_defeats_index",
                                         "cast on an indexed column (implicit or explicit) -> "
                                         "value cast to the column's type",
                                         rule_implicit_cast};
