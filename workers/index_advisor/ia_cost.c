/* ia_cost.c - what a statement costs under a set of new indexes.
 *
 * Two evaluators, one question ("cost with config" / "cost without"):
 *
 *  - hypopg what-if (method "hypopg_whatif"): the candidate set is created as
 *    hypothetical indexes in the read-only session of common/whatif.h and the
 *    statement is EXPLAINed; the ratio is the server planner's own.
 *  - pgopt's cost model (method "cost_model"), for GIN candidates (hypopg
 *    1.3.1 cannot simulate GIN) and when no target is reachable. It follows
 *    the planner's structure with its default cost constants
 *    (seq_page_cost 1, random_page_cost 4, cpu_tuple_cost 0.01,
 *    cpu_index_tuple_cost 0.005, cpu_operator_cost 0.0025): per table the
 *    cheapest of a sequential scan, an index scan on the matched key prefix
 *    (selectivities from pg_stats, heap pages from the correlation like
 *    cost_index's Mackert-Lohman interpolation), an index-only scan when the
 *    index holds every needed column, and for joined tables an index nested
 *    loop driven by the other tables' filtered rows; sorts avoided by an
 *    index in ORDER BY order; LIMIT with an ordered index reads only the rows
 *    pg_stat_statements says a call returns.
 *
 * A ratio always compares two costs of the same evaluator.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/sqlparams.h"
#include "workers/index_advisor/ia_internal.h"

#define SEQ_PAGE    1.0
#define RANDOM_PAGE 4.0
#define CPU_TUPLE   0.01
#define CPU_INDEX   0.005
#define CPU_OP      0.0025

int ia_candidate_needs_model(const ia_candidate_t *c)
{
    return c->method == CAND_GIN;
}

/* ---- representative parameter values ------------------------------------- */

/* The histogram bound at quantile q (0..1), NULL without a histogram. */
static const char *hist_at(const ia_column_t *col, double q)
{
    size_t n = json_array_size(col->histogram);
    if (n < 2)
        return NULL;
    if (q < 0)
        q = 0;
    if (q > 1)
        q = 1;
    size_t i = (size_t)llround(q * (double)(n - 1));
    return json_string_value(json_array_get(col->histogram, i));
}

/* Measured selectivity of a filter from pg_qualstats: 1 - filtered / seen. */
static double qualstats_selectivity(const ia_model_t *m, const ia_statement_t *st,
                                    const ia_use_t *u)
{
    const json_t *qs = json_object_get(m->snapshot, "qualstats");
    size_t i;
    json_t *q;
    const ia_table_t *t = &m->tables[u->table];
    double seen = 0, filtered = 0;
    json_array_foreach(qs, i, q)
    {
        const char *sch = json_string_value(json_object_get(q, "schema"));
        const char *tab = json_string_value(json_object_get(q, "table"));
        const char *col = json_string_value(json_object_get(q, "column"));
        const char *op = json_string_value(json_object_get(q, "operator"));
        json_t *qid = json_object_get(q, "queryid");
        if (!sch || !tab || !col || !op || strcmp(sch, t->schema) || strcmp(tab, t->name) ||
            strcmp(col, u->column) || strcmp(op, u->op))
            continue;
        if (st->has_queryid && json_is_integer(qid) && json_integer_value(qid) != st->queryid)
            continue;
        json_t *ec = json_object_get(q, "execution_count"), *nf = json_object_get(q, "nbfiltered");
        if (!json_is_integer(ec) || !json_is_integer(nf))
            continue;
        seen += (double)json_integer_value(ec);
        filtered += (double)json_integer_value(nf);
    }
    if (seen <= 0)
        return -1;
    double s = 1 - filtered / seen;
    return s < 0 ? 0 : s;
}

/* Column-type lookup callback for the cost code (user is the model): returns
 * the declared type of schema.table.column, or NULL when the table or column
 * is not in the model. */
static const char *catalog_type(void *user, const char *schema, const char *table,
                                const char *column)
{
    const ia_model_t *m = user;
    int t = ia_find_table(m, schema, table);
    const ia_column_t *c = t >= 0 ? ia_find_column(m, t, column) : NULL;
    return c ? c->type : NULL;
}

/* Declares st's parameter types in the what-if session (sqlparams: the
 * column or operand each $n meets) and binds a representative count to
 * LIMIT parameters: a generic plan cannot know the row count, and
 * pg_stat_statements says how many rows a call returned (rows / calls) -
 * the LIMIT the application sends, or fewer. Evidence in param_evidence. */
static void prepare_params(ia_model_t *m, ia_statement_t *st)
{
    if (!m->whatif || !st->parsed || !strchr(st->query, '$'))
        return;
    sqlparams_t *p = NULL;
    err_t err;
    if (sqlparams_infer(st->query, catalog_type, m, &p, &err) != 0)
        return;
    whatif_declare_param_types(m->whatif, st->query, (const char *const *)p->types, p->n);
    json_t *ev = json_object();
    json_t *types = json_array();
    for (size_t i = 0; i < p->n; i++)
        json_array_append_new(types, json_string(p->types[i]));
    json_object_set_new(ev, "declared_types", types);
    json_t *bound = json_array();
    for (size_t i = 0; i < p->n; i++) {
        int k = (int)i + 1;
        if (p->kind[i] == SQLPARAM_REMOVED) {
            json_array_append_new(
                bound, json_pack("{s:i, s:s, s:s}", "param", k, "value", "epoch", "why",
                                 "extract() field: a name, not a value; any field gives the "
                                 "same plan, 'epoch' is valid for every source type"));
        } else if (p->kind[i] == SQLPARAM_LIMIT && k <= IA_MAX_PARAMS && !st->param_values[k] &&
                   st->calls > 0) {
            /* OFFSET has no measured counterpart and stays generic */
            double v = ceil(st->rows / st->calls);
            st->param_values[k] = ia_printf("%.0f", v < 1 ? 1 : v);
            json_array_append_new(
                bound, json_pack("{s:i, s:s, s:s}", "param", k, "value", st->param_values[k], "why",
                                 "LIMIT: rows per call from pg_stat_statements (a generic plan "
                                 "guesses the row count)"));
        }
    }
    json_object_set_new(ev, "bound_constants", bound);
    json_decref(st->param_evidence);
    st->param_evidence = ev;
    sqlparams_destroy(&p);
}

/* See ia_internal.h: representative values for a statement's parameters
 * (pg_qualstats' dominant constants, pg_stats MCVs and histogram
 * quantiles matching the qual's observed selectivity). */
void ia_choose_param_values(ia_model_t *m, ia_statement_t *st)
{
    prepare_params(m, st);
    /* equality parameters the application (nearly) always binds to one
     * value (pg_qualstats): the planner sees that value, as it does in the
     * custom plans PostgreSQL keeps for such statements - which is what lets
     * a partial index on that value serve them */
    for (size_t i = 0; i < st->nuses; i++) {
        const ia_use_t *u = &st->uses[i];
        if (u->qs_constant && u->param > 0 && u->param <= IA_MAX_PARAMS &&
            !st->param_values[u->param])
            st->param_values[u->param] = xstrdup_or_null(u->constant);
    }
    for (size_t i = 0; i < st->nuses; i++) {
        ia_use_t *u = &st->uses[i];
        if (u->kind != USE_RANGE || u->expr || !u->param || u->param > IA_MAX_PARAMS)
            continue;
        const ia_column_t *col = ia_find_column(m, u->table, u->column);
        if (!col || !col->histogram)
            continue;
        size_t n = json_array_size(col->histogram);
        /* a closed range (BETWEEN, or >= $a AND < $b on one column): one
         * histogram bucket in the middle, the typical narrow range */
        int lo_param = 0, hi_param = 0;
        if (u->range_dir == 2) {
            lo_param = u->param;
            hi_param = u->param2;
        } else {
            for (size_t k = 0; k < st->nuses; k++) {
                const ia_use_t *o = &st->uses[k];
                if (o != u && o->kind == USE_RANGE && o->table == u->table && !o->expr &&
                    o->param && strcmp(o->column, u->column) == 0 &&
                    o->range_dir == -u->range_dir) {
                    lo_param = u->range_dir > 0 ? u->param : o->param;
                    hi_param = u->range_dir > 0 ? o->param : u->param;
                }
            }
        }
        size_t mid = (n - 1) / 2;
        if (lo_param && hi_param && lo_param <= IA_MAX_PARAMS && hi_param <= IA_MAX_PARAMS) {
            const char *a = json_string_value(json_array_get(col->histogram, mid));
            const char *b = json_string_value(json_array_get(col->histogram, mid + 1));
            if (a && b && !st->param_values[lo_param] && !st->param_values[hi_param]) {
                st->param_values[lo_param] = xstrdup_or_null(a);
                st->param_values[hi_param] = xstrdup_or_null(b);
                if (u->range_dir == 2) {
                    free(u->constant);
                    free(u->constant2);
                    u->constant = xstrdup_or_null(a);
                    u->constant2 = xstrdup_or_null(b);
                }
            }
            continue;
        }
        /* one-sided: pg_qualstats' measured selectivity picks the quantile */
        double sel = qualstats_selectivity(m, st, u);
        if (sel >= 0 && !st->param_values[u->param]) {
            const char *v = hist_at(col, u->range_dir > 0 ? 1 - sel : sel);
            if (v) {
                st->param_values[u->param] = xstrdup_or_null(v);
                free(u->constant);
                u->constant = xstrdup_or_null(v);
            }
        }
    }
}

/* ---- pgopt's cost model -------------------------------------------------- */

typedef struct {
    int table;
    const char **keys;
    const int *key_is_expr;
    int nkeys;
    const char **include;
    int ninclude;
    int gin;
    const char *opclass;
    const char *predicate;
    double size_bytes;
} access_t;

/* Whether a use (its expression, else its column) is the same key as an
 * index key, compared after ia_normalize_key. Returns 1 or 0; is_expr is
 * unused. */
static int use_matches_key(const ia_use_t *u, const char *key, int is_expr)
{
    char a[256], b[256];
    ia_normalize_key(key, a, sizeof a);
    ia_normalize_key(u->expr ? u->expr : u->column, b, sizeof b);
    (void)is_expr;
    return strcmp(a, b) == 0;
}

/* 1 when every column the statement reads from the access's table is a
 * plain key or INCLUDE column of it (an index-only scan). */
static int needed_columns_covered(const ia_model_t *m, const ia_statement_t *st, const access_t *a)
{
    (void)m;
    if (st->select_star || st->command != 0)
        return 0;
    for (size_t i = 0; i < st->nuses; i++) {
        const ia_use_t *u = &st->uses[i];
        if (u->table != a->table)
            continue;
        int have = 0;
        for (int k = 0; k < a->nkeys && !have; k++)
            have = !a->key_is_expr[k] && strcmp(a->keys[k], u->column) == 0;
        for (int k = 0; k < a->ninclude && !have; k++)
            have = strcmp(a->include[k], u->column) == 0;
        if (!have)
            return 0;
    }
    return 1;
}

/* Filtered rows of a table (all its equality/range filters), at least 1. */
static double filtered_rows(const ia_model_t *m, const ia_statement_t *st, int table)
{
    double rows = ia_table_rows(&m->tables[table]), sel = 1;
    for (size_t i = 0; i < st->nuses; i++) {
        const ia_use_t *u = &st->uses[i];
        if (u->table == table && u->kind != USE_OUTPUT && u->kind != USE_SORT &&
            u->kind != USE_GROUP && u->kind != USE_JOIN)
            sel *= ia_use_selectivity(m, u);
    }
    double r = rows * sel;
    return r < 1 ? 1 : r;
}

static double sort_cost(double rows)
{
    return rows > 1 ? 2.0 * CPU_OP * rows * log2(rows) : 0;
}

/* Cost of a GIN index scan for the statement's operators the index
 * matches (a bitmap heap scan); < 0 when none matches. */
static double gin_cost(const ia_model_t *m, const ia_statement_t *st, const access_t *a,
                       double rows, double pages)
{
    double sel = 1;
    int matched = 0;
    for (size_t i = 0; i < st->nuses; i++) {
        const ia_use_t *u = &st->uses[i];
        if (u->table != a->table || !use_matches_key(u, a->keys[0], a->key_is_expr[0]))
            continue;
        int ok = 0;
        if (u->kind == USE_TRGM)
            ok = a->opclass && strcmp(a->opclass, "gin_trgm_ops") == 0;
        else if (u->kind == USE_JSONB)
            ok = !a->opclass || strcmp(u->op, "@>") == 0;
        else if (u->kind == USE_ARRAY || u->kind == USE_FTS)
            ok = 1;
        if (ok) {
            sel *= ia_use_selectivity(m, u);
            matched = 1;
        }
    }
    if (!matched)
        return -1;
    double r = rows * sel;
    /* bitmap heap scan: pages in physical order (~half random), recheck */
    double heap = fmin(r, pages) * (RANDOM_PAGE + SEQ_PAGE) / 2;
    return 4 * RANDOM_PAGE + r * (CPU_INDEX + CPU_TUPLE + 20 * CPU_OP) + heap;
}

/* The btree's usable key prefix for the statement: equality keys (and the
 * join key when an outer side drives a nested loop), then at most one
 * range key. Returns the number of keys matched; *sel their combined
 * selectivity, *joined 1 when a join key was used. */
static int btree_prefix(const ia_model_t *m, const ia_statement_t *st, const access_t *a,
                        double outer_rows, double *sel, int *joined)
{
    int matched = 0;
    *sel = 1;
    *joined = 0;
    for (int k = 0; k < a->nkeys; k++) {
        int hit_eq = 0, hit_range = 0;
        double s_eq = 1, s_range = 1;
        for (size_t i = 0; i < st->nuses; i++) {
            const ia_use_t *u = &st->uses[i];
            if (u->table != a->table || !use_matches_key(u, a->keys[k], a->key_is_expr[k]))
                continue;
            if (u->kind == USE_EQ || u->kind == USE_IN || u->kind == USE_ISNULL ||
                (u->kind == USE_LIKE && a->opclass)) {
                hit_eq = 1;
                s_eq *= ia_use_selectivity(m, u);
            } else if (u->kind == USE_JOIN && outer_rows > 0) {
                hit_eq = 1;
                *joined = 1;
                s_eq *= ia_use_selectivity(m, u);
            } else if (u->kind == USE_RANGE) {
                hit_range = 1;
                s_range *= ia_use_selectivity(m, u);
            }
        }
        if (hit_eq) {
            *sel *= s_eq;
            matched++;
            continue;
        }
        if (hit_range) {
            *sel *= s_range;
            matched++;
        }
        break;
    }
    return matched;
}

/* 1 when the index returns the statement's ORDER BY order on this table
 * after its eq_prefix matched keys (same direction for every sort key). */
static int btree_gives_order(const ia_statement_t *st, const access_t *a, int eq_prefix)
{
    const ia_use_t *sorts[8];
    int ns = 0;
    for (size_t i = 0; i < st->nuses && ns < 8; i++)
        if (st->uses[i].kind == USE_SORT && st->uses[i].table == a->table)
            sorts[ns++] = &st->uses[i];
    if (!ns)
        return 0;
    int order_ok = 1;
    for (int s = 0; s < ns && order_ok; s++) {
        int pos = -1;
        for (int j = 0; j < a->nkeys; j++)
            if (use_matches_key(sorts[s], a->keys[j], a->key_is_expr[j]))
                pos = j;
        order_ok = pos >= 0 && pos <= eq_prefix + s && sorts[s]->desc == sorts[0]->desc;
    }
    return order_ok;
}

/* 1 when the statement implies a partial index's predicate (one of its
 * IS NULL / IS NOT NULL / col = literal uses on the table is the
 * predicate, compared normalized and without quotes). */
static int predicate_implied(const ia_statement_t *st, const access_t *a)
{
    char p[256];
    ia_normalize_key(a->predicate, p, sizeof p);
    for (size_t i = 0; i < st->nuses; i++) {
        const ia_use_t *u = &st->uses[i];
        if (u->table != a->table)
            continue;
        char want[256], q[300];
        if (u->kind == USE_ISNULL)
            snprintf(q, sizeof q, "%s is null", u->column);
        else if (u->kind == USE_NOTNULL)
            snprintf(q, sizeof q, "%s is not null", u->column);
        else if (u->kind == USE_EQ && u->constant)
            snprintf(q, sizeof q, "%s = %s", u->column, u->constant);
        else
            continue;
        ia_normalize_key(q, want, sizeof want);
        char p2[256];
        /* literals: compare without quotes */
        size_t o = 0;
        for (const char *c = p; *c && o + 1 < sizeof p2; c++)
            if (*c != '\'')
                p2[o++] = *c;
        p2[o] = 0;
        if (strcmp(p2, want) == 0)
            return 1;
    }
    return 0;
}

/* Cost of reading the table through one index; < 0 when it cannot be used
 * (no key prefix matches and it gives no useful order, or the statement
 * does not imply its predicate). *provides_order: it gives ORDER BY
 * order. */
static double index_cost(const ia_model_t *m, const ia_statement_t *st, const access_t *a,
                         double outer_rows, int *provides_order)
{
    const ia_table_t *t = &m->tables[a->table];
    double rows = ia_table_rows(t);
    double pages = t->relpages > 0 ? (double)t->relpages : (double)t->table_bytes / 8192.0;
    if (pages < 1)
        pages = 1;
    *provides_order = 0;
    if (a->gin)
        return gin_cost(m, st, a, rows, pages);
    double sel;
    int joined;
    int matched = btree_prefix(m, st, a, outer_rows, &sel, &joined);
    int order_ok = btree_gives_order(st, a, matched);
    *provides_order = order_ok;
    if (!matched && !order_ok)
        return -1;
    if (a->predicate && !predicate_implied(st, a))
        return -1;
    double r = rows * sel;
    if (joined)
        r = r < 1 ? 1 : r;
    /* LIMIT with the order given by the index: only the returned rows */
    double per_call = st->calls > 0 ? st->rows / st->calls : 0;
    if (order_ok && st->has_limit && per_call > 0 && per_call < r)
        r = per_call;
    double index_pages = a->size_bytes / 8192.0 * (matched ? sel : 1);
    if (order_ok && st->has_limit && per_call > 0)
        index_pages = fmax(1, per_call / 100);
    double height = rows > 1 ? ceil(log(rows) / log(200)) : 1;
    double cost = height * RANDOM_PAGE + fmax(1, index_pages) * RANDOM_PAGE + r * CPU_INDEX;
    if (!needed_columns_covered(m, st, a)) {
        const ia_column_t *col = a->key_is_expr[0] ? NULL : ia_find_column(m, a->table, a->keys[0]);
        double c2 = col && col->has_correlation ? col->correlation * col->correlation : 0;
        double fetched = fmin(r, pages);
        double heap = c2 * (sel * pages * SEQ_PAGE) + (1 - c2) * fetched * RANDOM_PAGE;
        cost += heap + r * CPU_TUPLE;
    } else {
        cost += r * CPU_TUPLE * 0.5; /* index-only: visibility map mostly set */
    }
    if (joined)
        cost *= outer_rows;
    return cost;
}

/* pgopt's offline cost of statement s with the configuration's candidates
 * added to the existing indexes: per table the cheapest of a sequential
 * scan and every usable index (index_cost), plus a sort when no access
 * gives ORDER BY order; used when no what-if session is available. */
static double model_cost(ia_model_t *m, int s, const int *config, size_t n)
{
    ia_statement_t *st = &m->stmts[s];
    double total = 0;
    for (size_t ti = 0; ti < st->ntables; ti++) {
        int t = st->tables[ti];
        const ia_table_t *tb = &m->tables[t];
        double rows = ia_table_rows(tb);
        double pages = tb->relpages > 0 ? (double)tb->relpages : (double)tb->table_bytes / 8192.0;
        int nquals = 0, has_sort = 0, has_join = 0;
        for (size_t i = 0; i < st->nuses; i++) {
            if (st->uses[i].table != t)
                continue;
            ia_use_kind_t k = st->uses[i].kind;
            if (k == USE_SORT)
                has_sort = 1;
            else if (k == USE_JOIN)
                has_join = 1;
            else if (k != USE_OUTPUT && k != USE_GROUP)
                nquals++;
        }
        double out_rows = filtered_rows(m, st, t);
        double seq = pages * SEQ_PAGE + rows * (CPU_TUPLE + CPU_OP * (nquals ? nquals : 0));
        if (has_sort)
            seq += sort_cost(out_rows);
        /* the other tables' filtered rows drive a nested loop into this one */
        double outer = 0;
        if (has_join && st->ntables > 1) {
            outer = -1;
            for (size_t o = 0; o < st->ntables; o++)
                if (st->tables[o] != t) {
                    double fr = filtered_rows(m, st, st->tables[o]);
                    if (outer < 0 || fr < outer)
                        outer = fr;
                }
            if (outer < 0)
                outer = 0;
        }
        double best = seq;
        /* existing indexes */
        for (size_t i = 0; i < m->nindexes; i++) {
            const ia_index_t *x = &m->indexes[i];
            if (x->table_idx != t || !x->is_valid || !x->is_ready ||
                (strcmp(x->method, "btree") != 0 && strcmp(x->method, "gin") != 0))
                continue;
            int isexpr[IA_MAX_KEYS * 4] = {0};
            size_t nk = x->ncolumns < IA_MAX_KEYS * 4 ? x->ncolumns : IA_MAX_KEYS * 4;
            for (size_t k = 0; k < nk; k++)
                isexpr[k] = strchr(x->columns[k], '(') != NULL;
            access_t a = {t,
                          (const char **)x->columns,
                          isexpr,
                          (int)nk,
                          (const char **)x->include,
                          (int)x->ninclude,
                          strcmp(x->method, "gin") == 0,
                          x->definition && strstr(x->definition, "gin_trgm_ops") ? "gin_trgm_ops"
                          : x->definition && strstr(x->definition, "jsonb_path_ops")
                              ? "jsonb_path_ops"
                          : x->definition && strstr(x->definition, "pattern_ops") ? "pattern_ops"
                                                                                  : NULL,
                          x->predicate,
                          x->has_size ? (double)x->size_bytes : 8192.0};
            int ord;
            double c = index_cost(m, st, &a, outer, &ord);
            if (c >= 0 && has_sort && !ord)
                c += sort_cost(out_rows);
            if (c >= 0 && c < best)
                best = c;
        }
        for (size_t i = 0; i < n; i++) {
            const ia_candidate_t *cd = &m->cands[config[i]];
            if (cd->table != t)
                continue;
            access_t a = {t,
                          (const char **)cd->keys,
                          cd->key_is_expr,
                          cd->nkeys,
                          (const char **)cd->include,
                          cd->ninclude,
                          cd->method == CAND_GIN,
                          cd->opclass,
                          cd->predicate,
                          cd->size_bytes};
            int ord;
            double c = index_cost(m, st, &a, outer, &ord);
            if (c >= 0 && has_sort && !ord)
                c += sort_cost(out_rows);
            if (c >= 0 && c < best)
                best = c;
        }
        total += best;
    }
    m->model_calls++;
    return total > 0 ? total : 1;
}

/* ---- hypopg -------------------------------------------------------------- */

static int stmt_has_table(const ia_statement_t *st, int t)
{
    for (size_t i = 0; i < st->ntables; i++)
        if (st->tables[i] == t)
            return 1;
    return 0;
}

static int in_config(const int *config, size_t n, int c)
{
    for (size_t i = 0; i < n; i++)
        if (config[i] == c)
            return 1;
    return 0;
}

/* See ia_internal.h (memoized in m->serves). */
int ia_candidate_serves(ia_model_t *m, int ci, int s)
{
    if (!m->serves) {
        m->serves = xmalloc(m->ncands * m->nstmts + 1);
        memset(m->serves, -1, m->ncands * m->nstmts + 1);
    }
    signed char *v = &m->serves[(size_t)ci * m->nstmts + (size_t)s];
    if (*v >= 0)
        return *v;
    const ia_candidate_t *c = &m->cands[ci];
    const ia_statement_t *st = &m->stmts[s];
    *v = 0;
    if (!stmt_has_table(st, c->table))
        return 0;
    char lead[256];
    ia_normalize_key(c->keys[0], lead, sizeof lead);
    for (size_t i = 0; i < st->nuses && !*v; i++) {
        const ia_use_t *u = &st->uses[i];
        if (u->table != c->table || u->kind == USE_OUTPUT)
            continue;
        char k[256];
        ia_normalize_key(u->expr ? u->expr : u->column, k, sizeof k);
        *v = strcmp(k, lead) == 0;
    }
    return *v;
}

/* Whether a live hypothetical index of candidate i must go before st is
 * planned: on one of st's tables and not in config (exact: or in config
 * but not serving st). */
static int must_drop(ia_model_t *m, const ia_statement_t *st, const int *config, size_t n, size_t i,
                     int exact)
{
    const ia_candidate_t *c = &m->cands[i];
    if (!c->hypo_oid || !stmt_has_table(st, c->table))
        return 0;
    if (!in_config(config, n, (int)i))
        return 1;
    return exact && !ia_candidate_serves(m, (int)i, (int)(st - m->stmts));
}

/* Makes the hypothetical indexes on the statement's tables the btree
 * candidates of config that can serve it (leading key used:
 * ia_candidate_serves), plus, unless exact, the candidates of config that
 * do not serve it and are already there; indexes on other tables are left
 * as they are (they cannot change its plan). Its cost is then a function of
 * its cost cache key (config_key: the serving candidates) whatever was
 * planned before: exact, by construction; otherwise because hypo_cost
 * checks from the plan that no kept index entered it (see there). Keeping
 * them is what saves the churn: an index serving one statement but not the
 * next one on the same table was dropped and created again (4.5x Extend's
 * creations at 12% on one snapshot, RESULTS-index-advisor.md). Indexes not
 * in config go: config is what is being costed, and the next config rarely
 * holds them (an index of another candidate tried in the same move). */
static int materialize(ia_model_t *m, const ia_statement_t *st, const int *config, size_t n,
                       int exact)
{
    if (whatif_generation(m->whatif) != m->whatif_gen) {
        for (size_t i = 0; i < m->ncands; i++)
            m->cands[i].hypo_oid = 0;
        m->whatif_gen = whatif_generation(m->whatif);
    }
    int s = (int)(st - m->stmts);
    /* the drops, then the creations, each in one round trip */
    int *idx = xmalloc((m->ncands + 1) * sizeof(int));
    unsigned *oids = xmalloc((m->ncands + 1) * sizeof(unsigned));
    size_t k = 0;
    for (size_t i = 0; i < m->ncands; i++) {
        if (must_drop(m, st, config, n, i, exact)) {
            idx[k] = (int)i;
            oids[k++] = m->cands[i].hypo_oid;
        }
    }
    int rc = 0;
    if (k) {
        int64_t t0 = clock_mono_us();
        rc = whatif_index_drop_many(m->whatif, oids, k);
        m->tally.drop_us += clock_mono_us() - t0;
        m->tally.dropped += (int64_t)k;
        for (size_t j = 0; j < k && rc == 0; j++)
            m->cands[idx[j]].hypo_oid = 0;
    }
    char **ddl = xmalloc((n + 1) * sizeof(char *));
    int64_t *sizes = xmalloc((n + 1) * sizeof(int64_t));
    k = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        ia_candidate_t *c = &m->cands[config[i]];
        if (c->hypo_oid || !ia_candidate_serves(m, config[i], s) || ia_candidate_needs_model(c))
            continue;
        idx[k] = config[i];
        ddl[k++] = ia_candidate_ddl(m, c, 0);
    }
    int again = 0;
    if (k && rc == 0) {
        int gen = whatif_generation(m->whatif);
        int64_t t0 = clock_mono_us();
        rc = whatif_index_create_many(m->whatif, (const char *const *)ddl, k, oids, sizes);
        m->tally.create_us += clock_mono_us() - t0;
        if (rc == 0) {
            m->tally.created += (int64_t)k;
            if (whatif_generation(m->whatif) != gen) {
                /* the session reset its hypothetical indexes (hypopg's OID
                 * range) before creating these: the statement's others
                 * are gone, create them again */
                for (size_t i = 0; i < m->ncands; i++)
                    m->cands[i].hypo_oid = 0;
                m->whatif_gen = whatif_generation(m->whatif);
                again = 1;
            }
            for (size_t j = 0; j < k; j++) {
                m->cands[idx[j]].hypo_oid = oids[j];
                m->cands[idx[j]].hypo_size = (double)sizes[j];
            }
        }
    }
    for (size_t j = 0; j < k; j++)
        free(ddl[j]);
    free(ddl);
    free(sizes);
    free(idx);
    free(oids);
    if (rc != 0)
        return -1;
    return again ? materialize(m, st, config, n, exact) : 0;
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* "s<idx>|c1,c2..." over the candidates of config that can serve s: the
 * cost of a statement depends only on those, so a configuration change on
 * its table that it cannot use re-plans nothing. */
static char *config_key(ia_model_t *m, int s, const int *config, size_t n, const char *tag)
{
    int *rel = xmalloc((n + 1) * sizeof(int));
    size_t nr = 0;
    for (size_t i = 0; i < n; i++)
        if (ia_candidate_serves(m, config[i], s))
            rel[nr++] = config[i];
    qsort(rel, nr, sizeof(int), cmp_int);
    size_t cap = 32 + nr * 12;
    char *key = xmalloc(cap);
    size_t o = (size_t)snprintf(key, cap, "%s%d|", tag, s);
    for (size_t i = 0; i < nr; i++)
        o += (size_t)snprintf(key + o, cap - o, "%d,", rel[i]);
    free(rel);
    return key;
}

/* Whether $p is bound to a constant the application sends (pg_qualstats'
 * dominant value of an equality qual), which generic costing keeps. */
static int param_is_app_constant(const ia_statement_t *st, int p)
{
    for (size_t i = 0; i < st->nuses; i++)
        if (st->uses[i].qs_constant && st->uses[i].param == p)
            return 1;
    return 0;
}

/* Whether the two costings send st the same text: every representative
 * value it has is a constant the application sends (which generic costing
 * binds too), or it has none. Then one EXPLAIN answers both. */
static int costings_agree(const ia_statement_t *st)
{
    for (int p = 1; p <= IA_MAX_PARAMS && p <= st->nparams; p++)
        if (st->param_values[p] && !param_is_app_constant(st, p))
            return 0;
    return 1;
}

/* One EXPLAIN of st with the hypothetical indexes there now: its cost and
 * the hypothetical indexes its plan uses (*used malloc()ed). A
 * representative value the server rejects (type, domain) makes the
 * statement generic for good (*any becomes 0). */
static int plan_once(ia_model_t *m, ia_statement_t *st, const char **vals, size_t nv, int *any,
                     double *cost, unsigned **used, size_t *nused)
{
    int rc = whatif_cost_plan(m->whatif, st->query, *any ? vals : NULL, nv, cost, used, nused);
    if (rc != 0 && *any) {
        for (int p = 0; p <= IA_MAX_PARAMS; p++) {
            free(st->param_values[p]);
            st->param_values[p] = NULL;
        }
        *any = 0;
        rc = whatif_cost_plan(m->whatif, st->query, NULL, 0, cost, used, nused);
    }
    return rc;
}

/* Whether the plan uses a hypothetical index that exact materialization
 * would drop (a candidate of config kept on st's tables that does not
 * serve st). */
static int plan_uses_extra(ia_model_t *m, const ia_statement_t *st, const int *config, size_t n,
                           const unsigned *used, size_t nused)
{
    for (size_t u = 0; u < nused; u++)
        for (size_t i = 0; i < m->ncands; i++)
            if (m->cands[i].hypo_oid == used[u])
                if (must_drop(m, st, config, n, i, 1))
                    return 1;
    return 0;
}

#ifdef PGOPT_CHECK_KEPT_INDEXES
/* Whether a candidate of config that does not serve st sits on its tables. */
static int has_extra(ia_model_t *m, const ia_statement_t *st, const int *config, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (must_drop(m, st, config, n, (size_t)config[i], 1))
            return 1;
    return 0;
}
#endif

/* What-if cost of statement s with exactly the configuration's candidates
 * that serve it as hypothetical indexes on the tables it reads (cached by
 * that set, and by the costing where the two send different texts).
 *
 * The config's other candidates on its tables stay (materialize) and the
 * plan is checked: when it uses one of them, they go and the statement is
 * planned again (tally.replans). A plan that uses none of them costs what
 * the plan without them costs: the planner builds paths per index and
 * keeps, per relation and at the top, the cheapest (add_path), so an index
 * whose paths all lost adds nothing to the chosen plan's cost; nor does it
 * change the estimates the paths are costed with - selectivity, row counts
 * and sizes come from pg_statistic and the table, and the one estimate
 * that reads an index, the actual-range probe of get_actual_variable_range
 * (selfuncs.c), skips hypothetical indexes (IndexOptInfo.hypothetical,
 * which hypopg sets), while an expression index's statistics lookup finds
 * no pg_statistic row for a hypothetical OID. Where it can differ:
 * add_path's fuzzy dominance (STD_FUZZ_FACTOR 1.01) can drop a path that
 * is up to 1% cheaper than a kept path with the same pathkeys, or one that
 * ties within 1% and has more rows; an extra index's path can be that kept
 * path and then lose higher up to a path the statement would have beaten
 * it with otherwise. -DPGOPT_CHECK_KEPT_INDEXES (compile time) plans every
 * statement that has such kept indexes both ways and aborts on a
 * difference.
 *
 * Returns -1 when the statement cannot be planned (st->cost_error). */
static int hypo_cost(ia_model_t *m, int s, const int *config, size_t n, double *cost)
{
    ia_statement_t *st = &m->stmts[s];
    char *key = config_key(m, s, config, n, m->generic_costing || costings_agree(st) ? "g" : "h");
    /* the cache first: a configuration already costed for this statement
     * needs neither the server nor any change to the hypothetical indexes
     * (checking after materializing dropped and re-created indexes for
     * answers already known - most of the creations of a run) */
    json_t *hit = json_object_get(m->cost_cache, key);
    if (hit) {
        *cost = json_real_value(hit);
        m->tally.hits++;
        free(key);
        st->planned = 1;
        return 0;
    }
    int rc = 0;
    double c;
    const char *vals[IA_MAX_PARAMS];
    size_t nv = (size_t)(st->nparams < IA_MAX_PARAMS ? st->nparams : IA_MAX_PARAMS);
    int any = 0;
    for (size_t i = 0; i < nv; i++) {
        vals[i] = st->param_values[i + 1];
        if (m->generic_costing && !param_is_app_constant(st, (int)i + 1))
            vals[i] = NULL;
        any |= vals[i] != NULL;
    }
    if (materialize(m, st, config, n, 0) != 0) {
        free(key);
        return -1;
    }
    for (size_t i = 0; i < m->ncands; i++)
        if (m->cands[i].hypo_oid && stmt_has_table(st, m->cands[i].table))
            m->tally.live_sum++;
    unsigned *used = NULL;
    size_t nused = 0;
    int64_t t0 = clock_mono_us(), e0 = whatif_explain_count(m->whatif);
    rc = plan_once(m, st, vals, nv, &any, &c, &used, &nused);
    m->tally.explain_us += clock_mono_us() - t0;
    /* tally.explains counts one plan per costing (the swap-pairs pass
     * bounds its work by it): re-plans are counted apart */
    m->tally.explains += whatif_explain_count(m->whatif) - e0;
    int replan = rc == 0 && plan_uses_extra(m, st, config, n, used, nused);
#ifdef PGOPT_CHECK_KEPT_INDEXES
    int check = rc == 0 && !replan && has_extra(m, st, config, n);
#else
    int check = 0;
#endif
    free(used);
    if (replan || check) {
        double kept = c;
        if (materialize(m, st, config, n, 1) != 0) {
            free(key);
            return -1;
        }
        t0 = clock_mono_us();
        e0 = whatif_explain_count(m->whatif);
        rc = plan_once(m, st, vals, nv, &any, &c, NULL, NULL);
        m->tally.explain_us += clock_mono_us() - t0;
        m->tally.replans += whatif_explain_count(m->whatif) - e0;
        if (check && rc == 0 && c != kept) {
            fprintf(stderr,
                    "ia_cost: PGOPT_CHECK_KEPT_INDEXES: queryid %lld costs %.2f with the "
                    "configuration's non-serving indexes kept (none in its plan) and %.2f "
                    "without them\n",
                    (long long)st->queryid, kept, c);
            abort();
        }
    }
    if (rc == 0) {
        json_object_set_new(m->cost_cache, key, json_real(c));
        *cost = c;
        st->planned = 1;
    }
    free(key);
    return rc;
}

/* See ia_internal.h. The phase's wall time splits into the EXPLAINs',
 * the hypothetical index creations' and drops' round trips, and the rest
 * (client_ms: the selection's own work, parsing plans, the cost model). */
void ia_phase_mark(ia_model_t *m, const char *phase)
{
    int64_t now = clock_mono_us();
    if (m->phase_name && m->phases) {
        const ia_whatif_tally_t *a = &m->tally, *b = &m->phase_start;
        int64_t rp = a->replans - b->replans;
        int64_t ex = a->explains - b->explains + rp, ex_us = a->explain_us - b->explain_us;
        int64_t cr_us = a->create_us - b->create_us, dr_us = a->drop_us - b->drop_us;
        int64_t all_us = now - m->phase_t0;
        json_t *p = json_pack(
            "{s:s, s:I, s:f, s:I, s:f, s:I, s:f, s:I, s:f, s:f}", "phase", m->phase_name,
            "whatif_explains", (json_int_t)ex, "explain_ms", (double)ex_us / 1000.0,
            "hypothetical_indexes_created", (json_int_t)(a->created - b->created), "create_ms",
            (double)cr_us / 1000.0, "hypothetical_indexes_dropped",
            (json_int_t)(a->dropped - b->dropped), "drop_ms", (double)dr_us / 1000.0, "cache_hits",
            (json_int_t)(a->hits - b->hits), "client_ms",
            (double)(all_us - ex_us - cr_us - dr_us) / 1000.0, "ms", (double)all_us / 1000.0);
        /* of the EXPLAINs: plans made again without the configuration's
         * candidates that do not serve the statement, which the first
         * plan used (hypo_cost); absent when none */
        if (rp > 0)
            json_object_set_new(p, "whatif_replans", json_integer((json_int_t)rp));
        if (a->moves_costed + a->moves_bounded > b->moves_costed + b->moves_bounded) {
            json_object_set_new(p, "moves_costed",
                                json_integer((json_int_t)(a->moves_costed - b->moves_costed)));
            json_object_set_new(p, "moves_skipped_by_bound",
                                json_integer((json_int_t)(a->moves_bounded - b->moves_bounded)));
            json_object_set_new(p, "moves_stopped_early",
                                json_integer((json_int_t)(a->moves_cut - b->moves_cut)));
        }
        /* the planner considers every hypothetical index on a statement's
         * tables: their number weighs on what one EXPLAIN costs */
        if (ex > rp)
            json_object_set_new(p, "hypothetical_indexes_per_explain",
                                json_real((double)(a->live_sum - b->live_sum) / (double)(ex - rp)));
        json_array_append_new(m->phases, p);
    }
    m->phase_name = phase;
    m->phase_t0 = now;
    m->phase_start = m->tally;
}

/* See ia_internal.h: opens the what-if session on target.dsn unless
 * offline or a cost hook is set; a target that cannot be reached leaves
 * the cost model (with a note). Returns 0. */
int ia_cost_begin(ia_model_t *m)
{
    const json_t *target = json_object_get(m->snapshot, "target");
    const char *dsn = json_string_value(json_object_get(target, "dsn"));
    if (m->opts->offline) {
        ia_note(m, "offline mode: every estimate comes from pgopt's cost model");
        return 0;
    }
    if (!dsn) {
        ia_note(m, "snapshot has no target.dsn: estimates come from pgopt's cost model "
                   "(pg_stats and sizes), not from what-if plans");
        return 0;
    }
    err_t err;
    if (whatif_open(dsn, m->opts->statement_timeout_ms, &m->whatif, &err) != 0) {
        ia_note(m, "target not reachable for what-if analysis (%s): pgopt's cost model used",
                err.msg);
        return 0;
    }
    if (!whatif_has_hypopg(m->whatif)) {
        ia_note(m, "hypopg is not installed in the target database (CREATE EXTENSION hypopg "
                   "enables what-if plans): pgopt's cost model used");
        whatif_destroy(&m->whatif);
        return 0;
    }
    m->whatif_gen = whatif_generation(m->whatif);
    return 0;
}

void ia_cost_end(ia_model_t *m)
{
    if (m->whatif)
        whatif_reset(m->whatif);
}

/* See ia_internal.h: hook, hypopg, or the model (force_model, or when
 * what-if fails for this statement). */
int ia_statement_cost(ia_model_t *m, int s, const int *config, size_t n, int force_model,
                      double *cost, int *method)
{
    ia_statement_t *st = &m->stmts[s];
    if (m->cost_hook) {
        *method = 1;
        return m->cost_hook(m->cost_hook_user, s, config, n, cost);
    }
    int need_model = force_model || !m->whatif || st->cost_error;
    for (size_t i = 0; i < n && !need_model; i++)
        if (stmt_has_table(st, m->cands[config[i]].table) &&
            ia_candidate_needs_model(&m->cands[config[i]]))
            need_model = 1;
    if (!need_model) {
        if (hypo_cost(m, s, config, n, cost) == 0) {
            *method = 1;
            return 0;
        }
        st->cost_error = xstrdup_or_null(whatif_error(m->whatif));
        ia_note(m, "what-if EXPLAIN failed for queryid %lld (%s): pgopt's cost model used for it",
                (long long)st->queryid, st->cost_error);
    }
    char *key = config_key(m, s, config, n, "m");
    json_t *hit = json_object_get(m->cost_cache, key);
    if (hit) {
        *cost = json_real_value(hit);
    } else {
        *cost = model_cost(m, s, config, n);
        json_object_set_new(m->cost_cache, key, json_real(*cost));
    }
    free(key);
    *method = 0;
    return 0;
}
