/* qr_catalog.c - the catalog model the rewriter's proofs use, read from the
 * snapshot's tables, columns, indexes, constraints and settings sections
 * (docs/SNAPSHOT.md). Strings point into the snapshot, which outlives it. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "workers/query_rewriter/qr_internal.h"
#include "common/alloc.h"
#include "common/jsonget.h"

/* The strings of a JSON array (at most max, borrowed) into out; returns how many. */
static int strs(const json_t *arr, const char **out, int max)
{
    int n = 0;
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (n < max && json_is_string(v))
            out[n++] = json_string_value(v);
    }
    return n;
}

/* A zeroed array for as many elements as the JSON array a holds, count *n set to 0 (never NULL:
 * xcalloc aborts on out of memory and returns a real pointer for zero elements). */
static void *alloc_array(const json_t *a, size_t elem, size_t *n)
{
    *n = 0;
    size_t len = json_array_size(a);
    return xcalloc(len, elem);
}

/* Reads the snapshot's tables, columns, indexes, constraints and work_mem into cat (strings
 * borrowed from the snapshot, which must outlive cat). Cannot fail: out of memory aborts. */
void qr_catalog_load(const json_t *snap, qr_catalog_t *cat)
{
    memset(cat, 0, sizeof *cat);
    const json_t *tables = json_object_get(snap, "tables");
    const json_t *columns = json_object_get(snap, "columns");
    const json_t *indexes = json_object_get(snap, "indexes");
    const json_t *cons = json_object_get(snap, "constraints");
    cat->tables = alloc_array(tables, sizeof *cat->tables, &cat->ntables);
    cat->columns = alloc_array(columns, sizeof *cat->columns, &cat->ncolumns);
    cat->indexes = alloc_array(indexes, sizeof *cat->indexes, &cat->nindexes);
    cat->constraints = alloc_array(cons, sizeof *cat->constraints, &cat->nconstraints);
    size_t i;
    const json_t *v;
    json_array_foreach(tables, i, v)
    {
        if (!jget_str(v, "name"))
            continue;
        qr_table_t *t = &cat->tables[cat->ntables++];
        t->schema = jget_str(v, "schema") ? jget_str(v, "schema") : "public";
        t->name = jget_str(v, "name");
        t->reltuples = jget_num_or(v, "reltuples", -1);
        t->relpages = (int64_t)jget_num_or(v, "relpages", -1);
        t->table_bytes = (int64_t)jget_num_or(v, "table_bytes", -1);
        t->toast_bytes = (int64_t)jget_num_or(v, "toast_bytes", 0);
    }
    json_array_foreach(columns, i, v)
    {
        if (!jget_str(v, "name") || !jget_str(v, "table"))
            continue;
        qr_column_t *c = &cat->columns[cat->ncolumns++];
        c->schema = jget_str(v, "schema") ? jget_str(v, "schema") : "public";
        c->table = jget_str(v, "table");
        c->name = jget_str(v, "name");
        c->type = jget_str(v, "type") ? jget_str(v, "type") : "unknown";
        c->attnum = (int)jget_num_or(v, "attnum", (double)cat->ncolumns);
        c->not_null = json_is_true(json_object_get(v, "not_null"));
        c->null_frac = jget_num_or(v, "null_frac", -1);
        c->n_distinct = jget_num_or(v, "n_distinct", 0);
        c->avg_width = jget_num_or(v, "avg_width", -1);
        c->mcv = json_object_get(v, "most_common_vals");
        c->hist = json_object_get(v, "histogram_bounds");
        if (!json_is_array(c->mcv))
            c->mcv = NULL;
        if (!json_is_array(c->hist))
            c->hist = NULL;
        qr_table_t *t = (qr_table_t *)qr_table_find(cat, c->schema, c->table);
        if (t) {
            t->ncols++;
            if (c->avg_width > 0)
                t->row_width += c->avg_width;
        }
    }
    json_array_foreach(indexes, i, v)
    {
        if (!jget_str(v, "name") || !jget_str(v, "table"))
            continue;
        qr_index_t *x = &cat->indexes[cat->nindexes++];
        x->schema = jget_str(v, "schema") ? jget_str(v, "schema") : "public";
        x->table = jget_str(v, "table");
        x->name = jget_str(v, "name");
        x->method = jget_str(v, "method") ? jget_str(v, "method") : "btree";
        x->definition = jget_str(v, "definition") ? jget_str(v, "definition") : "";
        x->predicate = jget_str(v, "predicate");
        x->ncols = strs(json_object_get(v, "columns"), x->cols, QR_MAX_KEYS);
        x->is_unique = json_is_true(json_object_get(v, "is_unique"));
        const json_t *valid = json_object_get(v, "is_valid");
        x->is_valid = valid ? json_is_true(valid) : 1;
    }
    json_array_foreach(cons, i, v)
    {
        if (!jget_str(v, "table") || !jget_str(v, "type"))
            continue;
        qr_constraint_t *k = &cat->constraints[cat->nconstraints++];
        k->schema = jget_str(v, "schema") ? jget_str(v, "schema") : "public";
        k->table = jget_str(v, "table");
        k->name = jget_str(v, "name") ? jget_str(v, "name") : "";
        k->type = jget_str(v, "type");
        k->definition = jget_str(v, "definition") ? jget_str(v, "definition") : "";
        k->ncols = strs(json_object_get(v, "columns"), k->cols, QR_MAX_KEYS);
        k->ref_schema = jget_str(v, "ref_schema");
        k->ref_table = jget_str(v, "ref_table");
        k->nref = strs(json_object_get(v, "ref_columns"), k->ref_cols, QR_MAX_KEYS);
    }
    cat->work_mem_kb = 4096;
    json_array_foreach(json_object_get(snap, "settings"), i, v)
    {
        const char *name = jget_str(v, "name");
        if (name && strcmp(name, "work_mem") == 0 && jget_str(v, "setting"))
            cat->work_mem_kb = atof(jget_str(v, "setting")); /* unit kB */
    }
}

/* Frees cat's arrays and empties it; safe twice. */
void qr_catalog_free(qr_catalog_t *cat)
{
    if (!cat)
        return;
    free(cat->tables);
    free(cat->columns);
    free(cat->indexes);
    free(cat->constraints);
    memset(cat, 0, sizeof *cat);
}

const qr_table_t *qr_table_find(const qr_catalog_t *cat, const char *schema, const char *name)
{
    if (!name)
        return NULL;
    const qr_table_t *only = NULL;
    int count = 0;
    for (size_t i = 0; i < cat->ntables; i++) {
        const qr_table_t *t = &cat->tables[i];
        if (strcmp(t->name, name) != 0)
            continue;
        if (schema) {
            if (strcmp(t->schema, schema) == 0)
                return t;
            continue;
        }
        if (strcmp(t->schema, "public") == 0)
            return t;
        only = t;
        count++;
    }
    return count == 1 ? only : NULL;
}

/* Column col of table t, or NULL. */
const qr_column_t *qr_column_find(const qr_catalog_t *cat, const qr_table_t *t, const char *col)
{
    if (!t || !col)
        return NULL;
    for (size_t i = 0; i < cat->ncolumns; i++) {
        const qr_column_t *c = &cat->columns[i];
        if (strcmp(c->name, col) == 0 && strcmp(c->table, t->name) == 0 &&
            strcmp(c->schema, t->schema) == 0)
            return c;
    }
    return NULL;
}

static int same_table(const char *schema, const char *table, const qr_table_t *t)
{
    return strcmp(table, t->name) == 0 && strcmp(schema, t->schema) == 0;
}

/* Whether every one of the n columns cols of t exists and is NOT NULL. */
static int all_not_null(const qr_catalog_t *cat, const qr_table_t *t, const char *const *cols,
                        int n)
{
    for (int i = 0; i < n; i++) {
        const qr_column_t *c = qr_column_find(cat, t, cols[i]);
        if (!c || !c->not_null)
            return 0;
    }
    return 1;
}

/* Whether the nneed names in need are all among have (and there is at least one). */
static int contains_all(const char *const *have, int nhave, const char *const *need, int nneed)
{
    for (int i = 0; i < nneed; i++) {
        int found = 0;
        for (int j = 0; j < nhave && !found; j++)
            found = strcmp(have[j], need[i]) == 0;
        if (!found)
            return 0;
    }
    return nneed > 0;
}

int qr_cols_cover_unique(const qr_catalog_t *cat, const qr_table_t *t, const char *const *cols,
                         int n, const char **key_name)
{
    for (size_t i = 0; i < cat->nconstraints; i++) {
        const qr_constraint_t *k = &cat->constraints[i];
        if (!same_table(k->schema, k->table, t) || (strcmp(k->type, "p") && strcmp(k->type, "u")))
            continue;
        if (contains_all(cols, n, k->cols, k->ncols) && all_not_null(cat, t, k->cols, k->ncols)) {
            if (key_name)
                *key_name = k->name;
            return 1;
        }
    }
    for (size_t i = 0; i < cat->nindexes; i++) {
        const qr_index_t *x = &cat->indexes[i];
        if (!same_table(x->schema, x->table, t) || !x->is_unique || !x->is_valid || x->predicate)
            continue;
        if (contains_all(cols, n, x->cols, x->ncols) && all_not_null(cat, t, x->cols, x->ncols)) {
            if (key_name)
                *key_name = x->name;
            return 1;
        }
    }
    return 0;
}

const qr_constraint_t *qr_table_key(const qr_catalog_t *cat, const qr_table_t *t)
{
    const qr_constraint_t *best = NULL;
    for (size_t i = 0; i < cat->nconstraints; i++) {
        const qr_constraint_t *k = &cat->constraints[i];
        if (!same_table(k->schema, k->table, t))
            continue;
        if (strcmp(k->type, "p") == 0)
            return k;
        if (!best && strcmp(k->type, "u") == 0 && all_not_null(cat, t, k->cols, k->ncols))
            best = k;
    }
    return best;
}

const qr_index_t *qr_index_leading(const qr_catalog_t *cat, const qr_table_t *t, const char *col,
                                   const char *method)
{
    for (size_t i = 0; i < cat->nindexes; i++) {
        const qr_index_t *x = &cat->indexes[i];
        if (!same_table(x->schema, x->table, t) || !x->is_valid || x->ncols == 0)
            continue;
        if (method && strcmp(x->method, method) != 0)
            continue;
        if (strcmp(x->cols[0], col) == 0)
            return x;
    }
    return NULL;
}

/* Compares ignoring case, spaces, parentheses and "::text" style casts the
 * catalog adds to expression keys. */
static void squash(const char *in, char *out, size_t len)
{
    size_t o = 0;
    for (; *in && o + 1 < len; in++) {
        if (isspace((unsigned char)*in) || *in == '(' || *in == ')' || *in == '"')
            continue;
        out[o++] = (char)tolower((unsigned char)*in);
    }
    out[o] = 0;
}

const qr_index_t *qr_index_expression(const qr_catalog_t *cat, const qr_table_t *t,
                                      const char *expr)
{
    char want[512], have[512];
    squash(expr, want, sizeof want);
    for (size_t i = 0; i < cat->nindexes; i++) {
        const qr_index_t *x = &cat->indexes[i];
        if (!same_table(x->schema, x->table, t) || !x->is_valid)
            continue;
        for (int k = 0; k < x->ncols; k++) {
            squash(x->cols[k], have, sizeof have);
            if (strcmp(have, want) == 0)
                return x;
        }
    }
    return NULL;
}
