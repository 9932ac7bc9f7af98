/* sqlparams.c - see sqlparams.h. */
#include "common/sqlparams.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/sqlparse.h"
#include "common/whatif.h"

typedef struct {
    const char *schema, *relname, *alias;
} rel_t;

typedef struct {
    rel_t *rels;
    size_t nrels, caprels;
    char **pool; /* strings built while inferring (type names of casts) */
    size_t npool, cappool;
    sqlparams_coltype_fn coltype;
    void *user;
    sqlparams_t *out;
    int changed;
} ctx_t;

/* Keeps the malloc()ed s until the end of the inference (types built
 * from the tree, e.g. "integer[]", outlive the node that named them);
 * returns s. */
static const char *keep(ctx_t *c, char *s)
{
    if (c->npool == c->cappool) {
        size_t cap = c->cappool ? c->cappool * 2 : 16;
        c->pool = xreallocarray(c->pool, cap, sizeof *c->pool);
        c->cappool = cap;
    }
    c->pool[c->npool++] = s;
    return s;
}

static const char *str_of(const PgQuery__Node *n)
{
    return n && n->node_case == PG_QUERY__NODE__NODE_STRING && n->string ? n->string->sval : NULL;
}

static int is_date(const char *t)
{
    return t && strcmp(t, "date") == 0;
}

static int is_timestamp(const char *t)
{
    return t && strncmp(t, "timestamp", 9) == 0;
}

/* The type of a column reference (col, rel.col or schema.rel.col) among the
 * statement's relations, asked of the caller's coltype callback; NULL when
 * unknown, ambiguous or t.*. */
static const char *column_type(ctx_t *c, const PgQuery__ColumnRef *cr)
{
    const char *f[3] = {NULL, NULL, NULL};
    size_t n = cr->n_fields;
    if (n < 1 || n > 3)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(f[i] = str_of(cr->fields[i])))
            return NULL; /* t.* */
    const char *col = f[n - 1];
    const char *qual = n >= 2 ? f[n - 2] : NULL;
    const char *schema = n == 3 ? f[0] : NULL;
    for (size_t i = 0; i < c->nrels; i++) {
        const rel_t *r = &c->rels[i];
        if (qual) {
            int match = r->alias ? strcmp(r->alias, qual) == 0
                                 : strcmp(r->relname, qual) == 0 &&
                                       (!schema || (r->schema && strcmp(r->schema, schema) == 0));
            if (!match)
                continue;
        }
        const char *t = c->coltype(c->user, r->schema, r->relname, col);
        if (t)
            return t;
    }
    return NULL;
}

/* A TypeName as text (its last name, [] per array bound), kept until the end
 * of the inference; NULL when it has no name. */
static const char *typename_of(ctx_t *c, const PgQuery__TypeName *tn)
{
    if (!tn || tn->n_names < 1)
        return NULL;
    const char *last = str_of(tn->names[tn->n_names - 1]);
    if (!last)
        return NULL;
    size_t len = strlen(last) + 3 * tn->n_array_bounds + 1;
    char *s = xmalloc(len);
    strcpy(s, last);
    for (size_t i = 0; i < tn->n_array_bounds; i++)
        strcat(s, "[]");
    return keep(c, s);
}

static const char *funcname(const PgQuery__FuncCall *f)
{
    return f->n_funcname ? str_of(f->funcname[f->n_funcname - 1]) : NULL;
}

static const char *op_name(const PgQuery__AExpr *e)
{
    return e->n_name ? str_of(e->name[e->n_name - 1]) : NULL;
}

static int is_arith(const char *op)
{
    return op && (strcmp(op, "+") == 0 || strcmp(op, "-") == 0 || strcmp(op, "*") == 0 ||
                  strcmp(op, "/") == 0 || strcmp(op, "%") == 0);
}

static const char *expr_type(ctx_t *c, const PgQuery__Node *n);

/* The type of a CASE: of its first typed THEN result, else of its ELSE; NULL
 * when none is typed. */
static const char *case_type(ctx_t *c, const PgQuery__CaseExpr *ce)
{
    for (size_t i = 0; i < ce->n_args; i++) {
        const PgQuery__Node *w = ce->args[i];
        if (w && w->node_case == PG_QUERY__NODE__NODE_CASE_WHEN) {
            const char *t = expr_type(c, w->case_when->result);
            if (t)
                return t;
        }
    }
    return expr_type(c, ce->defresult);
}

/* The type an expression has, when it can be told without the server: a
 * column, a cast, a typed parameter, a constant, arithmetic, CASE, COALESCE,
 * some functions; NULL otherwise. */
static const char *expr_type(ctx_t *c, const PgQuery__Node *n)
{
    if (!n)
        return NULL;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF:
        return column_type(c, n->column_ref);
    case PG_QUERY__NODE__NODE_TYPE_CAST:
        return typename_of(c, n->type_cast->type_name);
    case PG_QUERY__NODE__NODE_PARAM_REF: {
        int k = n->param_ref->number;
        if (k < 1 || (size_t)k > c->out->n)
            return NULL;
        const char *t = c->out->types[k - 1];
        return t && strcmp(t, "unknown") != 0 ? t : NULL;
    }
    case PG_QUERY__NODE__NODE_A_CONST: {
        const PgQuery__AConst *a = n->a_const;
        if (a->isnull)
            return NULL;
        if (a->val_case == PG_QUERY__A__CONST__VAL_IVAL)
            return "integer";
        if (a->val_case == PG_QUERY__A__CONST__VAL_FVAL)
            return "numeric";
        if (a->val_case == PG_QUERY__A__CONST__VAL_BOOLVAL)
            return "boolean";
        return NULL; /* a string literal is unknown to the server too */
    }
    case PG_QUERY__NODE__NODE_A_EXPR: {
        const PgQuery__AExpr *e = n->a_expr;
        const char *op = op_name(e);
        if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !is_arith(op))
            return NULL;
        const char *lt = expr_type(c, e->lexpr), *rt = expr_type(c, e->rexpr);
        if (is_date(lt) && is_date(rt) && strcmp(op, "-") == 0)
            return "integer";
        if (is_date(lt) || is_timestamp(lt))
            return lt;
        if (is_date(rt) || is_timestamp(rt))
            return rt;
        if ((lt && strcmp(lt, "numeric") == 0) || (rt && strcmp(rt, "numeric") == 0))
            return "numeric";
        return lt ? lt : rt;
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
        const PgQuery__FuncCall *f = n->func_call;
        const char *name = funcname(f);
        if (!name)
            return NULL;
        if (strcmp(name, "count") == 0)
            return "bigint";
        if (strcmp(name, "avg") == 0)
            return "numeric";
        if ((strcmp(name, "sum") == 0 || strcmp(name, "min") == 0 || strcmp(name, "max") == 0) &&
            f->n_args == 1) {
            const char *t = expr_type(c, f->args[0]);
            if (t && strcmp(name, "sum") == 0 &&
                (strcmp(t, "integer") == 0 || strcmp(t, "int4") == 0 || strcmp(t, "smallint") == 0))
                return "bigint";
            return t;
        }
        if (strcmp(name, "lower") == 0 || strcmp(name, "upper") == 0 ||
            strcmp(name, "substring") == 0 || strcmp(name, "concat") == 0)
            return "text";
        return NULL;
    }
    case PG_QUERY__NODE__NODE_CASE_EXPR:
        return case_type(c, n->case_expr);
    default:
        return NULL;
    }
}

/* Gives parameter $k the type (and where it came from, and its kind: value,
 * LIMIT, OFFSET) unless it already has a known one; marks the pass as having
 * changed something. */
static void set_param(ctx_t *c, int k, const char *type, const char *source, sqlparam_kind_t kind)
{
    if (k < 1 || (size_t)k > c->out->n || !type)
        return;
    char **slot = &c->out->types[k - 1];
    if (*slot && strcmp(*slot, "unknown") != 0)
        return;
    free(*slot);
    *slot = xstrdup(type);
    free(c->out->source[k - 1]);
    c->out->source[k - 1] = source ? xstrdup(source) : NULL;
    if (kind != SQLPARAM_VALUE)
        c->out->kind[k - 1] = kind;
    c->changed = 1;
}

/* Gives node (a $n, or arithmetic over $n) the type target. */
static void assign(ctx_t *c, const PgQuery__Node *n, const char *target, const char *source)
{
    if (!n || !target)
        return;
    if (n->node_case == PG_QUERY__NODE__NODE_PARAM_REF) {
        set_param(c, n->param_ref->number, target, source, SQLPARAM_VALUE);
        return;
    }
    if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR)
        return;
    const PgQuery__AExpr *e = n->a_expr;
    const char *op = op_name(e);
    if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !is_arith(op))
        return;
    int plusminus = strcmp(op, "+") == 0 || strcmp(op, "-") == 0;
    if (plusminus && (is_date(target) || is_timestamp(target))) {
        /* a date bound "$a - $b": date - integer; a timestamp: ts - interval */
        assign(c, e->lexpr, target, source);
        assign(c, e->rexpr, is_date(target) ? "integer" : "interval", source);
        return;
    }
    assign(c, e->lexpr, target, source);
    assign(c, e->rexpr, target, source);
}

static const char *source_name(const PgQuery__Node *n)
{
    if (n && n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && n->column_ref->n_fields)
        return str_of(n->column_ref->fields[n->column_ref->n_fields - 1]);
    return NULL;
}

/* Types the parameters of an operator expression from the other side: = < IN
 * BETWEEN ANY/ALL (an array of the other side's type), and arithmetic (date
 * + $n, timestamp - $n, numbers). */
static void visit_aexpr(ctx_t *c, const PgQuery__AExpr *e)
{
    const char *lt = expr_type(c, e->lexpr), *rt = expr_type(c, e->rexpr);
    const char *lsrc = source_name(e->lexpr), *rsrc = source_name(e->rexpr);
    switch (e->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM:
        if (e->rexpr && e->rexpr->node_case == PG_QUERY__NODE__NODE_LIST)
            for (size_t i = 0; i < e->rexpr->list->n_items; i++)
                assign(c, e->rexpr->list->items[i], lt, lsrc);
        return;
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL:
        if (lt && e->rexpr && e->rexpr->node_case == PG_QUERY__NODE__NODE_PARAM_REF) {
            char *arr = xasprintf("%s[]", lt);
            assign(c, e->rexpr, keep(c, arr), lsrc);
        }
        return;
    default:
        break;
    }
    const char *op = op_name(e);
    if (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP && is_arith(op)) {
        int plusminus = strcmp(op, "+") == 0 || strcmp(op, "-") == 0;
        if (lt && !rt) {
            /* date + $n is date + integer, timestamp + $n adds an interval */
            const char *t = plusminus && is_date(lt)        ? "integer"
                            : plusminus && is_timestamp(lt) ? "interval"
                                                            : lt;
            assign(c, e->rexpr, t, lsrc);
        } else if (rt && !lt) {
            assign(c, e->lexpr, rt, rsrc);
        }
        return;
    }
    /* comparisons, LIKE, IS DISTINCT FROM, NULLIF */
    if (lt)
        assign(c, e->rexpr, lt, lsrc);
    if (rt)
        assign(c, e->lexpr, rt, rsrc);
}

/* Types the parameters among a CASE's results from a typed result (or
 * fallback, for a CASE under sum/avg), and those compared in CASE x WHEN $n
 * from x. */
static void visit_case(ctx_t *c, const PgQuery__CaseExpr *ce, const char *fallback)
{
    const char *t = case_type(c, ce);
    const char *src = "CASE";
    if (!t) {
        t = fallback;
        src = "CASE under an aggregate";
    }
    for (size_t i = 0; i < ce->n_args; i++) {
        const PgQuery__Node *w = ce->args[i];
        if (w && w->node_case == PG_QUERY__NODE__NODE_CASE_WHEN) {
            assign(c, w->case_when->result, t, src);
            if (ce->arg) /* CASE x WHEN $1: $1 has x's type */
                assign(c, w->case_when->expr, expr_type(c, ce->arg), source_name(ce->arg));
        }
    }
    assign(c, ce->defresult, t, src);
}

/* sqlparse_walk callback of one typing pass over the statement: operators,
 * CASE, functions (sum/avg of CASE), COALESCE, casts of parameters, LIMIT
 * and OFFSET. Always 0: the walk goes on. */
static int visit(const ProtobufCMessage *node, int depth, void *user)
{
    (void)depth;
    ctx_t *c = user;
    const ProtobufCMessageDescriptor *d = node->descriptor;
    if (d == &pg_query__a__expr__descriptor) {
        visit_aexpr(c, (const PgQuery__AExpr *)node);
    } else if (d == &pg_query__case_expr__descriptor) {
        visit_case(c, (const PgQuery__CaseExpr *)node, NULL);
    } else if (d == &pg_query__func_call__descriptor) {
        const PgQuery__FuncCall *f = (const PgQuery__FuncCall *)node;
        const char *name = funcname(f);
        /* sum(CASE WHEN .. THEN $1 ELSE $2 END): the server would resolve
         * the unknown results to text, and sum(text) does not exist */
        if (name && (strcmp(name, "sum") == 0 || strcmp(name, "avg") == 0) && f->n_args == 1 &&
            f->args[0]->node_case == PG_QUERY__NODE__NODE_CASE_EXPR)
            visit_case(c, f->args[0]->case_expr, "numeric");
    } else if (d == &pg_query__coalesce_expr__descriptor) {
        const PgQuery__CoalesceExpr *ce = (const PgQuery__CoalesceExpr *)node;
        const char *t = NULL;
        for (size_t i = 0; i < ce->n_args && !t; i++)
            t = expr_type(c, ce->args[i]);
        for (size_t i = 0; i < ce->n_args; i++)
            assign(c, ce->args[i], t, "COALESCE");
    } else if (d == &pg_query__type_cast__descriptor) {
        const PgQuery__TypeCast *tc = (const PgQuery__TypeCast *)node;
        if (tc->arg && tc->arg->node_case == PG_QUERY__NODE__NODE_PARAM_REF)
            assign(c, tc->arg, typename_of(c, tc->type_name), "cast");
    } else if (d == &pg_query__select_stmt__descriptor) {
        const PgQuery__SelectStmt *s = (const PgQuery__SelectStmt *)node;
        if (s->limit_count && s->limit_count->node_case == PG_QUERY__NODE__NODE_PARAM_REF)
            set_param(c, s->limit_count->param_ref->number, "bigint", "LIMIT", SQLPARAM_LIMIT);
        if (s->limit_offset && s->limit_offset->node_case == PG_QUERY__NODE__NODE_PARAM_REF)
            set_param(c, s->limit_offset->param_ref->number, "bigint", "OFFSET", SQLPARAM_OFFSET);
    }
    return 0;
}

/* sqlparse_walk callback: records every relation (schema, name, alias) the
 * statement names, for column lookups. */
static int collect_rels(const ProtobufCMessage *node, int depth, void *user)
{
    (void)depth;
    ctx_t *c = user;
    if (node->descriptor != &pg_query__range_var__descriptor)
        return 0;
    const PgQuery__RangeVar *rv = (const PgQuery__RangeVar *)node;
    if (!rv->relname)
        return 0;
    if (c->nrels == c->caprels) {
        size_t cap = c->caprels ? c->caprels * 2 : 8;
        c->rels = xreallocarray(c->rels, cap, sizeof *c->rels);
        c->caprels = cap;
    }
    rel_t *r = &c->rels[c->nrels++];
    r->schema = rv->schemaname && *rv->schemaname ? rv->schemaname : NULL;
    r->relname = rv->relname;
    r->alias = rv->alias && rv->alias->aliasname ? rv->alias->aliasname : NULL;
    return 0;
}

/* sqlparse_walk callback: the highest $n in the tree into the int user. */
static int max_param_ref(const ProtobufCMessage *node, int depth, void *user)
{
    (void)depth;
    if (node->descriptor == &pg_query__param_ref__descriptor) {
        int *mx = user;
        int k = ((const PgQuery__ParamRef *)node)->number;
        if (k > *mx)
            *mx = k;
    }
    return 0;
}

/* Highest $n of a text, lexically (outside quotes): the parse of the fixed
 * text no longer holds the parameters the fix replaced. */
static int max_param_text(const char *sql)
{
    int mx = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
            continue;
        }
        if (*p == '\'' || *p == '"') {
            quote = *p;
            continue;
        }
        if (*p == '$' && isdigit((unsigned char)p[1]) &&
            (p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_'))) {
            int k = atoi(p + 1);
            if (k > mx && k < 100000)
                mx = k;
        }
    }
    return mx;
}

int sqlparams_infer(const char *sql, sqlparams_coltype_fn coltype, void *user, sqlparams_t **out,
                    err_t *err)
{
    if (!sql || !coltype || !out)
        return err_set(err, "sqlparams_infer: missing argument");
    *out = NULL;
    char *fixed = whatif_fix_typed_params(sql);
    sqlparse_t *parse = NULL;
    err_t perr;
    if (sqlparse_parse(fixed, &parse, &perr) != 0) {
        free(fixed);
        return err_set(err, "cannot parse statement: %s", perr.msg);
    }
    ctx_t c;
    memset(&c, 0, sizeof c);
    c.coltype = coltype;
    c.user = user;
    int in_tree = 0;
    size_t nst = sqlparse_statement_count(parse);
    for (size_t i = 0; i < nst; i++) {
        const PgQuery__RawStmt *st = sqlparse_statement(parse, i);
        if (st && st->stmt) {
            sqlparse_walk((const ProtobufCMessage *)st->stmt, collect_rels, &c);
            sqlparse_walk((const ProtobufCMessage *)st->stmt, max_param_ref, &in_tree);
        }
    }
    int in_text = max_param_text(sql);
    size_t n = (size_t)(in_text > in_tree ? in_text : in_tree);
    sqlparams_t *p = xcalloc(1, sizeof *p);
    p->n = n;
    p->types = xcalloc(n + 1, sizeof *p->types);
    p->source = xcalloc(n + 1, sizeof *p->source);
    p->kind = xcalloc(n + 1, sizeof *p->kind);
    c.out = p;
    /* types flow through expressions ($2 - l_discount typed, then the sum
     * over it): repeat until nothing changes */
    for (int round = 0; round < 6; round++) {
        c.changed = 0;
        for (size_t i = 0; i < nst; i++) {
            const PgQuery__RawStmt *st = sqlparse_statement(parse, i);
            if (st && st->stmt)
                sqlparse_walk((const ProtobufCMessage *)st->stmt, visit, &c);
        }
        if (!c.changed)
            break;
    }
    /* parameters the text fix removed: declared text (never referenced) */
    if (n) {
        char *seen = xcalloc(n + 1, 1);
        /* a $k absent from the tree: mark by a lexical scan of the fixed text */
        for (const char *q = fixed; *q; q++)
            if (*q == '$' && isdigit((unsigned char)q[1])) {
                int k = atoi(q + 1);
                if (k >= 1 && (size_t)k <= n)
                    seen[k] = 1;
            }
        for (size_t k = 1; k <= n; k++) {
            if (!seen[k] && !p->types[k - 1]) {
                p->types[k - 1] = xstrdup("text");
                p->source[k - 1] = xstrdup("extract field");
                p->kind[k - 1] = SQLPARAM_REMOVED;
            }
        }
        free(seen);
    }
    for (size_t k = 0; k < n; k++)
        if (!p->types[k])
            p->types[k] = xstrdup("unknown");
    *out = p;
    for (size_t i = 0; i < c.npool; i++)
        free(c.pool[i]);
    free(c.pool);
    free(c.rels);
    sqlparse_destroy(&parse);
    free(fixed);
    return 0;
}

size_t sqlparams_typed_count(const sqlparams_t *p)
{
    size_t k = 0;
    for (size_t i = 0; p && i < p->n; i++)
        k += p->types[i] && strcmp(p->types[i], "unknown") != 0;
    return k;
}

/* Frees a parameter list and sets *pp to NULL; safe on NULL and twice. */
void sqlparams_destroy(sqlparams_t **pp)
{
    if (!pp || !*pp)
        return;
    sqlparams_t *p = *pp;
    for (size_t i = 0; i < p->n; i++) {
        if (p->types)
            free(p->types[i]);
        if (p->source)
            free(p->source[i]);
    }
    free(p->types);
    free(p->source);
    free(p->kind);
    free(p);
    *pp = NULL;
}
