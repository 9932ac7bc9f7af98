/* qr_tree.c - parse-tree helpers for the rewriter's rules: name resolution in
 * a SELECT's FROM, node constructors, copies and expression printing. Every
 * node is malloc()ed because the tree is freed by protobuf-c's default
 * allocator (sqlparse.h): x* from common/alloc.h allocate with malloc, so
 * their nodes free the same way, and out of memory aborts (a half-built tree
 * could not be freed safely anyway). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "workers/query_rewriter/qr_internal.h"

/* malloc()ed printf; aborts on out of memory (never NULL). */
char *qr_strdupf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* ---- scope ------------------------------------------------------------------ */

/* Adds the ranges of one FROM item to the scope: a table (marked opaque when unknown: a CTE or a
 * relation not in the catalog), both sides of a join; anything else (subquery, function) makes the
 * scope opaque. */
static void scope_add_from(qr_scope_t *sc, const qr_catalog_t *cat, const PgQuery__Node *n)
{
    if (!n)
        return;
    if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
        PgQuery__RangeVar *rv = n->range_var;
        if (sc->n >= QR_MAX_RANGES) {
            sc->opaque = 1;
            return;
        }
        sc->r[sc->n].rv = rv;
        sc->r[sc->n].table = qr_table_find(
            cat, rv->schemaname && *rv->schemaname ? rv->schemaname : NULL, rv->relname);
        sc->r[sc->n].refname =
            rv->alias && rv->alias->aliasname ? rv->alias->aliasname : rv->relname;
        if (!sc->r[sc->n].table)
            sc->opaque = 1; /* a CTE or unknown relation: its columns are not known */
        sc->n++;
    } else if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR) {
        scope_add_from(sc, cat, n->join_expr->larg);
        scope_add_from(sc, cat, n->join_expr->rarg);
    } else {
        sc->opaque = 1;
    }
}

void qr_scope_build(qr_scope_t *sc, const qr_catalog_t *cat, const PgQuery__SelectStmt *s,
                    const qr_scope_t *parent)
{
    memset(sc, 0, sizeof *sc);
    sc->parent = parent;
    for (size_t i = 0; s && i < s->n_from_clause; i++)
        scope_add_from(sc, cat, s->from_clause[i]);
}

static const char *field_str(const PgQuery__Node *f)
{
    return f && f->node_case == PG_QUERY__NODE__NODE_STRING && f->string ? f->string->sval : NULL;
}

const qr_column_t *qr_resolve_local(const qr_scope_t *sc, const qr_catalog_t *cat,
                                    const PgQuery__Node *n, int *range)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
        return NULL;
    const PgQuery__ColumnRef *cr = n->column_ref;
    if (cr->n_fields == 1) {
        const char *col = field_str(cr->fields[0]);
        if (!col || sc->opaque)
            return NULL;
        const qr_column_t *found = NULL;
        for (int i = 0; i < sc->n; i++) {
            const qr_column_t *c = qr_column_find(cat, sc->r[i].table, col);
            if (c) {
                if (found)
                    return NULL; /* ambiguous */
                found = c;
                if (range)
                    *range = i;
            }
        }
        return found;
    }
    if (cr->n_fields == 2) {
        const char *rel = field_str(cr->fields[0]);
        const char *col = field_str(cr->fields[1]);
        if (!rel || !col)
            return NULL;
        for (int i = 0; i < sc->n; i++) {
            if (strcmp(sc->r[i].refname, rel) == 0) {
                if (range)
                    *range = i;
                return qr_column_find(cat, sc->r[i].table, col);
            }
        }
    }
    return NULL;
}

/* ---- inspection ----------------------------------------------------------- */

/* The last field of a ColumnRef (the column name), NULL for anything else or a star. */
const char *qr_colref_last(const PgQuery__Node *n)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF || n->column_ref->n_fields == 0)
        return NULL;
    return field_str(n->column_ref->fields[n->column_ref->n_fields - 1]);
}

const char *qr_func_name(const PgQuery__FuncCall *fc)
{
    if (!fc || fc->n_funcname == 0)
        return NULL;
    return field_str(fc->funcname[fc->n_funcname - 1]);
}

const char *qr_aexpr_op(const PgQuery__AExpr *a)
{
    if (!a || a->n_name == 0)
        return NULL;
    return field_str(a->name[a->n_name - 1]);
}

int qr_is_param(const PgQuery__Node *n, int *number)
{
    if (n && n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
        n = n->type_cast->arg;
    if (n && n->node_case == PG_QUERY__NODE__NODE_PARAM_REF) {
        if (number)
            *number = n->param_ref->number;
        return 1;
    }
    return 0;
}

/* sqlparse_walk visitor: the highest $n seen, into *(int *)user. Always returns 0 (continue). */
static int max_param_visit(const ProtobufCMessage *m, int depth, void *user)
{
    (void)depth;
    if (m->descriptor == &pg_query__param_ref__descriptor) {
        const PgQuery__ParamRef *p = (const PgQuery__ParamRef *)m;
        int *mx = user;
        if (p->number > *mx)
            *mx = p->number;
    }
    return 0;
}

int qr_max_param(const ProtobufCMessage *root)
{
    int mx = 0;
    sqlparse_walk(root, max_param_visit, &mx);
    return mx;
}

/* ---- constructors --------------------------------------------------------- */

/* A new, initialised Node (aborts on out of memory). */
static PgQuery__Node *node_new(void)
{
    PgQuery__Node *n = xcalloc(1, sizeof *n);
    pg_query__node__init(n);
    return n;
}

/* A String node holding a copy of s. */
PgQuery__Node *qr_node_string(const char *s)
{
    PgQuery__String *v = xcalloc(1, sizeof *v);
    pg_query__string__init(v);
    v->sval = xstrdup(s ? s : "");
    PgQuery__Node *n = node_new();
    n->node_case = PG_QUERY__NODE__NODE_STRING;
    n->string = v;
    return n;
}

/* A ColumnRef rel.col, or col alone when rel is NULL. */
PgQuery__Node *qr_node_colref2(const char *rel, const char *col)
{
    PgQuery__ColumnRef *c = xcalloc(1, sizeof *c);
    pg_query__column_ref__init(c);
    c->location = -1;
    c->fields = xcalloc(1, 2 * sizeof *c->fields);
    if (rel)
        c->fields[c->n_fields++] = qr_node_string(rel);
    c->fields[c->n_fields++] = qr_node_string(col);
    PgQuery__Node *n = node_new();
    n->node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
    n->column_ref = c;
    return n;
}

PgQuery__Node *qr_node_param(int number)
{
    PgQuery__ParamRef *p = xcalloc(1, sizeof *p);
    pg_query__param_ref__init(p);
    p->number = number;
    p->location = -1;
    PgQuery__Node *n = node_new();
    n->node_case = PG_QUERY__NODE__NODE_PARAM_REF;
    n->param_ref = p;
    return n;
}

/* An integer constant node. */
PgQuery__Node *qr_node_int(int v)
{
    PgQuery__Integer *i = xcalloc(1, sizeof *i);
    pg_query__integer__init(i);
    i->ival = v;
    PgQuery__AConst *c = xcalloc(1, sizeof *c);
    pg_query__a__const__init(c);
    c->location = -1;
    c->val_case = PG_QUERY__A__CONST__VAL_IVAL;
    c->ival = i;
    PgQuery__Node *n = node_new();
    n->node_case = PG_QUERY__NODE__NODE_A_CONST;
    n->a_const = c;
    return n;
}

/* An A_Expr l op r of the given kind (takes l and r over). */
PgQuery__Node *qr_node_aexpr(PgQuery__AExprKind kind, const char *op, PgQuery__Node *l,
                             PgQuery__Node *r)
{
    PgQuery__AExpr *a = xcalloc(1, sizeof *a);
    pg_query__a__expr__init(a);
    a->kind = kind;
    a->name = xcalloc(1, sizeof *a->name);
    a->name[0] = qr_node_string(op);
    a->n_name = 1;
    a->lexpr = l;
    a->rexpr = r;
    a->location = -1;
    PgQuery__Node *n = node_new();
    n->node_case = PG_QUERY__NODE__NODE_A_EXPR;
    n->a_expr = a;
    return n;
}

/* A BoolExpr (AND, OR, NOT) over the nargs nodes in args (takes them over). */
PgQuery__Node *qr_node_bool(PgQuery__BoolExprType op, PgQuery__Node **args, size_t nargs)
{
    PgQuery__BoolExpr *b = xcalloc(1, sizeof *b);
    pg_query__bool_expr__init(b);
    b->boolop = op;
    b->args = xcalloc(nargs, sizeof *b->args);
    for (size_t i = 0; i < nargs; i++)
        b->args[i] = args[i];
    b->n_args = nargs;
    b->location = -1;
    PgQuery__Node *n = node_new();
    n->node_case = PG_QUERY__NODE__NODE_BOOL_EXPR;
    n->bool_expr = b;
    return n;
}

/* a AND b, either may be NULL (then the other is returned); an existing AND on the left is
 * extended rather than nested, so the printed text stays flat. Takes both over. */
PgQuery__Node *qr_node_and(PgQuery__Node *a, PgQuery__Node *b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    /* flatten into an existing AND so the printed text stays flat */
    if (a->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
        a->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
        qr_list_append(&a->bool_expr->args, &a->bool_expr->n_args, b);
        return a;
    }
    PgQuery__Node *args[2] = {a, b};
    return qr_node_bool(PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR, args, 2);
}

/* Type names are parsed by the server's grammar ("SELECT NULL::<type>") so
 * multi-word types (timestamp with time zone, character varying(20)[])
 * come out as the parser builds them. */
PgQuery__Node *qr_node_cast(PgQuery__Node *arg, const char *type_sql)
{
    char *sql = qr_strdupf("NULL::%s", type_sql);
    PgQuery__Node *tmpl = qr_node_parse_expr(sql);
    free(sql);
    if (!tmpl || tmpl->node_case != PG_QUERY__NODE__NODE_TYPE_CAST) {
        qr_node_free(tmpl);
        return arg; /* a type name the grammar does not take: leave uncast */
    }
    qr_node_free(tmpl->type_cast->arg);
    tmpl->type_cast->arg = arg;
    return tmpl;
}

PgQuery__Node *qr_node_func(const char *name, PgQuery__Node **args, size_t nargs)
{
    PgQuery__FuncCall *f = xcalloc(1, sizeof *f);
    pg_query__func_call__init(f);
    f->funcname = xcalloc(1, sizeof *f->funcname);
    f->funcname[0] = qr_node_string(name);
    f->n_funcname = 1;
    f->args = xcalloc(nargs, sizeof *f->args);
    for (size_t i = 0; i < nargs; i++)
        f->args[i] = args[i];
    f->n_args = nargs;
    f->funcformat = PG_QUERY__COERCION_FORM__COERCE_EXPLICIT_CALL;
    f->location = -1;
    PgQuery__Node *n = node_new();
    n->node_case = PG_QUERY__NODE__NODE_FUNC_CALL;
    n->func_call = f;
    return n;
}

/* arg IS [NOT] NULL (takes arg over). */
PgQuery__Node *qr_node_nulltest(PgQuery__Node *arg, int is_not_null)
{
    PgQuery__NullTest *t = xcalloc(1, sizeof *t);
    pg_query__null_test__init(t);
    t->arg = arg;
    t->nulltesttype =
        is_not_null ? PG_QUERY__NULL_TEST_TYPE__IS_NOT_NULL : PG_QUERY__NULL_TEST_TYPE__IS_NULL;
    t->location = -1;
    PgQuery__Node *n = node_new();
    n->node_case = PG_QUERY__NODE__NODE_NULL_TEST;
    n->null_test = t;
    return n;
}

/* ARRAY[...] of the nelems nodes in elems (takes them over). */
PgQuery__Node *qr_node_array(PgQuery__Node **elems, size_t nelems)
{
    PgQuery__AArrayExpr *a = xcalloc(1, sizeof *a);
    pg_query__a__array_expr__init(a);
    a->elements = xcalloc(nelems, sizeof *a->elements);
    for (size_t i = 0; i < nelems; i++)
        a->elements[i] = elems[i];
    a->n_elements = nelems;
    a->location = -1;
    PgQuery__Node *n = node_new();
    n->node_case = PG_QUERY__NODE__NODE_A_ARRAY_EXPR;
    n->a_array_expr = a;
    return n;
}

/* A select-list entry val [AS name] (takes val over; name may be NULL). */
PgQuery__Node *qr_node_restarget(PgQuery__Node *val, const char *name)
{
    PgQuery__ResTarget *r = xcalloc(1, sizeof *r);
    pg_query__res_target__init(r);
    r->val = val;
    r->name = name ? xstrdup(name) : xstrdup("");
    r->location = -1;
    PgQuery__Node *n = node_new();
    n->node_case = PG_QUERY__NODE__NODE_RES_TARGET;
    n->res_target = r;
    return n;
}

PgQuery__Node *qr_node_copy(const PgQuery__Node *n)
{
    if (!n)
        return NULL;
    size_t len = pg_query__node__get_packed_size(n);
    uint8_t *buf = xmalloc(len);
    pg_query__node__pack(n, buf);
    PgQuery__Node *c = pg_query__node__unpack(NULL, len, buf);
    free(buf);
    if (!c)
        abort();
    return c;
}

void qr_node_free(PgQuery__Node *n)
{
    if (n)
        pg_query__node__free_unpacked(n, NULL);
}

PgQuery__Node *qr_node_parse_expr(const char *expr_sql)
{
    char *sql = qr_strdupf("SELECT %s", expr_sql);
    sqlparse_t *p = NULL;
    int rc = sqlparse_parse(sql, &p, NULL);
    free(sql);
    if (rc != 0)
        return NULL;
    PgQuery__ParseResult *t = sqlparse_tree_mutable(p);
    PgQuery__Node *out = NULL;
    if (t->n_stmts == 1 && t->stmts[0]->stmt &&
        t->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
        PgQuery__SelectStmt *s = t->stmts[0]->stmt->select_stmt;
        if (s->n_target_list == 1 &&
            s->target_list[0]->node_case == PG_QUERY__NODE__NODE_RES_TARGET) {
            out = s->target_list[0]->res_target->val;
            s->target_list[0]->res_target->val = NULL; /* detached: now ours */
        }
    }
    sqlparse_destroy(&p);
    return out;
}

char *qr_expr_sql(const PgQuery__Node *n)
{
    if (!n)
        return NULL;
    /* wrap in SELECT <expr>, deparse, strip the SELECT */
    sqlparse_t *p = NULL;
    if (sqlparse_parse("SELECT 1", &p, NULL) != 0)
        return NULL;
    PgQuery__SelectStmt *s = sqlparse_tree_mutable(p)->stmts[0]->stmt->select_stmt;
    PgQuery__ResTarget *rt = s->target_list[0]->res_target;
    PgQuery__Node *old = rt->val;
    rt->val = qr_node_copy(n);
    qr_node_free(old);
    char *sql = NULL;
    int rc = sqlparse_deparse(sqlparse_tree(p), &sql, NULL);
    sqlparse_destroy(&p);
    if (rc != 0)
        return NULL;
    char *out = xstrdup(strncmp(sql, "SELECT ", 7) == 0 ? sql + 7 : sql);
    free(sql);
    return out;
}

void qr_list_append(PgQuery__Node ***items, size_t *n, PgQuery__Node *x)
{
    PgQuery__Node **grown = xreallocarray(*items, *n + 1, sizeof **items);
    grown[*n] = x;
    *items = grown;
    (*n)++;
}

/* ---- edit outputs --------------------------------------------------------- */

void qr_change(qr_edit_t *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    json_array_append_new(e->changes, json_string(s));
    free(s);
}

/* Appends a printf text to a sentence buffer, joined to what is there by "; and "; truncates at
 * len. */
static void append_text(char *buf, size_t len, const char *fmt, va_list ap)
{
    size_t used = strlen(buf);
    if (used && used + 6 < len) {
        strcat(buf, "; and ");
        used = strlen(buf);
    }
    if (used < len)
        vsnprintf(buf + used, len - used, fmt, ap);
}

/* Adds a condition under which the rewrite is safe (e->safety; the entry becomes "conditional"). */
void qr_condition(qr_edit_t *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    append_text(e->safety, sizeof e->safety, fmt, ap);
    va_end(ap);
}

/* Withholds the rewrite with the reason (e->withheld): the statement gets a note instead of an
 * entry. */
void qr_withhold(qr_edit_t *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    append_text(e->withheld, sizeof e->withheld, fmt, ap);
    va_end(ap);
}
