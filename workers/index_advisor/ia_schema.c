/* ia_schema.c - the snapshot's tables, columns, indexes and statements as
 * the index advisor's model (ia_internal.h). Sections that are missing or
 * malformed become notes; a field of the wrong type counts as absent. */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "workers/index_advisor/ia_internal.h"

/* A malloc()ed formatted string (never NULL: common/alloc.h). */
char *ia_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = xvasprintf(fmt, ap);
    va_end(ap);
    return out;
}

/* Appends a formatted note to the result's notes. */
void ia_note(ia_model_t *m, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* one note per distinct text */
    size_t i;
    json_t *v;
    json_array_foreach(m->notes, i, v) if (strcmp(json_string_value(v), buf) == 0) return;
    json_array_append_new(m->notes, json_string(buf));
}

/* See ia_internal.h. */
void ia_quote_ident(const char *name, char *out, size_t len)
{
    int plain = name[0] && (islower((unsigned char)name[0]) || name[0] == '_');
    for (const char *p = name; *p && plain; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '$'))
            plain = 0;
    if (plain) {
        snprintf(out, len, "%s", name);
        return;
    }
    size_t o = 0;
    if (o + 1 < len)
        out[o++] = '"';
    for (const char *p = name; *p && o + 3 < len; p++) {
        if (*p == '"')
            out[o++] = '"';
        out[o++] = *p;
    }
    if (o + 1 < len)
        out[o++] = '"';
    out[o] = 0;
}

const char *ia_use_kind_name(ia_use_kind_t k)
{
    static const char *const names[USE_KIND_COUNT] = {
        "equality", "in",    "range", "join",     "order_by", "group_by",    "like_prefix",
        "trigram",  "jsonb", "array", "fulltext", "is_null",  "is_not_null", "output"};
    return k < USE_KIND_COUNT ? names[k] : "?";
}

static const char *str_field(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* Reads numeric member k of JSON object o into *out. Returns 1 on success, 0
 * (leaving *out unchanged) when the member is missing or not a number. */
static int num_field(const json_t *o, const char *k, double *out)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_number(v))
        return 0;
    *out = json_number_value(v);
    return 1;
}

/* An integer member (a real is truncated), 0 when absent; *present
 * receives whether it was there. */
static int64_t int_field(const json_t *o, const char *k, int *present)
{
    json_t *v = json_object_get(o, k);
    if (json_is_integer(v)) {
        if (present)
            *present = 1;
        return json_integer_value(v);
    }
    if (json_is_real(v)) {
        if (present)
            *present = 1;
        return (int64_t)json_real_value(v);
    }
    return 0;
}

static int bool_field(const json_t *o, const char *k)
{
    return json_is_true(json_object_get(o, k));
}

/* The strings of a JSON array, malloc()ed copies (*n of them); NULL when
 * empty or not an array. */
static char **str_array(const json_t *a, size_t *n)
{
    *n = 0;
    if (!json_is_array(a) || json_array_size(a) == 0)
        return NULL;
    char **out = xcalloc(json_array_size(a), sizeof *out);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) if (json_is_string(v)) out[(*n)++] =
        xstrdup_or_null(json_string_value(v));
    return out;
}

/* Index of schema.name in the model, -1 when absent; unqualified (schema
 * NULL or empty): the public table first, else the first of that name. */
int ia_find_table(const ia_model_t *m, const char *schema, const char *name)
{
    if (!name)
        return -1;
    int found = -1;
    for (size_t i = 0; i < m->ntables; i++) {
        if (strcmp(m->tables[i].name, name) != 0)
            continue;
        if (schema && *schema) {
            if (strcmp(m->tables[i].schema, schema) == 0)
                return (int)i;
            continue;
        }
        /* unqualified: public first (the default search_path), else the only one */
        if (strcmp(m->tables[i].schema, "public") == 0)
            return (int)i;
        if (found < 0)
            found = (int)i;
    }
    return found;
}

/* A table's column by name, NULL when absent. */
const ia_column_t *ia_find_column(const ia_model_t *m, int table, const char *column)
{
    if (table < 0 || (size_t)table >= m->ntables || !column)
        return NULL;
    const ia_table_t *t = &m->tables[table];
    for (size_t i = 0; i < t->ncolumns; i++)
        if (strcmp(t->columns[i].name, column) == 0)
            return &t->columns[i];
    return NULL;
}

double ia_table_rows(const ia_table_t *t)
{
    /* reltuples is -1 for a table never vacuumed/analyzed (PG14+) */
    if (t->reltuples >= 0)
        return t->reltuples;
    return t->n_live_tup > 0 ? (double)t->n_live_tup : 0;
}

int ia_has_extension(const ia_model_t *m, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(m->extensions, i,
                       v) if (strcmp(str_field(v, "name") ? str_field(v, "name") : "", name) ==
                              0) return 1;
    return 0;
}

/* snapshot.tables (plain, partitioned and materialized) -> m->tables.
 * Returns 0; a missing section leaves a note. */
static int load_tables(ia_model_t *m)
{
    const json_t *tables = json_object_get(m->snapshot, "tables");
    if (!json_is_array(tables)) {
        ia_note(m, "snapshot has no tables section: no index can be recommended");
        return 0;
    }
    m->tables = xcalloc(json_array_size(tables) + 1, sizeof *m->tables);
    size_t i;
    json_t *t;
    json_array_foreach(tables, i, t)
    {
        const char *schema = str_field(t, "schema"), *name = str_field(t, "name");
        if (!schema || !name)
            continue;
        const char *kind = str_field(t, "kind");
        if (kind && strcmp(kind, "r") != 0 && strcmp(kind, "p") != 0 && strcmp(kind, "m") != 0)
            continue;
        ia_table_t *x = &m->tables[m->ntables++];
        x->schema = xstrdup_or_null(schema);
        x->name = xstrdup_or_null(name);
        double d;
        x->reltuples = num_field(t, "reltuples", &d) ? d : -1;
        x->relpages = int_field(t, "relpages", NULL);
        x->table_bytes = int_field(t, "table_bytes", NULL);
        x->total_bytes = int_field(t, "total_bytes", NULL);
        int have = 0;
        x->n_tup_ins = int_field(t, "n_tup_ins", &have);
        x->has_counters = have;
        x->n_tup_upd = int_field(t, "n_tup_upd", NULL);
        x->n_tup_del = int_field(t, "n_tup_del", NULL);
        x->n_tup_hot_upd = int_field(t, "n_tup_hot_upd", NULL);
        x->n_live_tup = int_field(t, "n_live_tup", NULL);
    }
    return 0;
}

/* snapshot.columns (pg_stats) -> each table's columns with their
 * statistics. */
static void load_columns(ia_model_t *m)
{
    const json_t *cols = json_object_get(m->snapshot, "columns");
    if (!json_is_array(cols)) {
        ia_note(m, "snapshot has no columns section: columns cannot be resolved, candidates "
                   "only for qualified column references and no pg_stats selectivities");
        return;
    }
    /* two passes: count per table, then fill */
    size_t *count = xcalloc(m->ntables + 1, sizeof *count);
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c)
    {
        int t = ia_find_table(m, str_field(c, "schema"), str_field(c, "table"));
        if (t >= 0 && str_field(c, "schema"))
            count[t]++;
    }
    for (size_t t = 0; t < m->ntables; t++)
        m->tables[t].columns = xcalloc(count[t] + 1, sizeof(ia_column_t));
    free(count);
    json_array_foreach(cols, i, c)
    {
        if (!str_field(c, "schema") || !str_field(c, "name"))
            continue;
        int t = ia_find_table(m, str_field(c, "schema"), str_field(c, "table"));
        if (t < 0)
            continue;
        ia_table_t *tb = &m->tables[t];
        ia_column_t *x = &tb->columns[tb->ncolumns++];
        x->name = xstrdup_or_null(str_field(c, "name"));
        x->type = xstrdup_or_null(str_field(c, "type") ? str_field(c, "type") : "");
        x->not_null = bool_field(c, "not_null");
        double d;
        x->has_stats = num_field(c, "n_distinct", &d);
        x->n_distinct = x->has_stats ? d : 0;
        x->null_frac = num_field(c, "null_frac", &d) ? d : 0;
        x->avg_width = num_field(c, "avg_width", &d) ? d : 0;
        x->has_correlation = num_field(c, "correlation", &d);
        x->correlation = x->has_correlation ? d : 0;
        x->mcv = json_object_get(c, "most_common_vals");
        x->mcf = json_object_get(c, "most_common_freqs");
        x->histogram = json_object_get(c, "histogram_bounds");
        if (!json_is_array(x->mcv) || !json_is_array(x->mcf) ||
            json_array_size(x->mcv) != json_array_size(x->mcf))
            x->mcv = x->mcf = NULL;
        if (!json_is_array(x->histogram))
            x->histogram = NULL;
    }
}

/* snapshot.indexes -> m->indexes (columns, INCLUDE, flags, size, scans). */
static void load_indexes(ia_model_t *m)
{
    const json_t *idx = json_object_get(m->snapshot, "indexes");
    if (!json_is_array(idx)) {
        ia_note(m, "snapshot has no indexes section: existing indexes are unknown, so "
                   "candidates may duplicate them and no drop advice is given");
        return;
    }
    m->indexes = xcalloc(json_array_size(idx) + 1, sizeof *m->indexes);
    size_t i;
    json_t *x;
    json_array_foreach(idx, i, x)
    {
        if (!str_field(x, "schema") || !str_field(x, "table") || !str_field(x, "name"))
            continue;
        ia_index_t *d = &m->indexes[m->nindexes++];
        d->schema = xstrdup_or_null(str_field(x, "schema"));
        d->table = xstrdup_or_null(str_field(x, "table"));
        d->name = xstrdup_or_null(str_field(x, "name"));
        d->method = xstrdup_or_null(str_field(x, "method") ? str_field(x, "method") : "btree");
        d->definition = xstrdup_or_null(str_field(x, "definition"));
        d->predicate = xstrdup_or_null(str_field(x, "predicate"));
        d->constraint = xstrdup_or_null(str_field(x, "constraint"));
        d->table_idx = ia_find_table(m, d->schema, d->table);
        d->columns = str_array(json_object_get(x, "columns"), &d->ncolumns);
        d->include = str_array(json_object_get(x, "include"), &d->ninclude);
        d->is_unique = bool_field(x, "is_unique");
        d->is_primary = bool_field(x, "is_primary");
        /* absent validity flags: assume the common case (valid) */
        d->is_valid = json_object_get(x, "is_valid") ? bool_field(x, "is_valid") : 1;
        d->is_ready = json_object_get(x, "is_ready") ? bool_field(x, "is_ready") : 1;
        d->is_exclusion = bool_field(x, "is_exclusion");
        d->backs_constraint = bool_field(x, "backs_constraint") || d->constraint;
        d->is_replica_identity = bool_field(x, "is_replica_identity");
        d->idx_scan = int_field(x, "idx_scan", &d->has_idx_scan);
        d->size_bytes = int_field(x, "size_bytes", &d->has_size);
    }
}

/* snapshot.statements (pg_stat_statements) -> m->stmts with their
 * weight (total_exec_time). */
static void load_statements(ia_model_t *m)
{
    const json_t *sts = json_object_get(m->snapshot, "statements");
    if (!json_is_array(sts) || json_array_size(sts) == 0) {
        ia_note(m, "snapshot has no statements (pg_stat_statements): there is no workload to "
                   "derive index candidates from");
        return;
    }
    m->stmts = xcalloc(json_array_size(sts) + 1, sizeof *m->stmts);
    size_t i;
    json_t *s;
    json_array_foreach(sts, i, s)
    {
        const char *q = str_field(s, "query");
        if (!q)
            continue;
        /* nested statements (inside functions) are counted in their caller */
        json_t *top = json_object_get(s, "toplevel");
        if (json_is_false(top))
            continue;
        ia_statement_t *x = &m->stmts[m->nstmts++];
        x->query = xstrdup_or_null(q);
        x->queryid = int_field(s, "queryid", &x->has_queryid);
        double d;
        x->calls = num_field(s, "calls", &d) ? d : 0;
        x->total_ms = num_field(s, "total_exec_time", &d) ? d : 0;
        x->mean_ms =
            num_field(s, "mean_exec_time", &d) ? d : (x->calls > 0 ? x->total_ms / x->calls : 0);
        x->rows = num_field(s, "rows", &d) ? d : 0;
        x->weight = x->total_ms > 0 ? x->total_ms : x->calls * x->mean_ms;
        x->update_table = -1;
        x->base_cost = -1;
    }
}

/* See ia_internal.h: tables, columns, indexes, statements. Returns -1
 * (err) when the snapshot is not a map; missing sections leave notes. */
int ia_model_load(ia_model_t *m, const json_t *snapshot, err_t *err)
{
    if (!json_is_object(snapshot))
        return err_set(err, "index advisor: the snapshot is not a map");
    m->snapshot = snapshot;
    m->notes = json_array();
    m->cost_cache = json_object();
    m->phases = json_array();
    m->extensions = json_object_get(json_object_get(snapshot, "meta"), "extensions");
    if (!json_is_array(m->extensions))
        m->extensions = NULL;
    load_tables(m);
    load_columns(m);
    load_indexes(m);
    load_statements(m);
    const json_t *db = json_object_get(snapshot, "database");
    m->database_bytes = int_field(db, "size_bytes", NULL);
    return 0;
}

/* See ia_internal.h: frees everything the model owns (safe on a
 * partially loaded model). */
void ia_model_free(ia_model_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->ntables; i++) {
        ia_table_t *t = &m->tables[i];
        free(t->schema);
        free(t->name);
        for (size_t c = 0; c < t->ncolumns; c++) {
            free(t->columns[c].name);
            free(t->columns[c].type);
        }
        free(t->columns);
    }
    free(m->tables);
    for (size_t i = 0; i < m->nindexes; i++) {
        ia_index_t *x = &m->indexes[i];
        free(x->schema);
        free(x->table);
        free(x->name);
        free(x->method);
        free(x->definition);
        free(x->predicate);
        free(x->constraint);
        for (size_t c = 0; c < x->ncolumns; c++)
            free(x->columns[c]);
        free(x->columns);
        for (size_t c = 0; c < x->ninclude; c++)
            free(x->include[c]);
        free(x->include);
    }
    free(m->indexes);
    for (size_t i = 0; i < m->nstmts; i++) {
        ia_statement_t *s = &m->stmts[i];
        free(s->query);
        for (size_t u = 0; u < s->nuses; u++) {
            free(s->uses[u].column);
            free(s->uses[u].expr);
            free(s->uses[u].constant);
            free(s->uses[u].constant2);
        }
        free(s->uses);
        free(s->subqueries);
        free(s->tables);
        for (size_t u = 0; u < s->nupdated; u++)
            free(s->updated_columns[u]);
        free(s->updated_columns);
        for (int p = 0; p <= IA_MAX_PARAMS; p++)
            free(s->param_values[p]);
        free(s->cost_error);
        json_decref(s->param_evidence);
    }
    free(m->stmts);
    for (size_t i = 0; i < m->ncands; i++) {
        ia_candidate_t *c = &m->cands[i];
        for (int k = 0; k < c->nkeys; k++)
            free(c->keys[k]);
        for (int k = 0; k < c->ninclude; k++)
            free(c->include[k]);
        free(c->predicate);
        free(c->opclass);
        free(c->type);
        free(c->name);
        free(c->signature);
        free(c->stmts);
        free(c->size_method);
    }
    free(m->cands);
    json_decref(m->notes);
    json_decref(m->cost_cache);
    json_decref(m->phases);
    free(m->serves);
    whatif_destroy(&m->whatif);
    memset(m, 0, sizeof *m);
}
