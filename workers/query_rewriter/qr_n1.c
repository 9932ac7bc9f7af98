/* qr_n1.c - N+1 seen from the database alone (pg_stat_statements): a
 * statement that selects from a child table by its foreign key (WHERE fk =
 * $n), called many times per call of a statement that reads the parent
 * table, at about the rate the parent statement returns rows, is the
 * signature of a loop that queries once per parent row. The batched form
 * (fk = ANY($n::type[])) is deparsed from the edited tree. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workers/query_rewriter/qr_internal.h"
#include "common/jsonget.h"

#define QR_N1_MIN_RATIO 5.0 /* child calls per parent call */
#define QR_N1_MIN_CALLS 100 /* child calls */

typedef struct {
    const qr_catalog_t *cat;
    const qr_table_t *want;
    int found;
} reads_t;

/* sqlparse_walk visitor: stops (returns 1) at the first relation that is the table r->want,
 * setting r->found. */
static int reads_visit(const ProtobufCMessage *m, int depth, void *user)
{
    (void)depth;
    reads_t *r = user;
    if (m->descriptor == &pg_query__range_var__descriptor) {
        const PgQuery__RangeVar *rv = (const PgQuery__RangeVar *)m;
        if (qr_table_find(r->cat, rv->schemaname && *rv->schemaname ? rv->schemaname : NULL,
                          rv->relname) == r->want) {
            r->found = 1;
            return 1;
        }
    }
    return 0;
}

/* The FK (single column) of t whose column is col. */
static const qr_constraint_t *fk_of(const qr_catalog_t *cat, const qr_table_t *t, const char *col)
{
    for (size_t i = 0; i < cat->nconstraints; i++) {
        const qr_constraint_t *k = &cat->constraints[i];
        if (strcmp(k->type, "f") == 0 && k->ncols == 1 && strcmp(k->cols[0], col) == 0 &&
            strcmp(k->table, t->name) == 0 && strcmp(k->schema, t->schema) == 0 && k->ref_table)
            return k;
    }
    return NULL;
}

/* The child pattern: SELECT ... FROM child WHERE fk = $n [AND ...]. On a
 * match the tree is edited to fk = ANY($n::type[]) and *slot describes it. */
static int child_pattern(const qr_catalog_t *cat, sqlparse_t *p, const qr_table_t **child,
                         const qr_constraint_t **fk, int *param)
{
    PgQuery__ParseResult *t = sqlparse_tree_mutable(p);
    if (t->n_stmts != 1 || !t->stmts[0]->stmt ||
        t->stmts[0]->stmt->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
        return 0;
    PgQuery__SelectStmt *s = t->stmts[0]->stmt->select_stmt;
    if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE || s->n_from_clause != 1 ||
        s->from_clause[0]->node_case != PG_QUERY__NODE__NODE_RANGE_VAR || !s->where_clause)
        return 0;
    qr_scope_t sc;
    qr_scope_build(&sc, cat, s, NULL);
    if (sc.n != 1 || !sc.r[0].table)
        return 0;
    PgQuery__Node **slots[16];
    size_t ns = 0;
    PgQuery__Node *w = s->where_clause;
    if (w->node_case == PG_QUERY__NODE__NODE_BOOL_EXPR &&
        w->bool_expr->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR) {
        for (size_t i = 0; i < w->bool_expr->n_args && ns < 16; i++)
            slots[ns++] = &w->bool_expr->args[i];
    } else {
        slots[ns++] = &s->where_clause;
    }
    for (size_t i = 0; i < ns; i++) {
        PgQuery__Node *n = *slots[i];
        if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR ||
            n->a_expr->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !qr_aexpr_op(n->a_expr) ||
            strcmp(qr_aexpr_op(n->a_expr), "=") != 0)
            continue;
        int num_ = 0;
        /* SQLAlchemy's lazy loads emit "$1 = child.fk": equality is
         * symmetric, so put the column on the left. */
        if (n->a_expr->lexpr && n->a_expr->rexpr &&
            n->a_expr->lexpr->node_case == PG_QUERY__NODE__NODE_PARAM_REF &&
            n->a_expr->rexpr->node_case != PG_QUERY__NODE__NODE_PARAM_REF) {
            PgQuery__Node *tmp = n->a_expr->lexpr;
            n->a_expr->lexpr = n->a_expr->rexpr;
            n->a_expr->rexpr = tmp;
        }
        if (!qr_is_param(n->a_expr->rexpr, &num_) ||
            n->a_expr->rexpr->node_case != PG_QUERY__NODE__NODE_PARAM_REF)
            continue;
        const qr_column_t *c = qr_resolve_local(&sc, cat, n->a_expr->lexpr, NULL);
        const qr_constraint_t *k = c ? fk_of(cat, sc.r[0].table, c->name) : NULL;
        if (!k)
            continue;
        char type[300];
        snprintf(type, sizeof type, "%s[]", c->type);
        PgQuery__Node *l = n->a_expr->lexpr;
        n->a_expr->lexpr = NULL;
        qr_node_free(n);
        *slots[i] = qr_node_aexpr(PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY, "=", l,
                                  qr_node_cast(qr_node_param(num_), type));
        *child = sc.r[0].table;
        *fk = k;
        *param = num_;
        return 1;
    }
    return 0;
}

/* The parent statement of an N+1 child statement (ccalls calls, index i):
 * the SELECT reading parent whose rows per call best match the child
 * calls per parent call (within 2x). Sets *ratio (child calls per parent
 * call) and *rpc (parent rows per call); NULL when there is none. */
static const json_t *n1_parent(const qr_catalog_t *cat, const json_t *statements, size_t i,
                               double ccalls, const qr_table_t *parent, double *ratio_out,
                               double *rpc_out)
{
    size_t n = json_array_size(statements);
    const json_t *best = NULL;
    double best_dist = 1e300;
    for (size_t k = 0; parent && k < n; k++) {
        const json_t *ps = json_array_get(statements, k);
        double pcalls = jget_num_or(ps, "calls", 0);
        const char *pq = json_string_value(json_object_get(ps, "query"));
        if (k == i || !pq || pcalls <= 0 || ccalls / pcalls < QR_N1_MIN_RATIO)
            continue;
        sqlparse_t *pp = NULL;
        if (sqlparse_parse(pq, &pp, NULL) != 0)
            continue;
        const PgQuery__ParseResult *pt = sqlparse_tree(pp);
        int is_select = pt->n_stmts == 1 && pt->stmts[0]->stmt &&
                        pt->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT;
        reads_t rd = {cat, parent, 0};
        if (is_select)
            sqlparse_walk((const ProtobufCMessage *)pt, reads_visit, &rd);
        sqlparse_destroy(&pp);
        if (!rd.found)
            continue;
        double ratio = ccalls / pcalls;
        double rpc = jget_num_or(ps, "rows", 0) / pcalls;
        if (rpc <= 0)
            continue;
        /* similar rhythm: one child call per parent row, within 2x */
        double dist = fabs(log(ratio / rpc));
        if (dist > log(2.0))
            continue;
        if (dist < best_dist) {
            best_dist = dist;
            best = ps;
            *ratio_out = ratio;
            *rpc_out = rpc;
        }
    }
    return best;
}

/* The seed's rewrites entry (type n1_fix) for child statement cs on table
 * child by foreign key fk, batched into the text batched with $param,
 * called best_ratio times per call of parent statement best (best_rpc rows
 * per call). */
static json_t *n1_entry(const json_t *cs, const json_t *best, const qr_table_t *child,
                        const qr_constraint_t *fk, const qr_table_t *parent, int param,
                        const char *batched, double best_ratio, double best_rpc, int *next_id)
{
    const char *cq = json_string_value(json_object_get(cs, "query"));
    double ccalls = jget_num_or(cs, "calls", 0);
    double pcalls = jget_num_or(best, "calls", 0);
    double saved = ccalls - pcalls;
    json_t *rw = json_object();
    char id[32], gain[64], expl[1400];
    snprintf(id, sizeof id, "qry-%03d", ++*next_id);
    snprintf(gain, sizeof gain, "%.0fx fewer round trips", best_ratio);
    snprintf(expl, sizeof expl,
             "N+1 seen in pg_stat_statements: this statement on %s by its foreign key %s "
             "(%s -> %s) ran %.0f times, %.1f times per call of a statement on %s that "
             "returns %.1f rows per call: one query per parent row. Fetch the children of all "
             "parent rows at once with %s = ANY($%d) (or join %s into the parent query): %.0f "
             "round trips saved over the stats window",
             child->name, fk->cols[0], fk->name, parent->name, ccalls, best_ratio, parent->name,
             best_rpc, fk->cols[0], param, child->name, saved);
    json_object_set_new(rw, "id", json_string(id));
    json_object_set_new(rw, "file", json_null());
    json_object_set_new(rw, "line", json_null());
    json_object_set_new(rw, "type", json_string("n1_fix"));
    json_object_set_new(rw, "original", json_string(cq));
    json_object_set_new(rw, "optimized", json_string(batched));
    json_object_set_new(rw, "explanation", json_string(expl));
    json_object_set_new(rw, "estimated_gain", json_string(gain));
    json_object_set_new(rw, "priority",
                        json_string(saved >= 10000  ? "P1"
                                    : saved >= 1000 ? "P2"
                                                    : "P3"));
    if (json_is_integer(json_object_get(cs, "queryid")))
        json_object_set(rw, "queryid", json_object_get(cs, "queryid"));
    json_t *ev = json_object();
    json_object_set_new(ev, "child_calls", json_integer((json_int_t)ccalls));
    json_object_set_new(ev, "parent_calls", json_integer((json_int_t)pcalls));
    json_object_set_new(ev, "parent_rows_per_call", json_real(best_rpc));
    json_object_set_new(ev, "child_calls_per_parent_call", json_real(best_ratio));
    json_object_set_new(ev, "round_trips_saved", json_integer((json_int_t)saved));
    json_object_set_new(ev, "child_mean_exec_time_ms",
                        json_real(jget_num_or(cs, "mean_exec_time", 0)));
    if (json_is_integer(json_object_get(best, "queryid")))
        json_object_set(ev, "parent_queryid", json_object_get(best, "queryid"));
    json_object_set_new(ev, "parent_query",
                        json_string(json_string_value(json_object_get(best, "query"))));
    json_object_set_new(ev, "foreign_key", json_string(fk->name));
    json_object_set_new(rw, "evidence", ev);
    return rw;
}

int qr_n1_detect(const qr_catalog_t *cat, const json_t *statements, json_t *rewrites, json_t *notes,
                 int *next_id)
{
    size_t n = json_array_size(statements);
    for (size_t i = 0; i < n; i++) {
        const json_t *cs = json_array_get(statements, i);
        const char *cq = json_string_value(json_object_get(cs, "query"));
        double ccalls = jget_num_or(cs, "calls", 0);
        if (!cq || ccalls < QR_N1_MIN_CALLS)
            continue;
        sqlparse_t *p = NULL;
        if (sqlparse_parse(cq, &p, NULL) != 0)
            continue;
        const qr_table_t *child = NULL;
        const qr_constraint_t *fk = NULL;
        int param = 0;
        if (!child_pattern(cat, p, &child, &fk, &param)) {
            sqlparse_destroy(&p);
            continue;
        }
        const qr_table_t *parent = qr_table_find(cat, fk->ref_schema, fk->ref_table);
        /* the parent statement with the closest rhythm: child calls per
         * parent call close to the rows it returns per call */
        double best_ratio = 0, best_rpc = 0;
        const json_t *best = n1_parent(cat, statements, i, ccalls, parent, &best_ratio, &best_rpc);
        if (!best) {
            sqlparse_destroy(&p);
            continue;
        }
        char *batched = NULL;
        err_t err;
        if (sqlparse_deparse(sqlparse_tree(p), &batched, &err) != 0) {
            char msg[700];
            snprintf(msg, sizeof msg, "n1_fix: batched form did not deparse: %s", err.msg);
            json_array_append_new(notes, json_string(msg));
            sqlparse_destroy(&p);
            continue;
        }
        sqlparse_destroy(&p);
        json_array_append_new(rewrites, n1_entry(cs, best, child, fk, parent, param, batched,
                                                 best_ratio, best_rpc, next_id));
        free(batched);
    }
    return 0;
}
