/* qr_rules_pred.c - rules on predicates of the top-level SELECT (its WHERE
 * and JOIN ... ON conditions): NOT IN (subquery) -> NOT EXISTS, OR chains on
 * one column -> = ANY, long IN lists -> = ANY($n::type[]), non-sargable
 * predicates (cast/date() on an indexed timestamp -> range; a function on a
 * column -> its expression index), leading-wildcard LIKE -> pg_trgm GIN.
 * Each rule is detect + rewrite + safety proof (qr_internal.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "workers/query_rewriter/qr_rules.h"

/* ---- shared helpers ---------------------------------------------------------- */

typedef int (*slot_fn)(qr_edit_t *e, const qr_scope_t *sc, PgQuery__Node **slot, err_t *err);

/* Calls fn on every predicate slot under *slot (parents first). fn returns
 * 1 when it replaced the node (its children are not visited), 0 to go on,
 * -1 on error. Returns the number of replacements or -1. */
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
    }
    return total;
}

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

int qr_each_top_pred(qr_edit_t *e, slot_fn fn, err_t *err)
{
    PgQuery__SelectStmt *s = e->select;
    if (!s || s->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
        return 0;
    qr_scope_t sc;
    qr_scope_build(&sc, e->cat, s, NULL);
    int total = each_pred(e, &sc, &s->where_clause, fn, err);
    for (size_t i = 0; total >= 0 && i < s->n_from_clause; i++) {
        int r = join_quals(e, &sc, s->from_clause[i], fn, err);
        total = r < 0 ? -1 : total + r;
    }
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
        PgQuery__Alias *al = calloc(1, sizeof *al);
        if (!al)
            abort();
        pg_query__alias__init(al);
        al->aliasname = strdup(alias);
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
    PgQuery__Node **elems = calloc(best_count, sizeof *elems);
    PgQuery__Node **rest = calloc(b->n_args, sizeof *rest);
    if (!elems || !rest)
        abort();
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

const qr_rule_t qr_rule_not_in = {"not_in_to_not_exists", "NOT IN (subquery) -> NOT EXISTS",
                                  rule_not_in};
const qr_rule_t qr_rule_or_any = {"or_to_any", "OR chain on one column -> = ANY", rule_or_any};
const qr_rule_t qr_rule_in_list = {"in_list_to_array_param", "long IN list -> = ANY($n::type[])",
                                   rule_in_list};
const qr_rule_t qr_rule_sargable = {"non_sargable_predicate",
                                    "function or cast on an indexed column", rule_sargable};
const qr_rule_t qr_rule_like = {"leading_wildcard_like", "leading-wildcard LIKE -> pg_trgm GIN",
                                rule_like};
