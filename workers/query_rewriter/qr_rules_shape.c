/* qr_rules_shape.c - rules on the shape of the top-level SELECT: OFFSET
 * pagination -> keyset, correlated scalar subqueries -> LEFT JOIN to a
 * grouped derived table, UNION -> UNION ALL when branches are provably
 * disjoint and duplicate-free, COUNT(DISTINCT) -> count over DISTINCT,
 * SELECT * on wide tables, ORDER BY random(), DISTINCT hiding join fan-out
 * -> EXISTS. Detect + rewrite + safety proof per rule (qr_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "workers/query_rewriter/qr_rules.h"

/* ---- helpers ------------------------------------------------------------------ */

static int plain_select(const PgQuery__SelectStmt *s)
{
    return s && s->op == PG_QUERY__SET_OPERATION__SETOP_NONE && !s->with_clause &&
           !s->into_clause && s->n_values_lists == 0 && s->n_locking_clause == 0;
}

/* Flattens an AND tree into its conjuncts (pointers into the tree). */
static void conjuncts(PgQuery__Node *w, PgQuery__Node **out, size_t *n, size_t max)
{
    if (!w)
        return;
    if (w->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
        w->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
        for (size_t i = 0; i < w->bool_expr->n_args; i++)
            conjuncts(w->bool_expr->args[i], out, n, max);
        return;
    }
    if (*n < max)
        out[(*n)++] = w;
}

/* Detaches the conjuncts of *w (the AND node's own shell is freed). */
static size_t take_conjuncts(PgQuery__Node **w, PgQuery__Node **out, size_t max)
{
    size_t n = 0;
    PgQuery__Node *root = *w;
    *w = NULL;
    if (!root)
        return 0;
    if (root->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
        root->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
        PgQuery__BoolExpr *b = root->bool_expr;
        for (size_t i = 0; i < b->n_args; i++) {
            if (n < max)
                out[n++] = b->args[i];
            else
                qr_node_free(b->args[i]);
            b->args[i] = NULL;
        }
        b->n_args = 0;
        qr_node_free(root);
        return n;
    }
    out[n++] = root;
    return n;
}

typedef struct {
    const qr_scope_t *sc;
    const qr_catalog_t *cat;
    unsigned ranges; /* bit per range index referenced */
    int unresolved;
} refs_t;

/* sqlparse_walk visitor: marks in r->ranges the scope ranges an expression's columns resolve to; a
 * nested query or a column that does not resolve sets r->unresolved and stops (returns 1). */
static int refs_visit(const ProtobufCMessage *m, int depth, void *user)
{
    (void)depth;
    refs_t *r = user;
    if (m->descriptor == &pg_query__select_stmt__descriptor && depth > 0) {
        r->unresolved = 1; /* a nested query: leave it alone */
        return 1;
    }
    if (m->descriptor != &pg_query__column_ref__descriptor)
        return 0;
    const PgQuery__ColumnRef *cr = (const PgQuery__ColumnRef *)m;
    PgQuery__Node wrap = PG_QUERY__NODE__INIT;
    wrap.node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
    wrap.column_ref = (PgQuery__ColumnRef *)cr;
    int range = -1;
    if (!qr_resolve_local(r->sc, r->cat, &wrap, &range) || range < 0)
        r->unresolved = 1;
    else
        r->ranges |= 1u << range;
    return 0;
}

/* Which ranges of sc an expression references; -1 when a name does not
 * resolve (then no proof is possible). */
static int expr_ranges(const qr_scope_t *sc, const qr_catalog_t *cat, const PgQuery__Node *n,
                       unsigned *ranges)
{
    refs_t r = {sc, cat, 0, 0};
    sqlparse_walk((const ProtobufCMessage *)n, refs_visit, &r);
    *ranges = r.ranges;
    return r.unresolved ? -1 : 0;
}

/* A SelectStmt node wrapping s (aborts on out of memory). */
static PgQuery__Node *select_node(PgQuery__SelectStmt *s)
{
    PgQuery__Node *n = xcalloc(1, sizeof *n);
    pg_query__node__init(n);
    n->node_case = PG_QUERY__NODE__NODE_SELECT_STMT;
    n->select_stmt = s;
    return n;
}

/* A new, empty plain SelectStmt (aborts on out of memory). */
static PgQuery__SelectStmt *new_select(void)
{
    PgQuery__SelectStmt *s = xcalloc(1, sizeof *s);
    pg_query__select_stmt__init(s);
    s->op = PG_QUERY__SET_OPERATION__SETOP_NONE;
    s->limit_option = PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_DEFAULT;
    return s;
}

/* An Alias named name (aborts on out of memory). */
static PgQuery__Alias *new_alias(const char *name)
{
    PgQuery__Alias *a = xcalloc(1, sizeof *a);
    pg_query__alias__init(a);
    a->aliasname = xstrdup(name);
    return a;
}

/* EXISTS (sub) as a node (takes sub over; aborts on out of memory). */
static PgQuery__Node *exists_node(PgQuery__SelectStmt *sub)
{
    PgQuery__SubLink *sl = xcalloc(1, sizeof *sl);
    PgQuery__Node *n = xcalloc(1, sizeof *n);
    pg_query__sub_link__init(sl);
    sl->sub_link_type = PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK;
    sl->subselect = select_node(sub);
    sl->location = -1;
    pg_query__node__init(n);
    n->node_case = PG_QUERY__NODE__NODE_SUB_LINK;
    n->sub_link = sl;
    return n;
}

/* Whether a select-list value is * or rel.*. */
static int has_star(const PgQuery__Node *val)
{
    if (!val || val->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
        return 0;
    const PgQuery__ColumnRef *c = val->column_ref;
    return c->n_fields && c->fields[c->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR;
}

/* ---- OFFSET -> keyset ------------------------------------------------------------- */

/* sqlparse_walk visitor: every parameter numbered after the removed $offset moves down by one.
 * Always returns 0 (continue). */
static int dec_after_visit(const ProtobufCMessage *m, int depth, void *user)
{
    (void)depth;
    if (m->descriptor == &pg_query__param_ref__descriptor) {
        PgQuery__ParamRef *p = (PgQuery__ParamRef *)m;
        if (p->number > *(int *)user)
            p->number--;
    }
    return 0;
}

/* The ORDER BY keys of a keyset candidate (column names of the one table)
 * into cols and *ncols, their common direction into *desc. Returns -1 when
 * the ORDER BY is not a list of plain columns, 1 when withheld (mixed
 * directions), 0 when read. */
static int offset_sort_keys(qr_edit_t *e, const PgQuery__SelectStmt *s, const qr_scope_t *sc,
                            const char **cols, int *ncols, int *desc)
{
    *ncols = 0;
    *desc = -1;
    for (size_t i = 0; i < s->n_sort_clause; i++) {
        const PgQuery__Node *sb = s->sort_clause[i];
        if (sb->node_case != PG_QUERY__NODE__NODE_SORT_BY || *ncols >= QR_MAX_KEYS)
            return -1;
        const PgQuery__SortBy *b = sb->sort_by;
        const qr_column_t *c = qr_resolve_local(sc, e->cat, b->node, NULL);
        if (!c || b->n_use_op ||
            (b->sortby_nulls != PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_DEFAULT &&
             b->sortby_nulls != PG_QUERY__SORT_BY_NULLS__SORT_BY_NULLS_UNDEFINED))
            return -1;
        int d = b->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
        if (*desc >= 0 && d != *desc) {
            json_object_set_new(e->evidence, "mixed_directions", json_true());
            qr_withhold(e, "ORDER BY mixes ASC and DESC: a single row comparison cannot express "
                           "the page boundary (it needs an OR expansion per key)");
            return 1;
        }
        *desc = d;
        cols[(*ncols)++] = c->name;
    }
    return 0;
}

/* Makes the order total: when cols do not cover a unique key of t, the
 * columns of t's NOT NULL unique key that are missing are appended to cols
 * and listed in added (*nadded). Sets *key_name. Returns 1 when withheld (no
 * such key), 0 otherwise. */
static int offset_total_order(qr_edit_t *e, const qr_table_t *t, const char **cols, int *ncols,
                              const char **added, int *nadded, const char **key_name)
{
    *nadded = 0;
    *key_name = NULL;
    if (qr_cols_cover_unique(e->cat, t, cols, *ncols, key_name))
        return 0;
    const qr_constraint_t *k = qr_table_key(e->cat, t);
    if (!k) {
        qr_withhold(e,
                    "ORDER BY %s is not unique on %s and the table has no NOT NULL unique "
                    "key to break ties: keyset pages would skip or repeat rows",
                    cols[0], t->name);
        return 1;
    }
    *key_name = k->name;
    for (int i = 0; i < k->ncols && *ncols < QR_MAX_KEYS; i++) {
        int have = 0;
        for (int j = 0; j < *ncols && !have; j++)
            have = strcmp(cols[j], k->cols[i]) == 0;
        if (!have)
            added[(*nadded)++] = cols[(*ncols)++] = k->cols[i];
    }
    return 0;
}

/* A row comparison never matches NULLs: every nullable sort key needs
 * pg_stats to show none (then a condition says so). Returns 1 when
 * withheld (a key has NULLs), 0 otherwise. */
static int offset_check_nulls(qr_edit_t *e, const qr_table_t *t, const char **cols, int ncols)
{
    for (int i = 0; i < ncols; i++) {
        const qr_column_t *c = qr_column_find(e->cat, t, cols[i]);
        if (c->not_null)
            continue;
        if (c->null_frac > 0) {
            qr_withhold(e,
                        "sort key %s.%s has NULLs (null_frac %.4g): a row comparison never "
                        "matches them, so keyset pages would lose those rows",
                        t->name, c->name, c->null_frac);
            return 1;
        }
        qr_condition(e, "%s.%s is never NULL (nullable; %s)", t->name, c->name,
                     c->null_frac == 0 ? "pg_stats saw no NULL" : "no pg_stats");
    }
    return 0;
}

/* Appends the tie-breaker columns to s's ORDER BY in the common direction. */
static void offset_append_tiebreakers(PgQuery__SelectStmt *s, const char **added, int nadded,
                                      int desc)
{
    for (int i = 0; i < nadded; i++) {
        PgQuery__SortBy *b = xcalloc(1, sizeof *b);
        PgQuery__Node *n = xcalloc(1, sizeof *n);
        pg_query__sort_by__init(b);
        b->node = qr_node_colref2(NULL, added[i]);
        b->sortby_dir =
            desc ? PG_QUERY__SORT_BY_DIR__SORTBY_DESC : PG_QUERY__SORT_BY_DIR__SORTBY_DEFAULT;
        b->sortby_nulls = PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_DEFAULT;
        b->location = -1;
        pg_query__node__init(n);
        n->node_case = PG_QUERY__NODE__NODE_SORT_BY;
        n->sort_by = b;
        qr_list_append(&s->sort_clause, &s->n_sort_clause, n);
    }
}

/* Where the rewrite's parameters come from: $1..$m are the original's
 * (shifted past a removed $offset_param), $m+1.. are the page's last key
 * values (columns cols of t). */
static void offset_set_params(qr_edit_t *e, const qr_table_t *t, const char **cols, int ncols,
                              int m, int offset_param)
{
    int total = m + ncols;
    for (int k = 1; k <= total && k <= QR_MAX_PARAMS; k++) {
        qr_param_src_t *p = &e->params[k - 1];
        if (k <= m) {
            p->kind = QR_PARAM_SAME;
            p->src = offset_param > 0 && k >= offset_param ? k + 1 : k;
        } else {
            p->kind = QR_PARAM_COLUMN;
            p->table = t;
            p->column = qr_column_find(e->cat, t, cols[k - m - 1]);
        }
    }
    e->nparams = total < QR_MAX_PARAMS ? total : QR_MAX_PARAMS;
}

/* offset_to_keyset: SELECT ... FROM one table ORDER BY keys LIMIT n OFFSET
 * k becomes a keyset page (WHERE (keys) > (last page's keys), ORDER BY made
 * total with a unique key). Returns 1 when rewritten or withheld, 0 when it
 * does not apply; never fails. */
static int rule_offset(qr_edit_t *e, err_t *err)
{
    (void)err;
    PgQuery__SelectStmt *s = e->select;
    if (!plain_select(s) || !s->limit_offset || !s->limit_count || s->n_sort_clause == 0 ||
        s->n_from_clause != 1 || s->from_clause[0]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR ||
        s->n_distinct_clause || s->n_group_clause)
        return 0;
    qr_scope_t sc;
    qr_scope_build(&sc, e->cat, s, NULL);
    if (sc.n != 1 || !sc.r[0].table)
        return 0;
    const qr_table_t *t = sc.r[0].table;
    const char *cols[QR_MAX_KEYS];
    int ncols, desc;
    int rc = offset_sort_keys(e, s, &sc, cols, &ncols, &desc);
    if (rc != 0)
        return rc > 0;
    const char *key_name;
    const char *added[QR_MAX_KEYS];
    int nadded;
    if (offset_total_order(e, t, cols, &ncols, added, &nadded, &key_name))
        return 1;
    json_object_set_new(e->evidence, "unique_key", json_string(key_name));
    if (offset_check_nulls(e, t, cols, ncols))
        return 1;
    /* drop OFFSET; a $k offset leaves a hole that later parameters close */
    int offset_param = 0;
    qr_is_param(s->limit_offset, &offset_param);
    if (s->limit_offset->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        offset_param = 0; /* $n::int: keep it simple, renumber only a bare $n */
    char *offset_sql = qr_expr_sql(s->limit_offset);
    qr_node_free(s->limit_offset);
    s->limit_offset = NULL;
    int max_before = qr_max_param((const ProtobufCMessage *)sqlparse_tree(e->parse));
    if (offset_param > 0) {
        sqlparse_walk((const ProtobufCMessage *)sqlparse_tree(e->parse), dec_after_visit,
                      &offset_param);
        max_before = qr_max_param((const ProtobufCMessage *)sqlparse_tree(e->parse));
    }
    int m = max_before;
    /* ORDER BY gains the tie-breaker */
    offset_append_tiebreakers(s, added, nadded, desc);
    /* WHERE (k1, k2, ...) > ($m+1, $m+2, ...) */
    char lhs[1024] = "", rhs[512] = "", q[160];
    size_t lo = 0, ro = 0;
    for (int i = 0; i < ncols; i++) {
        lo += (size_t)snprintf(lhs + lo, sizeof lhs - lo, "%s%s", i ? ", " : "",
                               qr_quote_ident(cols[i], q, sizeof q));
        ro += (size_t)snprintf(rhs + ro, sizeof rhs - ro, "%s$%d", i ? ", " : "", m + 1 + i);
        if (lo >= sizeof lhs || ro >= sizeof rhs)
            return 0;
    }
    char *expr = ncols == 1 ? qr_strdupf("%s %s %s", lhs, desc ? "<" : ">", rhs)
                            : qr_strdupf("(%s) %s (%s)", lhs, desc ? "<" : ">", rhs);
    PgQuery__Node *cond = qr_node_parse_expr(expr);
    if (!cond) {
        free(expr);
        free(offset_sql);
        return 0;
    }
    s->where_clause = qr_node_and(s->where_clause, cond);
    /* parameters: originals keep their numbers except those after the offset */
    offset_set_params(e, t, cols, ncols, m, offset_param);
    qr_change(e,
              "Removed OFFSET %s: the server no longer reads and discards every row before the "
              "page",
              offset_sql ? offset_sql : "");
    if (nadded)
        qr_change(e, "Added %s to ORDER BY as the tie-breaker (key %s) so the order is total",
                  added[0], key_name);
    qr_change(e, "Added WHERE %s: the caller passes the last row's %s of the previous page", expr,
              lhs);
    if (offset_param > 0 && max_before >= offset_param)
        qr_change(e, "Parameters after the removed $%d move down by one", offset_param);
    qr_condition(e,
                 "the application passes the previous page's last %s instead of an offset (keyset "
                 "pages are stable under concurrent inserts; OFFSET pages are not)",
                 lhs);
    e->not_verifiable = 1;
    snprintf(e->not_verifiable_reason, sizeof e->not_verifiable_reason,
             "keyset pagination takes the previous page's last key instead of an offset");
    snprintf(e->own_method, sizeof e->own_method,
             "OFFSET n reads n + limit rows per page, keyset reads limit rows: the saving grows "
             "with the page number");
    free(expr);
    free(offset_sql);
    return 1;
}

/* ---- correlated scalar subquery -> LEFT JOIN derived table -------------------- */

/* Whether n is count/sum/min/max/avg without DISTINCT, FILTER, OVER, ORDER BY or WITHIN GROUP;
 * sets *name to the aggregate's name. */
static int is_simple_agg(const PgQuery__Node *n, const char **name)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
        return 0;
    const PgQuery__FuncCall *f = n->func_call;
    const char *fn = qr_func_name(f);
    if (!fn || f->agg_distinct || f->agg_filter || f->over || f->n_agg_order || f->agg_within_group)
        return 0;
    static const char *const aggs[] = {"count", "sum", "min", "max", "avg"};
    for (size_t i = 0; i < 5; i++)
        if (strcmp(fn, aggs[i]) == 0) {
            *name = aggs[i];
            return 1;
        }
    return 0;
}

/* The subquery of a select-list entry when it is a scalar subquery of the
 * shape the rule handles (one table, one output, no grouping, ordering,
 * limits or windows); NULL otherwise. */
static PgQuery__SelectStmt *scalar_candidate(const PgQuery__ResTarget *rt)
{
    if (!rt->val || rt->val->node_case != PG_QUERY__NODE__NODE_SUB_LINK)
        return NULL;
    PgQuery__SubLink *sl = rt->val->sub_link;
    if (sl->sub_link_type != PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK ||
        sl->subselect->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return NULL;
    PgQuery__SelectStmt *sub = sl->subselect->select_stmt;
    if (!plain_select(sub) || sub->n_from_clause != 1 ||
        sub->from_clause[0]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR ||
        sub->n_target_list != 1 || sub->n_group_clause || sub->having_clause || sub->limit_count ||
        sub->limit_offset || sub->n_sort_clause || sub->n_distinct_clause || sub->n_window_clause)
        return NULL;
    return sub;
}

/* The subquery's one correlation among its WHERE conjuncts cj: exactly one
 * conjunct reaching outside, of the form inner column = outer column. Sets
 * *corr (its index), *outer_range (the outer range of the outer column),
 * *icol and *ocol. Returns 0 when found, -1 otherwise. */
static int scalar_correlation(const qr_edit_t *e, const qr_scope_t *sc, const qr_scope_t *isc,
                              PgQuery__Node **cj, size_t ncj, int *corr, int *outer_range,
                              const qr_column_t **icol, const qr_column_t **ocol)
{
    *corr = *outer_range = -1;
    *icol = *ocol = NULL;
    for (size_t i = 0; i < ncj; i++) {
        unsigned r;
        if (expr_ranges(isc, e->cat, cj[i], &r) == 0)
            continue; /* local to the subquery */
        /* the correlation: inner = outer */
        const PgQuery__Node *c = cj[i];
        if (*corr >= 0 || c->node_case != PG_QUERY__NODE__NODE_A_EXPR ||
            c->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !qr_aexpr_op(c->a_expr) ||
            strcmp(qr_aexpr_op(c->a_expr), "=") != 0)
            return -1;
        const PgQuery__Node *l = c->a_expr->lexpr, *rr = c->a_expr->rexpr;
        const qr_column_t *li = qr_resolve_local(isc, e->cat, l, NULL);
        const qr_column_t *ri = qr_resolve_local(isc, e->cat, rr, NULL);
        int orr = -1;
        if (li && !ri && (*ocol = qr_resolve_local(sc, e->cat, rr, &orr)))
            *icol = li;
        else if (ri && !li && (*ocol = qr_resolve_local(sc, e->cat, l, &orr)))
            *icol = ri;
        else
            return -1;
        *corr = (int)i;
        *outer_range = orr;
    }
    return *corr >= 0 && *icol && *ocol ? 0 : -1;
}

/* Moves the subquery sub into a derived table - SELECT <inner key> AS k,
 * <its output> AS v FROM <its table> WHERE <its local conjuncts> [GROUP BY
 * k when it aggregates] - and LEFT JOINs it to s's one FROM item ON
 * alias.k = outer column. cj[corr] is the correlation conjunct. */
static void scalar_join_derived(const qr_edit_t *e, PgQuery__SelectStmt *s, const qr_scope_t *sc,
                                PgQuery__SelectStmt *sub, const qr_scope_t *isc, PgQuery__Node **cj,
                                int corr, int outer_range, const qr_column_t *ocol,
                                const char *alias, int is_agg)
{
    PgQuery__SelectStmt *d = new_select();
    PgQuery__Node *keyref = NULL;
    PgQuery__AExpr *ca = cj[corr]->a_expr;
    /* the inner side of the correlation, as written */
    keyref = qr_resolve_local(isc, e->cat, ca->lexpr, NULL) ? qr_node_copy(ca->lexpr)
                                                            : qr_node_copy(ca->rexpr);
    qr_list_append(&d->target_list, &d->n_target_list, qr_node_restarget(keyref, "k"));
    PgQuery__Node *val = sub->target_list[0]->res_target->val;
    sub->target_list[0]->res_target->val = NULL;
    qr_list_append(&d->target_list, &d->n_target_list, qr_node_restarget(val, "v"));
    d->from_clause = sub->from_clause;
    d->n_from_clause = sub->n_from_clause;
    sub->from_clause = NULL;
    sub->n_from_clause = 0;
    PgQuery__Node *taken[64];
    size_t nt = take_conjuncts(&sub->where_clause, taken, 64);
    for (size_t i = 0; i < nt; i++) {
        if (i == (size_t)corr)
            qr_node_free(taken[i]);
        else
            d->where_clause = qr_node_and(d->where_clause, taken[i]);
    }
    if (is_agg)
        qr_list_append(&d->group_clause, &d->n_group_clause, qr_node_copy(keyref));
    PgQuery__RangeSubselect *rs = xcalloc(1, sizeof *rs);
    PgQuery__Node *rsn = xcalloc(1, sizeof *rsn);
    PgQuery__JoinExpr *j = xcalloc(1, sizeof *j);
    PgQuery__Node *jn = xcalloc(1, sizeof *jn);
    pg_query__range_subselect__init(rs);
    rs->subquery = select_node(d);
    rs->alias = new_alias(alias);
    pg_query__node__init(rsn);
    rsn->node_case = PG_QUERY__NODE__NODE_RANGE_SUBSELECT;
    rsn->range_subselect = rs;
    pg_query__join_expr__init(j);
    j->jointype = PG_QUERY__JOIN_TYPE__JOIN_LEFT;
    j->larg = s->from_clause[0];
    j->rarg = rsn;
    j->quals = qr_node_aexpr(PG_QUERY__A__EXPR__KIND__AEXPR_OP, "=", qr_node_colref2(alias, "k"),
                             qr_node_colref2(sc->r[outer_range].refname, ocol->name));
    pg_query__node__init(jn);
    jn->node_case = PG_QUERY__NODE__NODE_JOIN_EXPR;
    jn->join_expr = j;
    s->from_clause[0] = jn;
}

/* The select-list entry rt now reads alias.v (COALESCE(alias.v, 0) for a
 * count), keeping the output column's name (the aggregate's or column's
 * when it had none). */
static void scalar_replace_target(PgQuery__ResTarget *rt, const char *alias, int is_agg,
                                  const char *agg, const char *colname)
{
    if (!rt->name || !*rt->name) {
        /* an unset string is protobuf-c's static empty string */
        if (rt->name && rt->name != protobuf_c_empty_string)
            free(rt->name);
        rt->name = xstrdup(is_agg ? agg : colname);
    }
    qr_node_free(rt->val);
    PgQuery__Node *v = qr_node_colref2(alias, "v");
    if (is_agg && strcmp(agg, "count") == 0) {
        PgQuery__Node *co = qr_node_parse_expr("COALESCE(x, 0)");
        qr_node_free(co->coalesce_expr->args[0]);
        co->coalesce_expr->args[0] = v;
        v = co;
    }
    rt->val = v;
}

/* correlated_subquery_to_join: the first select-list scalar subquery
 * correlated by inner = outer becomes a LEFT JOIN to a derived table (one
 * grouped pass for an aggregate, a unique-keyed lookup otherwise). Returns
 * 1 when rewritten or withheld (a non-aggregate not keyed by a unique
 * column), 0 when it does not apply; never fails. */
static int rule_scalar_subquery(qr_edit_t *e, err_t *err)
{
    (void)err;
    PgQuery__SelectStmt *s = e->select;
    if (!plain_select(s) || s->n_from_clause != 1 || s->n_group_clause || s->n_distinct_clause)
        return 0;
    qr_scope_t sc;
    qr_scope_build(&sc, e->cat, s, NULL);
    if (sc.opaque)
        return 0;
    int done = 0;
    for (size_t ti = 0; ti < s->n_target_list; ti++) {
        PgQuery__ResTarget *rt = s->target_list[ti]->res_target;
        PgQuery__SelectStmt *sub = scalar_candidate(rt);
        if (!sub)
            continue;
        qr_scope_t isc;
        qr_scope_build(&isc, e->cat, sub, &sc);
        if (isc.opaque)
            continue;
        PgQuery__Node *cj[64];
        size_t ncj = 0;
        conjuncts(sub->where_clause, cj, &ncj, 64);
        int corr, outer_range;
        const qr_column_t *icol, *ocol;
        if (scalar_correlation(e, &sc, &isc, cj, ncj, &corr, &outer_range, &icol, &ocol) != 0)
            continue;
        PgQuery__Node *tv = sub->target_list[0]->res_target->val;
        const char *agg = NULL;
        int is_agg = is_simple_agg(tv, &agg);
        const char *colname = qr_colref_last(tv);
        if (!is_agg && !(colname && qr_resolve_local(&isc, e->cat, tv, NULL)))
            continue;
        if (!is_agg) {
            const qr_table_t *it = isc.r[0].table;
            const char *kn = NULL;
            const char *kc[1] = {icol->name};
            if (!qr_cols_cover_unique(e->cat, it, kc, 1, &kn)) {
                qr_withhold(e,
                            "the scalar subquery on %s.%s is not keyed by a unique column: "
                            "where it returns two rows the original raises an error, a join "
                            "would return duplicate rows",
                            it->name, icol->name);
                return 1;
            }
            json_object_set_new(e->evidence, "unique_key", json_string(kn));
        }
        /* build: LEFT JOIN (SELECT icol AS k, <target> AS v FROM inner WHERE
         * local conjuncts GROUP BY icol) AS sqN ON sqN.k = outer.col */
        char alias[32];
        snprintf(alias, sizeof alias, "sq%d", done + 1);
        scalar_join_derived(e, s, &sc, sub, &isc, cj, corr, outer_range, ocol, alias, is_agg);
        /* the output column keeps its name */
        scalar_replace_target(rt, alias, is_agg, agg, colname);
        if (is_agg)
            qr_change(e,
                      "Replaced the correlated subquery %s(...) FROM %s per row with a LEFT JOIN "
                      "to one grouped pass over %s (%s, GROUP BY %s)",
                      agg, icol->table, icol->table, alias, icol->name);
        else
            qr_change(e, "Replaced the correlated subquery on %s (unique %s) with a LEFT JOIN",
                      icol->table, icol->name);
        if (is_agg && strcmp(agg, "count") == 0)
            qr_change(e,
                      "Wrapped %s.v in COALESCE(..., 0): count over no rows is 0, a LEFT JOIN "
                      "miss is NULL",
                      alias);
        else
            qr_change(e, "%s.v is NULL where no row matches, as the subquery was", alias);
        /* this rule makes the derived table's scope; stop at one per pass */
        done++;
        break;
    }
    if (done)
        snprintf(e->own_method, sizeof e->own_method,
                 "a SubPlan runs once per outer row; the grouped derived table is one pass "
                 "joined by hash or merge");
    return done || e->withheld[0] ? 1 : 0;
}

/* ---- UNION -> UNION ALL ------------------------------------------------------ */

/* Whether n is column = constant or column = $n (either side); sets *col (the column's last name)
 * and *val. */
static int eq_value(const PgQuery__Node *n, const char **col, const PgQuery__Node **val)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_A_EXPR ||
        n->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !qr_aexpr_op(n->a_expr) ||
        strcmp(qr_aexpr_op(n->a_expr), "=") != 0)
        return 0;
    const PgQuery__Node *l = n->a_expr->lexpr, *r = n->a_expr->rexpr;
    if (qr_colref_last(l) && r &&
        (r->node_case == PG_QUERY__NODE__NODE_A_CONST || qr_is_param(r, NULL))) {
        *col = qr_colref_last(l);
        *val = r;
        return 1;
    }
    if (qr_colref_last(r) && l &&
        (l->node_case == PG_QUERY__NODE__NODE_A_CONST || qr_is_param(l, NULL))) {
        *col = qr_colref_last(r);
        *val = l;
        return 1;
    }
    return 0;
}

/* A UNION branch over one table (*tab): 1 when its output includes a unique key of the table (or
 * *), so it returns no duplicate rows itself, 0 when not, -1 when the branch is not a plain
 * one-table SELECT. */
static int branch_unique(qr_edit_t *e, PgQuery__SelectStmt *b, const qr_table_t **tab)
{
    qr_scope_t sc;
    qr_scope_build(&sc, e->cat, b, NULL);
    if (!plain_select(b) || sc.n != 1 || sc.opaque || b->n_group_clause || b->n_from_clause != 1)
        return -1;
    *tab = sc.r[0].table;
    const char *cols[QR_MAX_KEYS];
    int n = 0;
    for (size_t i = 0; i < b->n_target_list; i++) {
        PgQuery__Node *v = b->target_list[i]->res_target->val;
        if (has_star(v))
            return 1; /* every column, so any key */
        const qr_column_t *c = qr_resolve_local(&sc, e->cat, v, NULL);
        if (c && n < QR_MAX_KEYS)
            cols[n++] = c->name;
    }
    const char *kn = NULL;
    return qr_cols_cover_unique(e->cat, *tab, cols, n, &kn) ? 1 : 0;
}

/* union_to_union_all: UNION of two branches over one table that fix the same column to different
 * values (disjoint), each returning no duplicates (a unique key in the output), becomes UNION ALL.
 * Returns 1 when rewritten or withheld (a branch may return duplicates), 0 when it does not apply;
 * never fails. */
static int rule_union(qr_edit_t *e, err_t *err)
{
    (void)err;
    PgQuery__SelectStmt *s = e->select;
    if (!s || s->op != PG_QUERY__SET_OPERATION__SETOP_UNION || s->all || !s->larg || !s->rarg ||
        s->larg->op != PG_QUERY__SET_OPERATION__SETOP_NONE ||
        s->rarg->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
        return 0;
    const qr_table_t *ta = NULL, *tb = NULL;
    int ua = branch_unique(e, s->larg, &ta), ub = branch_unique(e, s->rarg, &tb);
    if (ua < 0 || ub < 0 || !ta || !tb || ta != tb)
        return 0;
    /* disjoint: both branches fix the same column to different values */
    PgQuery__Node *ca[32], *cb[32];
    size_t na = 0, nb = 0;
    conjuncts(s->larg->where_clause, ca, &na, 32);
    conjuncts(s->rarg->where_clause, cb, &nb, 32);
    int proven = 0;
    char cond[256] = "";
    const char *on_col = NULL;
    for (size_t i = 0; i < na && !proven; i++) {
        const char *c1;
        const PgQuery__Node *v1;
        if (!eq_value(ca[i], &c1, &v1))
            continue;
        for (size_t k = 0; k < nb && !proven; k++) {
            const char *c2;
            const PgQuery__Node *v2;
            if (!eq_value(cb[k], &c2, &v2) || strcmp(c1, c2) != 0)
                continue;
            char *s1 = qr_expr_sql(v1), *s2 = qr_expr_sql(v2);
            int p1 = qr_is_param(v1, NULL), p2 = qr_is_param(v2, NULL);
            if (s1 && s2 && strcmp(s1, s2) != 0) {
                on_col = c1;
                if (!p1 && !p2)
                    proven = 1;
                else if (!cond[0])
                    snprintf(cond, sizeof cond,
                             "%s <> %s (the branches fix %s to different values)", s1, s2, c1);
            }
            free(s1);
            free(s2);
        }
    }
    if (!proven && !cond[0])
        return 0;
    if (!ua || !ub) {
        qr_withhold(e,
                    "the branches are disjoint on %s, but a branch does not select a unique "
                    "NOT NULL key of %s, so it may return duplicate rows that UNION removes "
                    "and UNION ALL would keep",
                    on_col, ta->name);
        return 1;
    }
    if (!proven)
        qr_condition(e, "%s", cond);
    s->all = 1;
    qr_change(e,
              "UNION -> UNION ALL: each branch selects a unique key of %s and the branches fix "
              "%s to different values, so there are no duplicates to remove and the "
              "sort/hash step goes",
              ta->name, on_col);
    json_object_set_new(e->evidence, "disjoint_on", json_string(on_col));
    snprintf(e->own_method, sizeof e->own_method,
             "UNION sorts or hashes the whole result to remove duplicates; UNION ALL appends");
    return 1;
}

/* ---- COUNT(DISTINCT x) -> count(*) over SELECT DISTINCT ----------------------- */

/* count_distinct: SELECT count(DISTINCT x) FROM ... becomes SELECT count(*) FROM (SELECT
 * DISTINCT x FROM ... [AND x IS NOT NULL, unless x is a NOT NULL column]) d, which can use a
 * hash aggregate. Returns 1 when rewritten, 0 when it does not apply; never fails. */
static int rule_count_distinct(qr_edit_t *e, err_t *err)
{
    (void)err;
    PgQuery__SelectStmt *s = e->select;
    if (!plain_select(s) || s->n_target_list != 1 || s->n_group_clause || s->having_clause ||
        s->n_sort_clause || s->limit_count || s->limit_offset || s->n_distinct_clause ||
        s->n_window_clause || s->n_from_clause == 0)
        return 0;
    PgQuery__ResTarget *rt = s->target_list[0]->res_target;
    PgQuery__Node *v = rt->val;
    if (!v || v->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
        return 0;
    PgQuery__FuncCall *f = v->func_call;
    if (!qr_func_name(f) || strcmp(qr_func_name(f), "count") != 0 || !f->agg_distinct ||
        f->n_args != 1 || f->agg_filter || f->over || f->n_agg_order)
        return 0;
    qr_scope_t sc;
    qr_scope_build(&sc, e->cat, s, NULL);
    const qr_column_t *c = qr_resolve_local(&sc, e->cat, f->args[0], NULL);
    char *argsql = qr_expr_sql(f->args[0]);
    PgQuery__Node *arg = f->args[0];
    f->args[0] = NULL;
    f->n_args = 0;
    char *name = xstrdup(rt->name && *rt->name ? rt->name : "count");
    /* the original SELECT becomes the inner SELECT DISTINCT arg */
    qr_node_free(rt->val);
    rt->val = NULL;
    qr_node_free(s->target_list[0]);
    s->target_list[0] = qr_node_restarget(arg, NULL);
    PgQuery__Node *empty = xcalloc(1, sizeof *empty);
    pg_query__node__init(empty);
    qr_list_append(&s->distinct_clause, &s->n_distinct_clause, empty);
    if (!(c && c->not_null))
        s->where_clause = qr_node_and(s->where_clause, qr_node_nulltest(qr_node_copy(arg), 1));
    /* outer: SELECT count(*) AS name FROM (inner) AS d */
    PgQuery__RawStmt *raw = sqlparse_tree_mutable(e->parse)->stmts[0];
    PgQuery__Node *inner = raw->stmt;
    PgQuery__SelectStmt *o = new_select();
    PgQuery__Node *cnt = qr_node_func("count", NULL, 0);
    cnt->func_call->agg_star = 1;
    qr_list_append(&o->target_list, &o->n_target_list, qr_node_restarget(cnt, name));
    PgQuery__RangeSubselect *rs = xcalloc(1, sizeof *rs);
    PgQuery__Node *rsn = xcalloc(1, sizeof *rsn);
    pg_query__range_subselect__init(rs);
    rs->subquery = inner;
    rs->alias = new_alias("d");
    pg_query__node__init(rsn);
    rsn->node_case = PG_QUERY__NODE__NODE_RANGE_SUBSELECT;
    rsn->range_subselect = rs;
    qr_list_append(&o->from_clause, &o->n_from_clause, rsn);
    raw->stmt = select_node(o);
    e->select = o;
    qr_change(e,
              "Replaced count(DISTINCT %s) with count(*) over SELECT DISTINCT %s: the "
              "aggregate always sorts its input, the subquery may hash",
              argsql ? argsql : "x", argsql ? argsql : "x");
    if (!(c && c->not_null))
        qr_change(e,
                  "Added %s IS NOT NULL inside: count(DISTINCT) ignores NULLs, SELECT DISTINCT "
                  "keeps one",
                  argsql ? argsql : "x");
    snprintf(e->own_method, sizeof e->own_method,
             "count(DISTINCT) sorts all input rows; SELECT DISTINCT can use a HashAggregate when "
             "the distinct values fit in work_mem (%.0f kB)",
             e->cat->work_mem_kb);
    free(argsql);
    free(name);
    return 1;
}

/* ---- SELECT * on wide tables ---------------------------------------------------- */

#define QR_WIDE_COLUMNS 15
#define QR_WIDE_BYTES   400.0

static int cmp_attnum(const void *a, const void *b)
{
    const qr_column_t *x = *(const qr_column_t *const *)a, *y = *(const qr_column_t *const *)b;
    return (x->attnum > y->attnum) - (x->attnum < y->attnum);
}

/* select_star_wide (advice only): SELECT * from one wide table (>= QR_WIDE_COLUMNS columns or
 * QR_WIDE_BYTES per row) has * written out as the columns in order, to delete the ones the caller
 * does not read. Returns 1 when advised, 0 otherwise; never fails. */
static int rule_select_star(qr_edit_t *e, err_t *err)
{
    (void)err;
    PgQuery__SelectStmt *s = e->select;
    if (!plain_select(s) || s->n_from_clause != 1 ||
        s->from_clause[0]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR)
        return 0;
    qr_scope_t sc;
    qr_scope_build(&sc, e->cat, s, NULL);
    if (sc.n != 1 || !sc.r[0].table)
        return 0;
    const qr_table_t *t = sc.r[0].table;
    size_t star = (size_t)-1;
    for (size_t i = 0; i < s->n_target_list; i++)
        if (has_star(s->target_list[i]->res_target->val))
            star = i;
    if (star == (size_t)-1)
        return 0;
    if (t->ncols < QR_WIDE_COLUMNS && t->row_width < QR_WIDE_BYTES)
        return 0;
    const qr_column_t **cols = xcalloc((size_t)t->ncols + 1, sizeof *cols);
    int n = 0;
    for (size_t i = 0; i < e->cat->ncolumns && n < t->ncols; i++) {
        const qr_column_t *c = &e->cat->columns[i];
        if (strcmp(c->table, t->name) == 0 && strcmp(c->schema, t->schema) == 0)
            cols[n++] = c;
    }
    qsort(cols, (size_t)n, sizeof *cols, cmp_attnum);
    /* expand * into the columns, in attnum order (the same columns and order) */
    PgQuery__Node **old = s->target_list;
    size_t nold = s->n_target_list;
    s->target_list = NULL;
    s->n_target_list = 0;
    for (size_t i = 0; i < nold; i++) {
        if (i != star) {
            qr_list_append(&s->target_list, &s->n_target_list, old[i]);
            continue;
        }
        for (int k = 0; k < n; k++)
            qr_list_append(&s->target_list, &s->n_target_list,
                           qr_node_restarget(qr_node_colref2(NULL, cols[k]->name), NULL));
        qr_node_free(old[i]);
    }
    free(old);
    free(cols);
    e->advice_only = 1;
    e->advice = qr_strdupf(
        "list only the columns the caller reads: %s has %d columns, about %.0f "
        "bytes per row%s",
        t->name, t->ncols, t->row_width,
        t->toast_bytes > 0 ? " plus out-of-line (TOAST) values fetched for every row" : "");
    qr_change(e,
              "Expanded * into %s's %d columns (same columns, same order): delete the ones the "
              "caller does not read",
              t->name, n);
    json_object_set_new(e->evidence, "columns", json_integer(t->ncols));
    json_object_set_new(e->evidence, "avg_row_bytes", json_real(t->row_width));
    json_object_set_new(e->evidence, "toast_bytes", json_integer(t->toast_bytes));
    snprintf(e->own_method, sizeof e->own_method,
             "no gain until columns are dropped; each dropped column saves its avg_width "
             "(pg_stats) per row sent, and index-only scans become possible");
    return 1;
}

/* ---- ORDER BY random() ------------------------------------------------------------ */

/* order_by_random (advice only): ORDER BY random() reads and sorts every row; explains TABLESAMPLE
 * and random-key alternatives without rewriting (they change the distribution). Returns 1 when
 * flagged, 0 otherwise; never fails. */
static int rule_random(qr_edit_t *e, err_t *err)
{
    (void)err;
    PgQuery__SelectStmt *s = e->select;
    if (!plain_select(s))
        return 0;
    int found = 0;
    for (size_t i = 0; i < s->n_sort_clause && !found; i++) {
        const PgQuery__Node *sb = s->sort_clause[i];
        if (sb->node_case == PG_QUERY__NODE__NODE_SORT_BY && sb->sort_by->node &&
            sb->sort_by->node->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
            qr_func_name(sb->sort_by->node->func_call) &&
            strcmp(qr_func_name(sb->sort_by->node->func_call), "random") == 0)
            found = 1;
    }
    if (!found)
        return 0;
    qr_scope_t sc;
    qr_scope_build(&sc, e->cat, s, NULL);
    const qr_table_t *t = sc.n >= 1 ? sc.r[0].table : NULL;
    const qr_constraint_t *k = t ? qr_table_key(e->cat, t) : NULL;
    char q[160];
    e->advice_only = 1;
    e->advice = qr_strdupf(
        "ORDER BY random() reads and sorts every row%s%s%s (%.0f rows) per call. For a sample, "
        "use FROM %s TABLESAMPLE SYSTEM_ROWS(n) (extension tsm_system_rows: reads about n rows, "
        "picks whole pages) or TABLESAMPLE BERNOULLI(p)%s%s%s",
        t ? " of " : "", t ? t->name : "", "", t ? t->reltuples : 0.0, t ? t->name : "the table",
        k && k->ncols == 1 ? ", or draw a random key: WHERE " : "",
        k && k->ncols == 1 ? qr_quote_ident(k->cols[0], q, sizeof q) : "",
        k && k->ncols == 1 ? " >= <random value in the key range> ORDER BY the key LIMIT n (rows "
                             "after key gaps are favoured)"
                           : "");
    qr_change(e, "Flagged ORDER BY random(): the sampling alternatives are not equivalent (they "
                 "change the distribution), so no SQL is rewritten");
    qr_condition(e, "a sample that is not uniform per row is acceptable");
    if (t)
        json_object_set_new(e->evidence, "table_rows", json_real(t->reltuples));
    snprintf(e->own_method, sizeof e->own_method,
             "not estimated: the sampled alternative returns different rows");
    return 1;
}

/* ---- DISTINCT hiding join fan-out -> EXISTS -------------------------------------- */

/* Which side of the two-table join the output columns come from: a bit
 * per range in *used (exactly one must be set), the plain output columns
 * in cols/ncols, *star when rel.* is selected. Returns -1 when the output
 * is not plain columns and rel.* (a bare * takes both sides), 0 otherwise. */
static int distinct_output_side(const qr_edit_t *e, const PgQuery__SelectStmt *s,
                                const qr_scope_t *sc, const char **cols, int *ncols, int *star,
                                unsigned *used)
{
    *used = 0;
    *ncols = *star = 0;
    for (size_t i = 0; i < s->n_target_list; i++) {
        PgQuery__Node *v = s->target_list[i]->res_target->val;
        if (has_star(v)) {
            const PgQuery__ColumnRef *cr = v->column_ref;
            if (cr->n_fields != 2)
                return -1; /* bare * takes both sides */
            const char *rel = cr->fields[0]->node_case == PG_QUERY__NODE__NODE_STRING
                                  ? cr->fields[0]->string->sval
                                  : NULL;
            int hit = -1;
            for (int r = 0; r < 2 && rel; r++)
                if (strcmp(sc->r[r].refname, rel) == 0)
                    hit = r;
            if (hit < 0)
                return -1;
            *used |= 1u << hit;
            *star = 1;
            continue;
        }
        int range = -1;
        const qr_column_t *c = qr_resolve_local(sc, e->cat, v, &range);
        if (!c)
            return -1;
        *used |= 1u << range;
        if (*ncols < QR_MAX_KEYS)
            cols[(*ncols)++] = c->name;
    }
    return 0;
}

/* Whether every ORDER BY key and every join or WHERE conjunct resolves,
 * and no ORDER BY key reads range other (which the rewrite moves into
 * EXISTS). Returns 1 when so, 0 otherwise. */
static int distinct_clauses_ok(const qr_edit_t *e, const PgQuery__SelectStmt *s,
                               const PgQuery__JoinExpr *j, const qr_scope_t *sc, int other)
{
    for (size_t i = 0; i < s->n_sort_clause; i++) {
        unsigned r;
        if (s->sort_clause[i]->node_case != PG_QUERY__NODE__NODE_SORT_BY ||
            expr_ranges(sc, e->cat, s->sort_clause[i]->sort_by->node, &r) != 0 ||
            (r & (1u << other)))
            return 0;
    }
    PgQuery__Node *tmp[64];
    size_t nq = 0, nw = 0;
    conjuncts(j->quals, tmp, &nq, 64);
    conjuncts(s->where_clause, tmp + nq, &nw, 64 - nq);
    for (size_t i = 0; i < nq + nw; i++) {
        unsigned r;
        if (expr_ranges(sc, e->cat, tmp[i], &r) != 0)
            return 0;
    }
    return 1;
}

/* The edit: FROM keep WHERE <keep-only conjuncts> AND EXISTS (SELECT 1
 * FROM other WHERE <the conjuncts that read other>), the join's and
 * WHERE's conjuncts split by the ranges they read. */
static void distinct_to_exists(const qr_edit_t *e, PgQuery__SelectStmt *s, PgQuery__JoinExpr *j,
                               const qr_scope_t *sc, int keep, int other)
{
    PgQuery__Node *all[64];
    size_t nall = take_conjuncts(&j->quals, all, 64);
    nall += take_conjuncts(&s->where_clause, all + nall, 64 - nall);
    PgQuery__SelectStmt *sub = new_select();
    qr_list_append(&sub->target_list, &sub->n_target_list, qr_node_restarget(qr_node_int(1), NULL));
    PgQuery__Node *keep_rv = keep == 0 ? j->larg : j->rarg;
    PgQuery__Node *other_rv = keep == 0 ? j->rarg : j->larg;
    j->larg = j->rarg = NULL;
    qr_list_append(&sub->from_clause, &sub->n_from_clause, other_rv);
    for (size_t i = 0; i < nall; i++) {
        unsigned r = 0;
        expr_ranges(sc, e->cat, all[i], &r);
        if (r & (1u << other))
            sub->where_clause = qr_node_and(sub->where_clause, all[i]);
        else
            s->where_clause = qr_node_and(s->where_clause, all[i]);
    }
    qr_node_free(s->from_clause[0]);
    s->from_clause[0] = keep_rv;
    s->where_clause = qr_node_and(s->where_clause, exists_node(sub));
}

/* distinct_join_fanout: SELECT DISTINCT over an inner join of two tables
 * whose output reads one side becomes that side filtered by EXISTS on the
 * other, without DISTINCT when the output holds a unique key. Returns 1
 * when rewritten, 0 when it does not apply; never fails. */
static int rule_distinct_join(qr_edit_t *e, err_t *err)
{
    (void)err;
    PgQuery__SelectStmt *s = e->select;
    if (!plain_select(s) || s->n_distinct_clause != 1 ||
        s->distinct_clause[0]->node_case != PG_QUERY__NODE__NODE__NOT_SET ||
        s->n_from_clause != 1 || s->from_clause[0]->node_case != PG_QUERY__NODE__NODE_JOIN_EXPR ||
        s->n_group_clause || s->having_clause || s->n_window_clause)
        return 0;
    PgQuery__JoinExpr *j = s->from_clause[0]->join_expr;
    if (j->jointype != PG_QUERY__JOIN_TYPE__JOIN_INNER || j->is_natural || j->n_using_clause ||
        !j->quals || !j->larg || !j->rarg || j->larg->node_case != PG_QUERY__NODE__NODE_RANGE_VAR ||
        j->rarg->node_case != PG_QUERY__NODE__NODE_RANGE_VAR || j->alias)
        return 0;
    qr_scope_t sc;
    qr_scope_build(&sc, e->cat, s, NULL);
    if (sc.opaque || sc.n != 2)
        return 0;
    /* which side do the output columns come from? */
    unsigned used;
    const char *cols[QR_MAX_KEYS];
    int ncols, star;
    if (distinct_output_side(e, s, &sc, cols, &ncols, &star, &used) != 0)
        return 0;
    if (used != 1u && used != 2u)
        return 0;
    int keep = used == 1u ? 0 : 1, other = 1 - keep;
    /* ORDER BY on the kept side; join conditions and WHERE all resolve */
    if (!distinct_clauses_ok(e, s, j, &sc, other))
        return 0;
    const qr_table_t *kt = sc.r[keep].table, *ot = sc.r[other].table;
    const char *kn = NULL;
    int unique = star || qr_cols_cover_unique(e->cat, kt, cols, ncols, &kn);
    if (star) {
        const qr_constraint_t *k = qr_table_key(e->cat, kt);
        unique = k != NULL;
        kn = k ? k->name : NULL;
    }
    distinct_to_exists(e, s, j, &sc, keep, other);
    qr_change(e,
              "Replaced the join to %s with EXISTS: the output reads only %s, so the join only "
              "filters, and EXISTS stops at the first match instead of multiplying rows",
              ot->name, kt->name);
    if (unique) {
        for (size_t i = 0; i < s->n_distinct_clause; i++)
            qr_node_free(s->distinct_clause[i]);
        free(s->distinct_clause);
        s->distinct_clause = NULL;
        s->n_distinct_clause = 0;
        qr_change(e,
                  "Removed DISTINCT: the output includes %s's unique key %s, so the only "
                  "duplicates were the join's fan-out",
                  kt->name, kn ? kn : "");
        json_object_set_new(e->evidence, "unique_key", json_string(kn ? kn : ""));
    } else {
        qr_change(e, "Kept DISTINCT: the selected columns of %s are not proven unique", kt->name);
    }
    snprintf(e->own_method, sizeof e->own_method,
             "the join produces one row per matching %s row and DISTINCT sorts them away; a "
             "semi-join produces each %s row once",
             ot->name, kt->name);
    return 1;
}

const qr_rule_t qr_rule_offset = {"offset_to_keyset", "OFFSET pagination -> keyset", rule_offset};
const qr_rule_t qr_rule_scalar_subquery = {
    "correlated_subquery_to_join", "correlated scalar subquery -> LEFT JOIN", rule_scalar_subquery};
const qr_rule_t qr_rule_union = {"union_to_union_all", "UNION -> UNION ALL when disjoint",
                                 rule_union};
const qr_rule_t qr_rule_count_distinct = {
    "count_distinct", "COUNT(DISTINCT) -> count over DISTINCT", rule_count_distinct};
const qr_rule_t qr_rule_select_star = {"select_star_wide", "SELECT * on a wide table",
                                       rule_select_star};
const qr_rule_t qr_rule_random = {"order_by_random", "ORDER BY random()", rule_random};
const qr_rule_t qr_rule_distinct_join = {
    "distinct_join_fanout", "DISTINCT hiding join fan-out -> EXISTS", rule_distinct_join};
