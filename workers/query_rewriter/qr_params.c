/* qr_params.c - representative parameter values for pg_stat_statements'
 * texts, from pg_stats: for "$n compared with a column" the column's most
 * common value (else the middle histogram bound). These make EXPLAIN look at
 * real constants, and make --verify possible (a statement runs only when
 * every parameter has a value). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "workers/query_rewriter/qr_internal.h"

char *qr_column_value(const qr_column_t *c)
{
    if (!c)
        return NULL;
    const char *v = NULL;
    if (c->mcv && json_array_size(c->mcv) > 0)
        v = json_string_value(json_array_get(c->mcv, 0));
    if (!v && c->hist && json_array_size(c->hist) > 0)
        v = json_string_value(json_array_get(c->hist, json_array_size(c->hist) / 2));
    return v ? xstrdup(v) : NULL;
}

/* The k-th distinct value of a column (for IN lists: different values). */
static char *column_value_k(const qr_column_t *c, size_t k)
{
    size_t nm = c->mcv ? json_array_size(c->mcv) : 0;
    size_t nh = c->hist ? json_array_size(c->hist) : 0;
    const char *v = NULL;
    if (k < nm)
        v = json_string_value(json_array_get(c->mcv, k));
    else if (nh > 0)
        v = json_string_value(json_array_get(c->hist, (k - nm) % nh));
    else if (nm > 0)
        v = json_string_value(json_array_get(c->mcv, k % nm));
    return v ? xstrdup(v) : NULL;
}

typedef struct {
    const qr_catalog_t *cat;
    struct {
        const char *ref;
        const qr_table_t *t;
    } rels[64];
    int nrels;
    char **values;
    int max, for_cost;
    const qr_column_t *used[64]; /* columns already given a value, and how often */
    int nused[64], nu;
    json_t *how;
} bind_t;

/* sqlparse_walk visitor: lists the statement's catalog tables with the names they are referred to
 * by (alias or name), at most 64. Always returns 0 (continue). */
static int rels_visit(const ProtobufCMessage *m, int depth, void *user)
{
    (void)depth;
    bind_t *b = user;
    if (m->descriptor != &pg_query__range_var__descriptor || b->nrels >= 64)
        return 0;
    const PgQuery__RangeVar *rv = (const PgQuery__RangeVar *)m;
    const qr_table_t *t = qr_table_find(
        b->cat, rv->schemaname && *rv->schemaname ? rv->schemaname : NULL, rv->relname);
    if (!t)
        return 0;
    b->rels[b->nrels].ref = rv->alias && rv->alias->aliasname ? rv->alias->aliasname : rv->relname;
    b->rels[b->nrels].t = t;
    b->nrels++;
    return 0;
}

/* Column of a ColumnRef among all relations of the statement: qualified by
 * alias, or the one relation having that name. */
static const qr_column_t *find_col(const bind_t *b, const PgQuery__Node *n)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
        return NULL;
    const PgQuery__ColumnRef *cr = n->column_ref;
    const char *col = qr_colref_last(n);
    if (!col)
        return NULL;
    if (cr->n_fields == 2 && cr->fields[0]->node_case == PG_QUERY__NODE__NODE_STRING) {
        for (int i = 0; i < b->nrels; i++)
            if (strcmp(b->rels[i].ref, cr->fields[0]->string->sval) == 0)
                return qr_column_find(b->cat, b->rels[i].t, col);
        return NULL;
    }
    const qr_column_t *found = NULL;
    for (int i = 0; i < b->nrels; i++) {
        const qr_column_t *c = qr_column_find(b->cat, b->rels[i].t, col);
        if (c && found && c != found)
            return NULL;
        if (c)
            found = c;
    }
    return found;
}

/* Binds $num to v (taken over) unless it is out of range or already bound (first source wins),
 * recording how the value was chosen in b->how. */
static void set_value(bind_t *b, int num, char *v, const char *how)
{
    if (num < 1 || num > b->max || !v) {
        free(v);
        return;
    }
    if (b->values[num - 1]) {
        free(v);
        return;
    }
    b->values[num - 1] = v;
    char key[16];
    snprintf(key, sizeof key, "$%d", num);
    if (b->how)
        json_object_set_new(b->how, key, json_string(how));
}

/* sqlparse_walk visitor choosing parameter values: $n compared with a column (or in an IN list)
 * gets the column's pg_stats values in turn, LIMIT $n 100 and OFFSET $n 0 (not when costing).
 * Always returns 0 (continue). */
static int bind_visit(const ProtobufCMessage *m, int depth, void *user)
{
    (void)depth;
    bind_t *b = user;
    char how[300];
    if (m->descriptor == &pg_query__a__expr__descriptor) {
        const PgQuery__AExpr *a = (const PgQuery__AExpr *)m;
        const PgQuery__Node *sides[2] = {a->lexpr, a->rexpr};
        for (int s = 0; s < 2; s++) {
            const qr_column_t *c = find_col(b, sides[s]);
            const PgQuery__Node *o = sides[1 - s];
            if (!c || !o)
                continue;
            int num;
            if (qr_is_param(o, &num)) {
                /* a second $n on the same column gets the next value: two
                 * parameters are rarely meant to be equal (UNION branches) */
                int u = 0;
                while (u < b->nu && b->used[u] != c)
                    u++;
                if (u == b->nu && b->nu < 64) {
                    b->used[b->nu] = c;
                    b->nused[b->nu++] = 0;
                }
                size_t k = u < 64 ? (size_t)b->nused[u]++ : 0;
                snprintf(how, sizeof how, "pg_stats of %s.%s (value %zu)", c->table, c->name,
                         k + 1);
                set_value(b, num, column_value_k(c, k), how);
            } else if (o->node_case == PG_QUERY__NODE__NODE_LIST) {
                for (size_t i = 0; i < o->list->n_items; i++)
                    if (qr_is_param(o->list->items[i], &num)) {
                        snprintf(how, sizeof how, "pg_stats of %s.%s (value %zu)", c->table,
                                 c->name, i + 1);
                        set_value(b, num, column_value_k(c, i), how);
                    }
            }
        }
    } else if (m->descriptor == &pg_query__select_stmt__descriptor) {
        const PgQuery__SelectStmt *s = (const PgQuery__SelectStmt *)m;
        int num;
        if (s->limit_count && qr_is_param(s->limit_count, &num))
            set_value(b, num, xstrdup("100"),
                      "LIMIT: 100 rows (a typical page, not from pg_stats)");
        if (s->limit_offset && qr_is_param(s->limit_offset, &num) && !b->for_cost)
            set_value(b, num, xstrdup("0"), "OFFSET: 0 (the first page, not from pg_stats)");
    }
    return 0;
}

int qr_bind_params(const qr_catalog_t *cat, const char *query, char **values, int max, json_t *how,
                   int for_cost)
{
    for (int i = 0; i < max; i++)
        values[i] = NULL;
    sqlparse_t *p = NULL;
    if (sqlparse_parse(query, &p, NULL) != 0)
        return 0;
    const ProtobufCMessage *root = (const ProtobufCMessage *)sqlparse_tree(p);
    int n = qr_max_param(root);
    bind_t b = {
        .cat = cat, .values = values, .max = n < max ? n : max, .how = how, .for_cost = for_cost};
    sqlparse_walk(root, rels_visit, &b);
    sqlparse_walk(root, bind_visit, &b);
    sqlparse_destroy(&p);
    return n;
}
