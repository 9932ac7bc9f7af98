/* ia_extract.c - column uses of a statement, from libpg_query's parse tree.
 *
 * Every range-table entry becomes a "rel" of a scope: base tables (resolved
 * against the snapshot's tables, CTE names first), subqueries and CTEs
 * (derived rels whose output columns map back to base columns when they are
 * plain column references). Column references are resolved through the
 * scope chain: qualified ones by alias, unqualified ones by looking for the
 * only rel of the innermost scope that has the column (the snapshot's column
 * list tells which table has which column). Correlated references resolve in
 * an outer scope, which makes "inner.col = outer.col" a join use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/sqlparse.h"
#include "workers/index_advisor/ia_internal.h"

typedef struct {
    char *name;   /* output column name */
    int table;    /* base table, -1 when computed */
    char *column; /* base column */
} out_col_t;

typedef struct {
    char *alias; /* visible name (alias or relation name) */
    int table;   /* base table or -1 */
    out_col_t *outs;
    size_t nouts;
    int derived;
} rel_t;

typedef struct {
    char *name;
    rel_t rel; /* the CTE's output shape */
} cte_t;

typedef struct scope {
    struct scope *parent;
    rel_t *rels;
    size_t nrels, cap;
    cte_t *ctes;
    size_t nctes, cap_ctes;
} scope_t;

/* The column uses a subquery makes, recorded while it is analyzed (also
 * those add_use folds into an identical use of the outer query). */
typedef struct {
    int table;
    const char *column; /* borrowed from the use it was recorded with */
    ia_use_kind_t kind;
} rec_t;

typedef struct {
    rec_t *items;
    size_t n, cap;
} recorder_t;

typedef struct {
    ia_model_t *m;
    ia_statement_t *st;
    size_t cap_uses;
    int depth_guard;
    recorder_t *rec; /* innermost subquery being analyzed, or NULL */
} ctx_t;

/* A resolved operand: a base column, possibly inside an indexable
 * expression. */
typedef struct {
    int ok;
    int table;
    const char *column; /* borrowed */
    char *expr;         /* malloc()ed or NULL */
    int scope_depth;    /* 0 = innermost scope */
} term_t;

static void analyze_select(ctx_t *c, const PgQuery__SelectStmt *s, scope_t *parent, rel_t *out);
static void visit_pred(ctx_t *c, scope_t *sc, const PgQuery__Node *n);
static void visit_other(ctx_t *c, scope_t *sc, const PgQuery__Node *n);

/* ---- scopes -------------------------------------------------------------- */

/* Frees a relation entry's alias and outputs. */
static void rel_free(rel_t *r)
{
    free(r->alias);
    for (size_t i = 0; i < r->nouts; i++) {
        free(r->outs[i].name);
        free(r->outs[i].column);
    }
    free(r->outs);
    memset(r, 0, sizeof *r);
}

/* A deep copy of a relation under another alias (a CTE referenced by name). */
static rel_t rel_copy(const rel_t *r, const char *alias)
{
    rel_t x = {0};
    x.alias = xstrdup_or_null(alias);
    x.table = r->table;
    x.derived = r->derived;
    x.nouts = r->nouts;
    x.outs = xcalloc(r->nouts + 1, sizeof *x.outs);
    for (size_t i = 0; i < r->nouts; i++) {
        x.outs[i].name = xstrdup_or_null(r->outs[i].name);
        x.outs[i].table = r->outs[i].table;
        x.outs[i].column = xstrdup_or_null(r->outs[i].column);
    }
    return x;
}

/* Appends rel r to the scope (taking ownership) and returns a pointer to the
 * stored copy, valid until the next scope_add; never NULL (xrealloc aborts
 * on out-of-memory). */
static rel_t *scope_add(scope_t *sc, rel_t r)
{
    if (sc->nrels == sc->cap) {
        sc->cap = sc->cap ? sc->cap * 2 : 8;
        sc->rels = xrealloc(sc->rels, sc->cap * sizeof *sc->rels);
    }
    sc->rels[sc->nrels] = r;
    return &sc->rels[sc->nrels++];
}

/* Frees a scope's relations and CTEs (not its parent). */
static void scope_free(scope_t *sc)
{
    for (size_t i = 0; i < sc->nrels; i++)
        rel_free(&sc->rels[i]);
    free(sc->rels);
    for (size_t i = 0; i < sc->nctes; i++) {
        free(sc->ctes[i].name);
        rel_free(&sc->ctes[i].rel);
    }
    free(sc->ctes);
}

/* The CTE called name visible from scope sc (searched outward through the
 * parents), or NULL when none is. */
static const cte_t *find_cte(const scope_t *sc, const char *name)
{
    for (; sc; sc = sc->parent)
        for (size_t i = 0; i < sc->nctes; i++)
            if (strcmp(sc->ctes[i].name, name) == 0)
                return &sc->ctes[i];
    return NULL;
}

/* Adds model table t to the current statement's list of tables, once; cannot
 * fail (xrealloc aborts on out-of-memory). */
static void note_table(ctx_t *c, int t)
{
    for (size_t i = 0; i < c->st->ntables; i++)
        if (c->st->tables[i] == t)
            return;
    c->st->tables = xrealloc(c->st->tables, (c->st->ntables + 1) * sizeof(int));
    c->st->tables[c->st->ntables++] = t;
}

/* ---- uses ---------------------------------------------------------------- */

/* Records a column use of a subquery being analyzed (c->rec), for its
 * ia_subquery_t shape. */
static void record(ctx_t *c, int table, const char *column, ia_use_kind_t kind)
{
    recorder_t *r = c->rec;
    if (!r || !column)
        return;
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        r->items = xrealloc(r->items, cap * sizeof *r->items);
        r->cap = cap;
    }
    r->items[r->n++] = (rec_t){table, column, kind};
}

/* Adds a use of term t to the statement; NULL (nothing added) for a
 * duplicate output/sort/group/join use, which adds no candidate. */
static ia_use_t *add_use(ctx_t *c, const term_t *t, ia_use_kind_t kind, const char *op)
{
    ia_statement_t *st = c->st;
    if (!t->expr && t->table >= 0 && (size_t)t->table < c->m->ntables) {
        /* the model's column name outlives the recorder */
        const ia_column_t *col = ia_find_column(c->m, t->table, t->column);
        record(c, t->table, col ? col->name : NULL, kind);
    }
    /* the same (kind, column, expr, op) twice adds nothing for candidates,
     * except sort/group positions which keep their first ordinal */
    for (size_t i = 0; i < st->nuses; i++) {
        ia_use_t *u = &st->uses[i];
        if (u->table == t->table && u->kind == kind && strcmp(u->column, t->column) == 0 &&
            ((!u->expr && !t->expr) || (u->expr && t->expr && strcmp(u->expr, t->expr) == 0)) &&
            (kind == USE_OUTPUT || kind == USE_SORT || kind == USE_GROUP || kind == USE_JOIN))
            return NULL;
    }
    if (st->nuses == c->cap_uses) {
        c->cap_uses = c->cap_uses ? c->cap_uses * 2 : 16;
        st->uses = xrealloc(st->uses, c->cap_uses * sizeof *st->uses);
    }
    ia_use_t *u = &st->uses[st->nuses++];
    memset(u, 0, sizeof *u);
    u->table = t->table;
    u->column = xstrdup_or_null(t->column);
    u->expr = xstrdup_or_null(t->expr);
    u->kind = kind;
    if (op)
        snprintf(u->op, sizeof u->op, "%s", op);
    return u;
}

/* ---- resolution ---------------------------------------------------------- */

static const char *node_string(const PgQuery__Node *n)
{
    return n && n->node_case == PG_QUERY__NODE__NODE_STRING ? n->string->sval : NULL;
}

/* 1 when relation r has column col (a base table's column or a derived
 * relation's output); *table and *base receive the base column it comes
 * from (-1 / NULL when computed). */
static int rel_has_column(ctx_t *c, const rel_t *r, const char *col, int *table, const char **base)
{
    if (r->derived) {
        for (size_t i = 0; i < r->nouts; i++)
            if (r->outs[i].name && strcmp(r->outs[i].name, col) == 0) {
                *table = r->outs[i].table;
                *base = r->outs[i].column;
                return 1;
            }
        return 0;
    }
    if (r->table < 0)
        return 0;
    const ia_column_t *cc = ia_find_column(c->m, r->table, col);
    if (!cc)
        return 0;
    *table = r->table;
    *base = cc->name;
    return 1;
}

/* ColumnRef -> base column. */
static term_t resolve_colref(ctx_t *c, scope_t *sc, const PgQuery__ColumnRef *cr)
{
    term_t t = {0};
    t.table = -1;
    if (cr->n_fields == 0 || cr->n_fields > 3)
        return t;
    const char *col = node_string(cr->fields[cr->n_fields - 1]);
    if (!col) /* A_Star */
        return t;
    const char *relname = cr->n_fields >= 2 ? node_string(cr->fields[cr->n_fields - 2]) : NULL;
    int depth = 0;
    for (scope_t *s = sc; s; s = s->parent, depth++) {
        int hits = 0, table = -1;
        const char *base = NULL;
        for (size_t i = 0; i < s->nrels; i++) {
            const rel_t *r = &s->rels[i];
            if (relname && (!r->alias || strcmp(r->alias, relname) != 0))
                continue;
            int tb;
            const char *bc;
            if (rel_has_column(c, r, col, &tb, &bc)) {
                hits++;
                table = tb;
                base = bc;
            } else if (relname) {
                /* qualified, alias found, but the column is not known (no
                 * columns section or a computed output): stop here */
                return t;
            }
        }
        if (hits == 1 && table >= 0 && base) {
            t.ok = 1;
            t.table = table;
            t.column = base;
            t.scope_depth = depth;
            return t;
        }
        if (hits > 1)
            return t; /* ambiguous: PostgreSQL would reject it too */
    }
    return t;
}

static const char *func_name(const PgQuery__FuncCall *f)
{
    return f->n_funcname ? node_string(f->funcname[f->n_funcname - 1]) : NULL;
}

static const char *typecast_name(const PgQuery__TypeName *tn)
{
    return tn && tn->n_names ? node_string(tn->names[tn->n_names - 1]) : NULL;
}

/* Text of a constant (through casts) for use as a literal value: integers
 * are printed into buf; other kinds point into the parse tree. Returns NULL
 * when n is not a non-NULL constant. */
static const char *const_text(const PgQuery__Node *n, char *buf, size_t len)
{
    if (!n)
        return NULL;
    if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        return const_text(n->type_cast->arg, buf, len);
    if (n->node_case != PG_QUERY__NODE__NODE_A_CONST || n->a_const->isnull)
        return NULL;
    const PgQuery__AConst *a = n->a_const;
    switch (a->val_case) {
    case PG_QUERY__A__CONST__VAL_IVAL:
        snprintf(buf, len, "%d", a->ival->ival);
        return buf;
    case PG_QUERY__A__CONST__VAL_FVAL:
        return a->fval->fval;
    case PG_QUERY__A__CONST__VAL_SVAL:
        return a->sval->sval;
    case PG_QUERY__A__CONST__VAL_BOOLVAL:
        return a->boolval->boolval ? "true" : "false";
    default:
        return NULL;
    }
}

/* The number of a $n parameter reference (through casts), or 0 when n is not
 * one. */
static int param_number(const PgQuery__Node *n)
{
    if (!n)
        return 0;
    if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        return param_number(n->type_cast->arg);
    return n->node_case == PG_QUERY__NODE__NODE_PARAM_REF ? n->param_ref->number : 0;
}

static int type_is_timestamp_without_tz(const char *type)
{
    return type && (strcmp(type, "timestamp without time zone") == 0 || strcmp(type, "date") == 0);
}

/* An operand that an index key can be: a column, lower/upper(col),
 * col::date / date(col) on timestamp without time zone, date_trunc('unit',
 * col) on timestamp without time zone, to_tsvector('cfg', col). */
static term_t resolve_term(ctx_t *c, scope_t *sc, const PgQuery__Node *n)
{
    term_t none = {0};
    none.table = -1;
    if (!n)
        return none;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF:
        return resolve_colref(c, sc, n->column_ref);
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
        return resolve_term(c, sc, n->collate_clause->arg);
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
        const char *tn = typecast_name(n->type_cast->type_name);
        const PgQuery__Node *arg = n->type_cast->arg;
        if (!arg || arg->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
            return none;
        term_t t = resolve_colref(c, sc, arg->column_ref);
        if (!t.ok || !tn)
            return none;
        const ia_column_t *col = ia_find_column(c->m, t.table, t.column);
        if (strcmp(tn, "date") == 0) {
            if (!col || !type_is_timestamp_without_tz(col->type)) {
                if (col && strstr(col->type, "with time zone"))
                    ia_note(c->m,
                            "%s.%s::date depends on TimeZone (not IMMUTABLE): no expression "
                            "index is proposed for it",
                            c->m->tables[t.table].name, t.column);
                return none;
            }
            t.expr = ia_printf("(%s)::date", t.column);
            return t;
        }
        /* other casts (varchar -> text, int -> bigint ...) leave the column usable */
        return t;
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
        const PgQuery__FuncCall *f = n->func_call;
        const char *fn = func_name(f);
        if (!fn)
            return none;
        if ((strcmp(fn, "lower") == 0 || strcmp(fn, "upper") == 0) && f->n_args == 1 &&
            f->args[0]->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
            term_t t = resolve_colref(c, sc, f->args[0]->column_ref);
            if (!t.ok)
                return none;
            t.expr = ia_printf("%s(%s)", fn, t.column);
            return t;
        }
        if (strcmp(fn, "date") == 0 && f->n_args == 1 &&
            f->args[0]->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
            term_t t = resolve_colref(c, sc, f->args[0]->column_ref);
            const ia_column_t *col = t.ok ? ia_find_column(c->m, t.table, t.column) : NULL;
            if (!col || !type_is_timestamp_without_tz(col->type))
                return none;
            t.expr = ia_printf("(%s)::date", t.column);
            return t;
        }
        char buf[64];
        if (strcmp(fn, "date_trunc") == 0 && f->n_args == 2 &&
            f->args[1]->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
            const char *unit = const_text(f->args[0], buf, sizeof buf);
            term_t t = resolve_colref(c, sc, f->args[1]->column_ref);
            const ia_column_t *col = t.ok ? ia_find_column(c->m, t.table, t.column) : NULL;
            if (!unit || !col || !type_is_timestamp_without_tz(col->type) || strchr(unit, '\''))
                return none;
            t.expr = ia_printf("date_trunc('%s', %s)", unit, t.column);
            return t;
        }
        if (strcmp(fn, "to_tsvector") == 0 && f->n_args == 2 &&
            f->args[1]->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
            const char *cfg = const_text(f->args[0], buf, sizeof buf);
            term_t t = resolve_colref(c, sc, f->args[1]->column_ref);
            if (!cfg || !t.ok || strchr(cfg, '\''))
                return none;
            t.expr = ia_printf("to_tsvector('%s'::regconfig, %s)", cfg, t.column);
            return t;
        }
        return none;
    }
    default:
        return none;
    }
}

/* 1 when the subtree references a column of the given scope or a deeper
 * one (i.e. it is not a constant for this scope). */
typedef struct {
    ctx_t *c;
    scope_t *sc;
    int found;
} colscan_t;

/* Tree walker: counts column references that resolve in the innermost
 * scope. */
static int colscan_visit(const ProtobufCMessage *node, int depth, void *user)
{
    (void)depth;
    colscan_t *s = user;
    if (node->descriptor == &pg_query__column_ref__descriptor) {
        term_t t = resolve_colref(s->c, s->sc, (const PgQuery__ColumnRef *)node);
        /* unresolved columns count as local: we cannot prove otherwise */
        if (!t.ok || t.scope_depth == 0) {
            s->found = 1;
            return 1;
        }
    }
    if (node->descriptor == &pg_query__sub_link__descriptor) {
        s->found = 1; /* a subquery value: not a plain constant */
        return 1;
    }
    return 0;
}

/* Whether expression n references a column of a relation of scope sc (not of
 * an outer scope): returns 1 or 0, 0 for a NULL n. */
static int has_local_columns(ctx_t *c, scope_t *sc, const PgQuery__Node *n)
{
    if (!n)
        return 0;
    colscan_t s = {c, sc, 0};
    sqlparse_walk((const ProtobufCMessage *)n, colscan_visit, &s);
    return s.found;
}

static void free_term(term_t *t)
{
    free(t->expr);
    t->expr = NULL;
}

/* ---- predicates ---------------------------------------------------------- */

/* 1 for <, <=, >, >=; *dir +1 for a lower bound on the left operand, -1
 * for an upper one. */
static int is_range_op(const char *op, int *dir)
{
    if (strcmp(op, ">") == 0 || strcmp(op, ">=") == 0) {
        *dir = 1;
        return 1;
    }
    if (strcmp(op, "<") == 0 || strcmp(op, "<=") == 0) {
        *dir = -1;
        return 1;
    }
    return 0;
}

/* The operator with its operands swapped (< for >, ...). */
static const char *commute(const char *op)
{
    if (strcmp(op, ">") == 0)
        return "<";
    if (strcmp(op, ">=") == 0)
        return "<=";
    if (strcmp(op, "<") == 0)
        return ">";
    if (strcmp(op, "<=") == 0)
        return ">=";
    return op;
}

/* Stores the other side of a comparison in u: its $n or literal text. */
static void set_value(ia_use_t *u, const PgQuery__Node *v)
{
    if (!u)
        return;
    char buf[64];
    const char *k = const_text(v, buf, sizeof buf);
    if (k)
        u->constant = xstrdup_or_null(k);
    u->param = param_number(v);
}

/* One comparison l op r: an equality, range, pattern, containment or
 * join use of the column side(s), with the constant or parameter on the
 * other side. */
static void record_comparison(ctx_t *c, scope_t *sc, const char *op, const PgQuery__Node *l,
                              const PgQuery__Node *r, int any)
{
    term_t tl = resolve_term(c, sc, l), tr = resolve_term(c, sc, r);
    const ia_column_t *col;
    if (tl.ok && tr.ok && (tl.table != tr.table || tl.scope_depth != tr.scope_depth)) {
        if (strcmp(op, "=") == 0) {
            /* a correlated reference is a constant for the inner side only */
            if (tl.scope_depth == 0)
                add_use(c, &tl, USE_JOIN, op);
            if (tr.scope_depth == 0)
                add_use(c, &tr, USE_JOIN, op);
            if (tl.scope_depth != 0 || tr.scope_depth != 0) {
                if (tl.scope_depth == 0)
                    add_use(c, &tl, USE_EQ, op);
                if (tr.scope_depth == 0)
                    add_use(c, &tr, USE_EQ, op);
            }
        } else {
            if (tl.scope_depth == 0)
                add_use(c, &tl, USE_OUTPUT, NULL);
            if (tr.scope_depth == 0)
                add_use(c, &tr, USE_OUTPUT, NULL);
        }
        free_term(&tl);
        free_term(&tr);
        return;
    }
    /* put the column on the left */
    if (!tl.ok && tr.ok) {
        term_t tmp = tl;
        tl = tr;
        tr = tmp;
        const PgQuery__Node *n = l;
        l = r;
        r = n;
        op = commute(op);
    }
    if (!tl.ok || tl.scope_depth != 0 || has_local_columns(c, sc, r)) {
        /* not an indexable comparison: the columns are still needed */
        visit_other(c, sc, l);
        visit_other(c, sc, r);
        free_term(&tl);
        free_term(&tr);
        return;
    }
    free_term(&tr);
    int dir = 0;
    ia_use_t *u = NULL;
    col = ia_find_column(c->m, tl.table, tl.column);
    const char *type = col ? col->type : "";
    if (any) {
        if (strcmp(op, "=") == 0)
            u = add_use(c, &tl, USE_IN, op);
    } else if (strcmp(op, "=") == 0) {
        u = add_use(c, &tl, USE_EQ, op);
    } else if (is_range_op(op, &dir)) {
        u = add_use(c, &tl, USE_RANGE, op);
        if (u)
            u->range_dir = dir;
    } else if (strcmp(op, "~~") == 0) {
        char buf[64];
        const char *pat = const_text(r, buf, sizeof buf);
        if (pat && (pat[0] == '%' || pat[0] == '_'))
            u = add_use(c, &tl, USE_TRGM, op);
        else if (pat)
            u = add_use(c, &tl, USE_LIKE, op);
        /* LIKE $1: the pattern is unknown, neither kind can be assumed */
    } else if (strcmp(op, "~~*") == 0 || strcmp(op, "~") == 0 || strcmp(op, "~*") == 0) {
        u = add_use(c, &tl, USE_TRGM, op);
    } else if (strcmp(op, "@>") == 0 || strcmp(op, "<@") == 0 || strcmp(op, "?") == 0 ||
               strcmp(op, "?|") == 0 || strcmp(op, "?&") == 0 || strcmp(op, "&&") == 0) {
        if (strcmp(type, "jsonb") == 0 && strcmp(op, "&&") != 0)
            u = add_use(c, &tl, USE_JSONB, op);
        else if (strstr(type, "[]"))
            u = add_use(c, &tl, USE_ARRAY, op);
    } else if (strcmp(op, "@@") == 0) {
        if (tl.expr || strcmp(type, "tsvector") == 0)
            u = add_use(c, &tl, USE_FTS, op);
    } else {
        add_use(c, &tl, USE_OUTPUT, NULL);
    }
    set_value(u, r);
    if (!u)
        add_use(c, &tl, USE_OUTPUT, NULL);
    free_term(&tl);
}

static const char *aexpr_op(const PgQuery__AExpr *a)
{
    return a->n_name ? node_string(a->name[a->n_name - 1]) : NULL;
}

/* An A_Expr: comparison operators, IN lists, BETWEEN, LIKE/ILIKE and
 * = ANY; anything else is visited as other uses. */
static void visit_aexpr(ctx_t *c, scope_t *sc, const PgQuery__AExpr *a)
{
    const char *op = aexpr_op(a);
    switch (a->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP:
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
        if (op && a->lexpr && a->rexpr) {
            record_comparison(c, sc, op, a->lexpr, a->rexpr, 0);
            return;
        }
        break;
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
        if (op && a->lexpr && a->rexpr) {
            record_comparison(c, sc, op, a->lexpr, a->rexpr, 1);
            return;
        }
        break;
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
        if (op && strcmp(op, "=") == 0 && a->rexpr &&
            a->rexpr->node_case == PG_QUERY__NODE__NODE_LIST) {
            term_t t = resolve_term(c, sc, a->lexpr);
            if (t.ok && t.scope_depth == 0 && !has_local_columns(c, sc, a->rexpr)) {
                ia_use_t *u = add_use(c, &t, USE_IN, "=");
                if (u) {
                    u->in_count = (int)a->rexpr->list->n_items;
                    if (u->in_count > 0) {
                        set_value(u, a->rexpr->list->items[0]);
                        u->constant2 = NULL;
                    }
                }
                free_term(&t);
                return;
            }
            free_term(&t);
        }
        break;
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
        if (a->rexpr && a->rexpr->node_case == PG_QUERY__NODE__NODE_LIST &&
            a->rexpr->list->n_items == 2) {
            term_t t = resolve_term(c, sc, a->lexpr);
            if (t.ok && t.scope_depth == 0 && !has_local_columns(c, sc, a->rexpr)) {
                ia_use_t *u = add_use(c, &t, USE_RANGE, "between");
                if (u) {
                    u->range_dir = 2;
                    set_value(u, a->rexpr->list->items[0]);
                    char buf[64];
                    const char *k = const_text(a->rexpr->list->items[1], buf, sizeof buf);
                    u->constant2 = xstrdup_or_null(k);
                    u->param2 = param_number(a->rexpr->list->items[1]);
                }
                free_term(&t);
                return;
            }
            free_term(&t);
        }
        break;
    default:
        break;
    }
    visit_other(c, sc, a->lexpr);
    visit_other(c, sc, a->rexpr);
}

/* A scalar, EXISTS or IN subquery probes its table once per outer row on
 * its equality columns (correlated or constant) and reads the aggregated or
 * compared columns there: (keys) INCLUDE (those columns) answers it from
 * the index alone. Recorded per table as an ia_subquery_t for the candidate
 * generator. */
static void add_subquery_shapes(ctx_t *c, const recorder_t *rec)
{
    for (size_t i = 0; i < rec->n; i++) {
        int t = rec->items[i].table;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = rec->items[k].table == t;
        if (seen)
            continue;
        ia_subquery_t q;
        memset(&q, 0, sizeof q);
        q.table = t;
        for (size_t k = i; k < rec->n; k++) {
            const rec_t *r = &rec->items[k];
            if (r->table != t)
                continue;
            int key = r->kind == USE_EQ || r->kind == USE_JOIN || r->kind == USE_IN;
            int dup = 0;
            for (int j = 0; j < q.nkeys && !dup; j++)
                dup = strcmp(q.keys[j], r->column) == 0;
            if (key) {
                /* a key that was a value first moves to the keys */
                for (int j = 0; j < q.nvalues; j++)
                    if (strcmp(q.values[j], r->column) == 0) {
                        q.values[j] = q.values[--q.nvalues];
                        break;
                    }
                if (!dup && q.nkeys < IA_MAX_KEYS)
                    q.keys[q.nkeys++] = r->column;
                continue;
            }
            if (r->kind != USE_OUTPUT && r->kind != USE_RANGE)
                continue;
            for (int j = 0; j < q.nvalues && !dup; j++)
                dup = strcmp(q.values[j], r->column) == 0;
            if (!dup && q.nvalues < IA_MAX_INCLUDE)
                q.values[q.nvalues++] = r->column;
        }
        if (q.nkeys == 0 || q.nvalues == 0)
            continue;
        ia_statement_t *st = c->st;
        st->subqueries = xrealloc(st->subqueries, (st->nsubqueries + 1) * sizeof *st->subqueries);
        st->subqueries[st->nsubqueries++] = q;
    }
}

/* A sublink (EXISTS, IN, scalar or ANY subquery): analyzes the subquery
 * in a child scope with its own recorder and keeps its shape
 * (add_subquery_shapes). */
static void visit_sublink(ctx_t *c, scope_t *sc, const PgQuery__SubLink *sl)
{
    if (!sl->subselect || sl->subselect->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return;
    rel_t out = {0};
    out.derived = 1;
    recorder_t rec = {0}, *saved = c->rec;
    c->rec = &rec;
    analyze_select(c, sl->subselect->select_stmt, sc, &out);
    c->rec = saved;
    if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK ||
        sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK ||
        sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK)
        add_subquery_shapes(c, &rec);
    free(rec.items);
    /* x IN (SELECT y ...): x probes y (semi-join both ways) */
    if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK && sl->testexpr) {
        term_t t = resolve_term(c, sc, sl->testexpr);
        if (t.ok && t.scope_depth == 0)
            add_use(c, &t, USE_JOIN, "=");
        free_term(&t);
        if (out.nouts >= 1 && out.outs[0].table >= 0 && out.outs[0].column) {
            term_t inner = {1, out.outs[0].table, out.outs[0].column, NULL, 0};
            add_use(c, &inner, USE_JOIN, "=");
        }
    }
    rel_free(&out);
}

/* A predicate position: conjunctions, comparisons, null tests, subqueries. */
static void visit_pred(ctx_t *c, scope_t *sc, const PgQuery__Node *n)
{
    if (!n || c->depth_guard > 200)
        return;
    c->depth_guard++;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_BOOL_EXPR:
        for (size_t i = 0; i < n->bool_expr->n_args; i++)
            visit_pred(c, sc, n->bool_expr->args[i]);
        break;
    case PG_QUERY__NODE__NODE_A_EXPR:
        visit_aexpr(c, sc, n->a_expr);
        break;
    case PG_QUERY__NODE__NODE_NULL_TEST: {
        term_t t = resolve_term(c, sc, n->null_test->arg);
        if (t.ok && t.scope_depth == 0)
            add_use(c, &t,
                    n->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NULL ? USE_ISNULL
                                                                                    : USE_NOTNULL,
                    NULL);
        else
            visit_other(c, sc, n->null_test->arg);
        free_term(&t);
        break;
    }
    case PG_QUERY__NODE__NODE_SUB_LINK:
        visit_sublink(c, sc, n->sub_link);
        break;
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
        /* WHERE active: a boolean column compared with true */
        term_t t = resolve_term(c, sc, n);
        if (t.ok && t.scope_depth == 0) {
            ia_use_t *u = add_use(c, &t, USE_EQ, "=");
            if (u)
                u->constant = xstrdup_or_null("true");
        }
        free_term(&t);
        break;
    }
    default:
        visit_other(c, sc, n);
    }
    c->depth_guard--;
}

/* Any other expression: its columns are needed (covering) and its subqueries
 * are analyzed. */
typedef struct {
    ctx_t *c;
    scope_t *sc;
} other_t;

/* Tree walker of visit_other: column references become USE_OUTPUT uses,
 * nested SELECTs are analyzed in their own scope. */
static int other_visit(const ProtobufCMessage *node, int depth, void *user)
{
    (void)depth;
    other_t *o = user;
    if (node->descriptor == &pg_query__column_ref__descriptor) {
        const PgQuery__ColumnRef *cr = (const PgQuery__ColumnRef *)node;
        if (cr->n_fields && cr->fields[cr->n_fields - 1]->node_case == PG_QUERY__NODE__NODE_A_STAR)
            o->c->st->select_star = 1;
        term_t t = resolve_colref(o->c, o->sc, cr);
        if (t.ok && t.scope_depth == 0)
            add_use(o->c, &t, USE_OUTPUT, NULL);
        return 0;
    }
    if (node->descriptor == &pg_query__func_call__descriptor) {
        const PgQuery__FuncCall *f = (const PgQuery__FuncCall *)node;
        const char *fn = func_name(f);
        if (f->agg_star ||
            (fn && (strcmp(fn, "count") == 0 || strcmp(fn, "sum") == 0 || strcmp(fn, "avg") == 0 ||
                    strcmp(fn, "min") == 0 || strcmp(fn, "max") == 0 ||
                    strcmp(fn, "array_agg") == 0 || strcmp(fn, "string_agg") == 0)))
            o->c->st->has_aggregate = 1;
    }
    if (node->descriptor == &pg_query__sub_link__descriptor) {
        visit_sublink(o->c, o->sc, (const PgQuery__SubLink *)node);
        return 0; /* the walker would descend into the subquery: harmless,
                     column refs there do not resolve at depth 0 of o->sc
                     unless ambiguous, but skip double work below */
    }
    return 0;
}

/* Columns referenced outside predicates (target list, HAVING, function
 * arguments): USE_OUTPUT uses, which decide covering. */
static void visit_other(ctx_t *c, scope_t *sc, const PgQuery__Node *n)
{
    if (!n)
        return;
    /* A subquery in an expression is analyzed by visit_sublink; walking into
     * it here would resolve its columns in the wrong scope, so sublinks are
     * handled at this level and the walk covers the rest. */
    if (n->node_case == PG_QUERY__NODE__NODE_SUB_LINK) {
        visit_sublink(c, sc, n->sub_link);
        return;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_A_EXPR) {
        visit_other(c, sc, n->a_expr->lexpr);
        visit_other(c, sc, n->a_expr->rexpr);
        return;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR) {
        for (size_t i = 0; i < n->bool_expr->n_args; i++)
            visit_other(c, sc, n->bool_expr->args[i]);
        return;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
        other_t o = {c, sc};
        other_visit((const ProtobufCMessage *)n->func_call, 0, &o);
        for (size_t i = 0; i < n->func_call->n_args; i++)
            visit_other(c, sc, n->func_call->args[i]);
        if (n->func_call->agg_filter)
            visit_other(c, sc, n->func_call->agg_filter);
        return;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
        visit_other(c, sc, n->type_cast->arg);
        return;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
        other_t o = {c, sc};
        other_visit((const ProtobufCMessage *)n->column_ref, 0, &o);
        return;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_NULL_TEST) {
        visit_other(c, sc, n->null_test->arg);
        return;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_LIST) {
        for (size_t i = 0; i < n->list->n_items; i++)
            visit_other(c, sc, n->list->items[i]);
        return;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_CASE_EXPR ||
        n->node_case == PG_QUERY__NODE__NODE_COALESCE_EXPR ||
        n->node_case == PG_QUERY__NODE__NODE_ROW_EXPR ||
        n->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR ||
        n->node_case == PG_QUERY__NODE__NODE_MIN_MAX_EXPR ||
        n->node_case == PG_QUERY__NODE__NODE_CASE_WHEN ||
        n->node_case == PG_QUERY__NODE__NODE_A_INDIRECTION ||
        n->node_case == PG_QUERY__NODE__NODE_BOOLEAN_TEST ||
        n->node_case == PG_QUERY__NODE__NODE_COLLATE_CLAUSE ||
        n->node_case == PG_QUERY__NODE__NODE_RES_TARGET) {
        /* generic: walk direct children only through the reflection walker,
         * stopping at nested sublinks (handled above on the next level) */
        other_t o = {c, sc};
        sqlparse_walk((const ProtobufCMessage *)n, other_visit, &o);
        return;
    }
}

/* ---- FROM ---------------------------------------------------------------- */

/* One FROM item: table, subquery, join tree (its ON quals collected in
 * *quals for visit_pred), function call. */
static void add_from(ctx_t *c, scope_t *sc, const PgQuery__Node *n, const PgQuery__Node ***quals,
                     size_t *nquals);

/* A table in FROM: a CTE reference or a base table of the model (noted
 * in the statement's tables); unknown tables resolve to nothing. */
static void add_rangevar(ctx_t *c, scope_t *sc, const PgQuery__RangeVar *rv)
{
    const char *alias = rv->alias && rv->alias->aliasname && *rv->alias->aliasname
                            ? rv->alias->aliasname
                            : rv->relname;
    if ((!rv->schemaname || !*rv->schemaname)) {
        const cte_t *cte = find_cte(sc, rv->relname);
        if (cte) {
            scope_add(sc, rel_copy(&cte->rel, alias));
            return;
        }
    }
    rel_t r = {0};
    r.alias = xstrdup_or_null(alias);
    r.table = ia_find_table(c->m, rv->schemaname, rv->relname);
    if (r.table >= 0)
        note_table(c, r.table);
    scope_add(sc, r);
}

/* Definition of add_from (declared above): adds the relations of one FROM
 * item to scope sc, collecting JOIN ON quals in *quals and USING columns as
 * join uses. Returns nothing; items it cannot resolve become relations
 * without known columns. */
static void add_from(ctx_t *c, scope_t *sc, const PgQuery__Node *n, const PgQuery__Node ***quals,
                     size_t *nquals)
{
    if (!n)
        return;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR:
        add_rangevar(c, sc, n->range_var);
        break;
    case PG_QUERY__NODE__NODE_JOIN_EXPR: {
        const PgQuery__JoinExpr *j = n->join_expr;
        size_t before = sc->nrels;
        add_from(c, sc, j->larg, quals, nquals);
        size_t mid = sc->nrels;
        add_from(c, sc, j->rarg, quals, nquals);
        if (j->quals) {
            *quals = xrealloc(*quals, (*nquals + 1) * sizeof **quals);
            (*quals)[(*nquals)++] = j->quals;
        }
        /* USING (col): join uses on both sides */
        for (size_t u = 0; u < j->n_using_clause; u++) {
            const char *col = node_string(j->using_clause[u]);
            if (!col)
                continue;
            for (size_t i = before; i < sc->nrels; i++) {
                int tb;
                const char *base;
                if (rel_has_column(c, &sc->rels[i], col, &tb, &base) && tb >= 0) {
                    term_t t = {1, tb, base, NULL, 0};
                    add_use(c, &t, USE_JOIN, "=");
                }
            }
        }
        (void)mid;
        break;
    }
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
        const PgQuery__RangeSubselect *rs = n->range_subselect;
        rel_t out = {0};
        out.derived = 1;
        out.table = -1;
        if (rs->subquery && rs->subquery->node_case == PG_QUERY__NODE__NODE_SELECT_STMT)
            analyze_select(c, rs->subquery->select_stmt, rs->lateral ? sc : sc->parent, &out);
        out.alias = xstrdup_or_null(rs->alias ? rs->alias->aliasname : NULL);
        scope_add(sc, out);
        break;
    }
    default: {
        /* functions in FROM, VALUES ...: a rel without known columns */
        rel_t r = {0};
        r.table = -1;
        scope_add(sc, r);
        break;
    }
    }
}

/* ---- SELECT -------------------------------------------------------------- */

/* One WITH query: analyzed, and its outputs kept as a named relation. */
static void add_cte(ctx_t *c, scope_t *sc, const PgQuery__CommonTableExpr *cte)
{
    rel_t out = {0};
    out.derived = 1;
    out.table = -1;
    if (cte->ctequery && cte->ctequery->node_case == PG_QUERY__NODE__NODE_SELECT_STMT)
        analyze_select(c, cte->ctequery->select_stmt, sc, &out);
    /* WITH x(a, b) AS (...): the column list renames the outputs */
    for (size_t i = 0; i < cte->n_aliascolnames && i < out.nouts; i++) {
        const char *nm = node_string(cte->aliascolnames[i]);
        if (nm) {
            free(out.outs[i].name);
            out.outs[i].name = xstrdup_or_null(nm);
        }
    }
    if (sc->nctes == sc->cap_ctes) {
        sc->cap_ctes = sc->cap_ctes ? sc->cap_ctes * 2 : 4;
        sc->ctes = xrealloc(sc->ctes, sc->cap_ctes * sizeof *sc->ctes);
    }
    sc->ctes[sc->nctes].name = xstrdup_or_null(cte->ctename);
    sc->ctes[sc->nctes].rel = out;
    sc->nctes++;
}

/* Every query of a WITH clause (add_cte). */
static void add_with(ctx_t *c, scope_t *sc, const PgQuery__WithClause *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_ctes; i++)
        if (w->ctes[i]->node_case == PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR)
            add_cte(c, sc, w->ctes[i]->common_table_expr);
        else if (w->ctes[i]->node_case == PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR)
            add_cte(c, sc, w->ctes[i]->common_table_expr);
}

/* ORDER BY / GROUP BY item: a column, an expression key, or an output alias. */
static term_t resolve_sort_item(ctx_t *c, scope_t *sc, const PgQuery__SelectStmt *s,
                                const PgQuery__Node *n)
{
    term_t t = resolve_term(c, sc, n);
    if (t.ok)
        return t;
    if (n && n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && n->column_ref->n_fields == 1) {
        const char *nm = node_string(n->column_ref->fields[0]);
        for (size_t i = 0; nm && i < s->n_target_list; i++) {
            const PgQuery__Node *tn = s->target_list[i];
            if (tn->node_case == PG_QUERY__NODE__NODE_RES_TARGET && tn->res_target->name &&
                strcmp(tn->res_target->name, nm) == 0)
                return resolve_term(c, sc, tn->res_target->val);
        }
    }
    /* ORDER BY 2: the second output */
    if (n && n->node_case == PG_QUERY__NODE__NODE_A_CONST &&
        n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
        int k = n->a_const->ival->ival;
        if (k >= 1 && (size_t)k <= s->n_target_list &&
            s->target_list[k - 1]->node_case == PG_QUERY__NODE__NODE_RES_TARGET)
            return resolve_term(c, sc, s->target_list[k - 1]->res_target->val);
    }
    return t;
}

/* GROUP BY and ORDER BY items of this SELECT: USE_GROUP / USE_SORT uses of
 * its own scope's columns (with their ordinal and direction); a sort key
 * that is not a plain column of this scope is visited as other use. */
static void visit_group_and_sort(ctx_t *c, scope_t *sc, const PgQuery__SelectStmt *s)
{
    for (size_t i = 0; i < s->n_group_clause; i++) {
        term_t t = resolve_sort_item(c, sc, s, s->group_clause[i]);
        if (t.ok && t.scope_depth == 0) {
            ia_use_t *u = add_use(c, &t, USE_GROUP, NULL);
            if (u)
                u->ordinal = (int)i;
        }
        free_term(&t);
    }
    for (size_t i = 0; i < s->n_sort_clause; i++) {
        const PgQuery__Node *sn = s->sort_clause[i];
        if (sn->node_case != PG_QUERY__NODE__NODE_SORT_BY)
            continue;
        term_t t = resolve_sort_item(c, sc, s, sn->sort_by->node);
        if (t.ok && t.scope_depth == 0) {
            ia_use_t *u = add_use(c, &t, USE_SORT, NULL);
            if (u) {
                u->ordinal = (int)i;
                u->desc = sn->sort_by->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
            }
        } else {
            visit_other(c, sc, sn->sort_by->node);
        }
        free_term(&t);
    }
}

/* Appends one output column (name, base table or -1, base column or NULL)
 * to a derived relation. */
static void rel_add_out(rel_t *out, const char *name, int table, const char *column)
{
    out->outs = xrealloc(out->outs, (out->nouts + 1) * sizeof *out->outs);
    out->outs[out->nouts].name = xstrdup_or_null(name);
    out->outs[out->nouts].table = table;
    out->outs[out->nouts].column = xstrdup_or_null(column);
    out->nouts++;
}

/* SELECT * in a subquery: every column of every relation of the scope, by
 * name, becomes an output of the derived relation. */
static void rel_add_star(ctx_t *c, const scope_t *sc, rel_t *out)
{
    for (size_t r = 0; r < sc->nrels; r++) {
        const rel_t *rel = &sc->rels[r];
        if (rel->derived) {
            for (size_t k = 0; k < rel->nouts; k++)
                rel_add_out(out, rel->outs[k].name, rel->outs[k].table, rel->outs[k].column);
        } else if (rel->table >= 0) {
            const ia_table_t *tb = &c->m->tables[rel->table];
            for (size_t k = 0; k < tb->ncolumns; k++)
                rel_add_out(out, tb->columns[k].name, rel->table, tb->columns[k].name);
        }
    }
}

/* The target list: its columns are other uses; when this SELECT is a
 * derived relation (out), each target becomes one of its outputs, named
 * by its alias or column, traced to a base column where it is one. */
static void visit_targets(ctx_t *c, scope_t *sc, const PgQuery__SelectStmt *s, rel_t *out)
{
    for (size_t i = 0; i < s->n_target_list; i++) {
        const PgQuery__Node *tn = s->target_list[i];
        if (tn->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
            continue;
        const PgQuery__ResTarget *rt = tn->res_target;
        visit_other(c, sc, rt->val);
        if (!out)
            continue;
        term_t t = resolve_term(c, sc, rt->val);
        const char *name = rt->name && *rt->name ? rt->name : NULL;
        if (!name && rt->val && rt->val->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
            rt->val->column_ref->n_fields)
            name = node_string(rt->val->column_ref->fields[rt->val->column_ref->n_fields - 1]);
        if (rt->val && rt->val->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
            rt->val->column_ref->n_fields &&
            rt->val->column_ref->fields[rt->val->column_ref->n_fields - 1]->node_case ==
                PG_QUERY__NODE__NODE_A_STAR) {
            rel_add_star(c, sc, out);
            free_term(&t);
            continue;
        }
        rel_add_out(out, name, t.ok && !t.expr && t.scope_depth == 0 ? t.table : -1,
                    t.ok && !t.expr ? t.column : NULL);
        free_term(&t);
    }
}

/* SELECT DISTINCT: the output columns of this scope are grouped. */
static void visit_distinct(ctx_t *c, scope_t *sc, const PgQuery__SelectStmt *s)
{
    if (s->n_distinct_clause == 0)
        return;
    for (size_t i = 0; i < s->n_target_list; i++) {
        const PgQuery__Node *tn = s->target_list[i];
        if (tn->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
            continue;
        term_t t = resolve_term(c, sc, tn->res_target->val);
        if (t.ok && t.scope_depth == 0) {
            ia_use_t *u = add_use(c, &t, USE_GROUP, NULL);
            if (u)
                u->ordinal = (int)i;
        }
        free_term(&t);
    }
}

/* One SELECT (recursively its set operations, FROM items, subqueries):
 * records its uses in c->st; out, when not NULL, receives the outputs of
 * the derived relation it defines. Depth-limited against hostile input. */
static void analyze_select(ctx_t *c, const PgQuery__SelectStmt *s, scope_t *parent, rel_t *out)
{
    if (!s || c->depth_guard > 200)
        return;
    c->depth_guard++;
    scope_t sc = {0};
    sc.parent = parent;
    add_with(c, &sc, s->with_clause);
    if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE &&
        s->op != PG_QUERY__SET_OPERATION__SET_OPERATION_UNDEFINED) {
        analyze_select(c, s->larg, &sc, out);
        rel_t ignore = {0};
        ignore.derived = 1;
        analyze_select(c, s->rarg, &sc, &ignore);
        rel_free(&ignore);
        scope_free(&sc);
        c->depth_guard--;
        return;
    }
    const PgQuery__Node **quals = NULL;
    size_t nquals = 0;
    for (size_t i = 0; i < s->n_from_clause; i++)
        add_from(c, &sc, s->from_clause[i], &quals, &nquals);
    for (size_t i = 0; i < nquals; i++)
        visit_pred(c, &sc, quals[i]);
    free(quals);
    visit_pred(c, &sc, s->where_clause);
    visit_group_and_sort(c, &sc, s);
    if (s->limit_count)
        c->st->has_limit = 1;
    visit_other(c, &sc, s->having_clause);
    visit_targets(c, &sc, s, out);
    visit_distinct(c, &sc, s);
    for (size_t i = 0; i < s->n_values_lists; i++)
        visit_other(c, &sc, s->values_lists[i]);
    scope_free(&sc);
    c->depth_guard--;
}

/* ---- statements ---------------------------------------------------------- */

typedef struct {
    int max;
} maxparam_t;

/* Tree walker: the highest $n of the statement. */
static int maxparam_visit(const ProtobufCMessage *node, int depth, void *user)
{
    (void)depth;
    if (node->descriptor == &pg_query__param_ref__descriptor) {
        maxparam_t *m = user;
        int n = ((const PgQuery__ParamRef *)node)->number;
        if (n > m->max)
            m->max = n;
    }
    return 0;
}

static void analyze_modify_target(ctx_t *c, scope_t *sc, const PgQuery__RangeVar *rv)
{
    if (!rv)
        return;
    add_rangevar(c, sc, rv);
}

/* See ia_internal.h: parse with libpg_query, then the uses of SELECT,
 * INSERT ... SELECT, UPDATE and DELETE. */
int ia_extract_statement(ia_model_t *m, ia_statement_t *st, err_t *err)
{
    char *text = whatif_fix_typed_params(st->query);
    sqlparse_t *p = NULL;
    int rc = sqlparse_parse(text, &p, err);
    free(text);
    if (rc != 0) {
        st->parsed = 0;
        st->command = -1;
        return -1;
    }
    st->parsed = 1;
    st->command = -1;
    ctx_t c = {m, st, st->nuses, 0, NULL};
    for (size_t i = 0; i < sqlparse_statement_count(p); i++) {
        const PgQuery__Node *n = sqlparse_statement(p, i)->stmt;
        if (!n)
            continue;
        maxparam_t mp = {0};
        sqlparse_walk((const ProtobufCMessage *)n, maxparam_visit, &mp);
        if (mp.max > st->nparams)
            st->nparams = mp.max;
        scope_t sc = {0};
        switch (n->node_case) {
        case PG_QUERY__NODE__NODE_SELECT_STMT:
            st->command = 0;
            analyze_select(&c, n->select_stmt, NULL, NULL);
            break;
        case PG_QUERY__NODE__NODE_INSERT_STMT: {
            const PgQuery__InsertStmt *s = n->insert_stmt;
            st->command = 1;
            add_with(&c, &sc, s->with_clause);
            int t =
                s->relation ? ia_find_table(m, s->relation->schemaname, s->relation->relname) : -1;
            if (t >= 0) {
                note_table(&c, t);
                st->update_table = t; /* the written table */
            }
            if (s->select_stmt && s->select_stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT)
                analyze_select(&c, s->select_stmt->select_stmt, &sc, NULL);
            break;
        }
        case PG_QUERY__NODE__NODE_UPDATE_STMT: {
            const PgQuery__UpdateStmt *s = n->update_stmt;
            st->command = 2;
            add_with(&c, &sc, s->with_clause);
            analyze_modify_target(&c, &sc, s->relation);
            if (sc.nrels)
                st->update_table = sc.rels[0].table;
            const PgQuery__Node **quals = NULL;
            size_t nquals = 0;
            for (size_t k = 0; k < s->n_from_clause; k++)
                add_from(&c, &sc, s->from_clause[k], &quals, &nquals);
            for (size_t k = 0; k < nquals; k++)
                visit_pred(&c, &sc, quals[k]);
            free(quals);
            visit_pred(&c, &sc, s->where_clause);
            for (size_t k = 0; k < s->n_target_list; k++) {
                const PgQuery__Node *tn = s->target_list[k];
                if (tn->node_case != PG_QUERY__NODE__NODE_RES_TARGET)
                    continue;
                if (tn->res_target->name && *tn->res_target->name) {
                    st->updated_columns =
                        xrealloc(st->updated_columns, (st->nupdated + 1) * sizeof(char *));
                    st->updated_columns[st->nupdated++] = xstrdup_or_null(tn->res_target->name);
                }
                visit_other(&c, &sc, tn->res_target->val);
            }
            break;
        }
        case PG_QUERY__NODE__NODE_DELETE_STMT: {
            const PgQuery__DeleteStmt *s = n->delete_stmt;
            st->command = 3;
            add_with(&c, &sc, s->with_clause);
            analyze_modify_target(&c, &sc, s->relation);
            if (sc.nrels)
                st->update_table = sc.rels[0].table;
            const PgQuery__Node **quals = NULL;
            size_t nquals = 0;
            for (size_t k = 0; k < s->n_using_clause; k++)
                add_from(&c, &sc, s->using_clause[k], &quals, &nquals);
            for (size_t k = 0; k < nquals; k++)
                visit_pred(&c, &sc, quals[k]);
            free(quals);
            visit_pred(&c, &sc, s->where_clause);
            break;
        }
        default:
            break;
        }
        scope_free(&sc);
    }
    sqlparse_destroy(&p);
    return 0;
}
