/* ia_candidates.c - candidate indexes from the column uses of each
 * statement, their DDL, their size and their write overhead.
 *
 * Selectivities come from pg_stats the way PostgreSQL's selfuncs.c uses
 * them (MCV frequencies, n_distinct, null_frac, histogram fractions); where
 * pg_stats has nothing the planner's own defaults are used and named:
 * DEFAULT_NUM_DISTINCT 200, DEFAULT_INEQ_SEL 1/3, DEFAULT_RANGE_INEQ_SEL
 * 0.005, DEFAULT_MATCH_SEL 0.005, DEFAULT_CONTAIN_SEL 0.005.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "workers/index_advisor/ia_internal.h"

#define BLCKSZ            8192.0
#define PAGE_USABLE       (8192.0 - 24.0 - 16.0) /* page header, btree special space */
#define BTREE_LEAF_FILL   0.90                   /* BTREE_DEFAULT_FILLFACTOR */
#define BTREE_MAX_POSTING 440.0 /* TIDs in one posting list: ~BTMaxItemSize / 6 bytes */

/* See ia_internal.h: the comparable form of an index key or expression. */
void ia_normalize_key(const char *in, char *out, size_t len)
{
    size_t o = 0;
    for (const char *p = in ? in : ""; *p && o + 1 < len; p++) {
        if (*p == '(' || *p == ')' || *p == ' ' || *p == '"')
            continue;
        if (strncmp(p, "::text", 6) == 0 && !isalnum((unsigned char)p[6])) {
            p += 5;
            continue;
        }
        if (strncmp(p, "::regconfig", 11) == 0) {
            p += 10;
            continue;
        }
        out[o++] = (char)tolower((unsigned char)*p);
    }
    out[o] = 0;
}

/* Distinct values of a column (pg_stats n_distinct, negative = a fraction of
 * rows); PostgreSQL's default of 200 without statistics. */
static double distinct_count(const ia_column_t *col, double rows)
{
    if (!col || !col->has_stats)
        return rows > 0 && rows < 200 ? rows : 200; /* DEFAULT_NUM_DISTINCT */
    double nd = col->n_distinct;
    if (nd < 0)
        nd = -nd * rows;
    if (nd < 1)
        nd = 1;
    return nd;
}

/* Fraction of the histogram below value (numbers compare as numbers, other
 * values as text - right for ISO dates/timestamps and C-collated text). */
static double hist_fraction(const json_t *hist, const char *value)
{
    size_t n = json_array_size(hist);
    if (n < 2 || !value)
        return -1;
    char *end;
    double v = strtod(value, &end);
    int numeric = *value && *end == 0;
    size_t below = 0;
    for (size_t i = 0; i < n; i++) {
        const char *b = json_string_value(json_array_get(hist, i));
        if (!b)
            return -1;
        int lt;
        if (numeric) {
            double bv = strtod(b, &end);
            if (*end)
                return -1;
            lt = bv < v;
        } else {
            lt = strcmp(b, value) < 0;
        }
        below += (size_t)lt;
    }
    if (below == 0)
        return 0;
    if (below >= n)
        return 1;
    return ((double)below - 0.5) / (double)(n - 1);
}

/* Frequency of value among the column's most common values, -1 when it is
 * not one of them (or there are none); *sum receives the MCVs' total
 * frequency. */
static double mcv_freq(const ia_column_t *col, const char *value, double *sum)
{
    *sum = 0;
    if (!col || !col->mcv)
        return -1;
    double f = -1;
    for (size_t i = 0; i < json_array_size(col->mcv); i++) {
        double fr = json_number_value(json_array_get(col->mcf, i));
        *sum += fr;
        const char *v = json_string_value(json_array_get(col->mcv, i));
        if (value && v && strcmp(v, value) == 0)
            f = fr;
    }
    return f;
}

/* Selectivity of col = value as PostgreSQL estimates it: the MCV frequency
 * when value is one, else the non-MCV remainder spread over the other
 * distinct values (value NULL: a generic parameter). */
static double eq_selectivity(const ia_model_t *m, const ia_use_t *u, const char *value)
{
    const ia_column_t *col = u->expr ? NULL : ia_find_column(m, u->table, u->column);
    double rows = ia_table_rows(&m->tables[u->table]);
    double nd = distinct_count(col, rows);
    /* lower(x)/upper(x) keep x's distinct values (case variants aside) */
    if (u->expr && (strncmp(u->expr, "lower(", 6) == 0 || strncmp(u->expr, "upper(", 6) == 0))
        nd = distinct_count(ia_find_column(m, u->table, u->column), rows);
    if (col && value) {
        double sum;
        double f = mcv_freq(col, value, &sum);
        if (f >= 0)
            return f;
        size_t nmcv = col->mcv ? json_array_size(col->mcv) : 0;
        double rest = 1.0 - sum - col->null_frac;
        if (nd > (double)nmcv && rest > 0)
            return rest / (nd - (double)nmcv);
    }
    double s = 1.0 / nd;
    return s > 1 ? 1 : s;
}

/* See ia_internal.h: one use's selectivity by kind (equality, IN, range
 * from the histogram, IS [NOT] NULL, pattern defaults). */
double ia_use_selectivity(const ia_model_t *m, const ia_use_t *u)
{
    const ia_column_t *col = u->expr ? NULL : ia_find_column(m, u->table, u->column);
    switch (u->kind) {
    case USE_EQ:
    case USE_JOIN:
        return eq_selectivity(m, u, u->constant);
    case USE_IN: {
        double k = u->in_count > 0 ? u->in_count : 10; /* ANY($1): 10 elements assumed */
        double s = k * eq_selectivity(m, u, NULL);
        return s > 1 ? 1 : s;
    }
    case USE_RANGE: {
        if (col && col->histogram) {
            double lo = 0, hi = 1;
            if (u->range_dir == 2) {
                double a = hist_fraction(col->histogram, u->constant);
                double b = hist_fraction(col->histogram, u->constant2);
                if (a >= 0 && b >= 0)
                    return b > a ? b - a : 0.0001;
                return 0.005; /* DEFAULT_RANGE_INEQ_SEL */
            }
            double f = hist_fraction(col->histogram, u->constant);
            if (f >= 0) {
                if (u->range_dir > 0)
                    lo = f;
                else
                    hi = f;
                double s = (hi - lo) * (1 - col->null_frac);
                return s < 0.0001 ? 0.0001 : s;
            }
        }
        return u->range_dir == 2 ? 0.005 : 1.0 / 3.0; /* planner defaults */
    }
    case USE_ISNULL:
        return col && col->has_stats ? (col->null_frac > 0 ? col->null_frac : 0.0001) : 0.005;
    case USE_NOTNULL:
        return col && col->has_stats ? 1 - col->null_frac : 0.995;
    case USE_LIKE:
    case USE_TRGM:
    case USE_JSONB:
    case USE_ARRAY:
    case USE_FTS:
        return 0.005;
    default:
        return 1;
    }
}

/* ---- candidate construction ---------------------------------------------- */

typedef struct {
    const char *keys[IA_MAX_KEYS];
    int is_expr[IA_MAX_KEYS];
    int nkeys;
    const char *include[IA_MAX_INCLUDE];
    int ninclude;
    char *predicate; /* owned by the caller */
    const char *opclass;
    ia_method_t method;
    const char *type;
} spec_t;

/* Appends a use's column (or expression) as the next key of s, unless
 * already a key or s is full. */
static void spec_key(spec_t *s, const ia_use_t *u)
{
    if (s->nkeys >= IA_MAX_KEYS)
        return;
    const char *k = u->expr ? u->expr : u->column;
    for (int i = 0; i < s->nkeys; i++)
        if (strcmp(s->keys[i], k) == 0)
            return;
    s->keys[s->nkeys] = k;
    s->is_expr[s->nkeys] = u->expr != NULL;
    s->nkeys++;
}

/* An identifier-safe lower-case name: runs of other characters become one
 * underscore, none trailing. */
static void sanitize_name(const char *in, char *out, size_t len)
{
    size_t o = 0;
    int last_us = 1;
    for (const char *p = in; *p && o + 1 < len; p++) {
        char ch = (char)tolower((unsigned char)*p);
        if (isalnum((unsigned char)ch)) {
            out[o++] = ch;
            last_us = 0;
        } else if (!last_us) {
            out[o++] = '_';
            last_us = 1;
        }
    }
    while (o && out[o - 1] == '_')
        o--;
    out[o] = 0;
}

/* Records that statement s would use candidate c (each statement once).
 * Returns 1 when s was added, 0 when c already listed it; cannot fail
 * (xrealloc aborts on out-of-memory). */
static int add_stmt_ref(ia_candidate_t *c, int s)
{
    for (size_t i = 0; i < c->nstmts; i++)
        if (c->stmts[i] == s)
            return 0;
    c->stmts = xrealloc(c->stmts, (c->nstmts + 1) * sizeof(int));
    c->stmts[c->nstmts++] = s;
    return 1;
}

/* Adds the candidate sp describes on table for statement s, or, when one
 * with the same signature (table, method, opclass, normalized keys,
 * INCLUDE, predicate) exists, adds s to its statements. Names it
 * idx_<table>_<keys>[_incl][_trgm|_gin][_partial], at most 63 bytes. */
static void add_candidate(ia_model_t *m, int table, int s, const spec_t *sp)
{
    if (sp->nkeys == 0)
        return;
    char sig[1024];
    size_t o = (size_t)snprintf(sig, sizeof sig, "%d|%d|%s|", table, (int)sp->method,
                                sp->opclass ? sp->opclass : "");
    for (int i = 0; i < sp->nkeys; i++) {
        char nk[256];
        ia_normalize_key(sp->keys[i], nk, sizeof nk);
        o += (size_t)snprintf(sig + o, sizeof sig - o, "%s%s", i ? "," : "", nk);
    }
    o += (size_t)snprintf(sig + o, sizeof sig - o, "|");
    for (int i = 0; i < sp->ninclude; i++)
        o += (size_t)snprintf(sig + o, sizeof sig - o, "%s%s", i ? "," : "", sp->include[i]);
    snprintf(sig + o, sizeof sig - o, "|%s", sp->predicate ? sp->predicate : "");
    for (size_t i = 0; i < m->ncands; i++)
        if (strcmp(m->cands[i].signature, sig) == 0) {
            add_stmt_ref(&m->cands[i], s);
            return;
        }
    if (m->ncands == m->cap_cands) {
        m->cap_cands = m->cap_cands ? m->cap_cands * 2 : 32;
        m->cands = xrealloc(m->cands, m->cap_cands * sizeof *m->cands);
    }
    ia_candidate_t *c = &m->cands[m->ncands];
    memset(c, 0, sizeof *c);
    c->table = table;
    c->method = sp->method;
    c->nkeys = sp->nkeys;
    for (int i = 0; i < sp->nkeys; i++) {
        c->keys[i] = xstrdup_or_null(sp->keys[i]);
        c->key_is_expr[i] = sp->is_expr[i];
    }
    c->ninclude = sp->ninclude;
    for (int i = 0; i < sp->ninclude; i++)
        c->include[i] = xstrdup_or_null(sp->include[i]);
    c->predicate = xstrdup_or_null(sp->predicate);
    c->opclass = xstrdup_or_null(sp->opclass);
    c->type = xstrdup_or_null(sp->type);
    c->signature = xstrdup_or_null(sig);
    c->needs_trgm = sp->opclass && strcmp(sp->opclass, "gin_trgm_ops") == 0;
    /* name: idx_<table>_<keys>[_<include>][_partial] */
    char name[512];
    o = (size_t)snprintf(name, sizeof name, "idx_%s", m->tables[table].name);
    for (int i = 0; i < sp->nkeys; i++)
        o += (size_t)snprintf(name + o, sizeof name - o, "_%s", sp->keys[i]);
    if (sp->ninclude)
        o += (size_t)snprintf(name + o, sizeof name - o, "_incl");
    if (sp->method == CAND_GIN)
        o += (size_t)snprintf(name + o, sizeof name - o, "_%s",
                              sp->opclass && strstr(sp->opclass, "trgm") ? "trgm" : "gin");
    if (sp->predicate)
        snprintf(name + o, sizeof name - o, "_partial");
    char clean[512];
    sanitize_name(name, clean, sizeof clean);
    clean[63] = 0; /* NAMEDATALEN - 1 */
    c->name = xstrdup_or_null(clean);
    add_stmt_ref(c, s);
    m->ncands++;
}

static double use_sel_for_order(const ia_model_t *m, const ia_use_t *u)
{
    return ia_use_selectivity(m, u);
}

/* A SQL literal for a constant: numbers and booleans as they are, other
 * text quoted with '' doubled. malloc()ed. */
static char *literal(const char *v)
{
    char *end;
    strtod(v, &end);
    if (*v && *end == 0)
        return xstrdup_or_null(v);
    if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
        return xstrdup_or_null(v);
    size_t n = strlen(v);
    char *out = xmalloc(n * 2 + 3);
    size_t o = 0;
    out[o++] = '\'';
    for (const char *p = v; *p; p++) {
        if (*p == '\'')
            out[o++] = '\'';
        out[o++] = *p;
    }
    out[o++] = '\'';
    out[o] = 0;
    return out;
}

typedef struct {
    const ia_model_t *m;
    const ia_use_t *u;
    double sel;
} ranked_t;

static int cmp_ranked(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    return (x->sel > y->sel) - (x->sel < y->sel);
}

static int cmp_ordinal(const void *a, const void *b)
{
    const ia_use_t *x = *(const ia_use_t *const *)a, *y = *(const ia_use_t *const *)b;
    return x->ordinal - y->ordinal;
}

/* Whether every column the statement needs from this table fits in keys +
 * INCLUDE (an index-only scan). Fills sp->include with what is missing. */
static int make_covering(const ia_model_t *m, const ia_statement_t *st, int table, spec_t *sp)
{
    if (st->select_star || st->command != 0)
        return 0;
    sp->ninclude = 0;
    for (size_t i = 0; i < st->nuses; i++) {
        const ia_use_t *u = &st->uses[i];
        if (u->table != table)
            continue;
        if (u->expr && u->kind != USE_OUTPUT) {
            /* an expression key does not return the column itself */
        }
        int have = 0;
        for (int k = 0; k < sp->nkeys && !have; k++)
            have = !sp->is_expr[k] && strcmp(sp->keys[k], u->column) == 0;
        for (int k = 0; k < sp->ninclude && !have; k++)
            have = strcmp(sp->include[k], u->column) == 0;
        if (have)
            continue;
        if (sp->ninclude >= IA_MAX_INCLUDE)
            return 0;
        const ia_column_t *col = ia_find_column(m, table, u->column);
        if (!col || col->avg_width > 64) /* wide values: the index would copy the heap */
            return 0;
        sp->include[sp->ninclude++] = u->column;
    }
    return sp->ninclude > 0;
}

/* One statement's uses of one table, by kind: equality and IN (most
 * selective first), joins, ranges and IS NULL (likewise), sort and group
 * columns (in their clause's order). */
typedef struct {
    ranked_t eqs[16], joins[8], ranges[8];
    const ia_use_t *sorts[8], *groups[8];
    size_t neq, njoin, nrange, nsort, ngroup;
    int sort_dir_mixed; /* ORDER BY mixes ASC and DESC */
} table_uses_t;

/* Sorts statement st's uses of table into tu (see table_uses_t). */
static void classify_uses(const ia_model_t *m, const ia_statement_t *st, int table,
                          table_uses_t *tu)
{
    memset(tu, 0, sizeof *tu);
    for (size_t i = 0; i < st->nuses; i++) {
        const ia_use_t *u = &st->uses[i];
        if (u->table != table)
            continue;
        double sel = use_sel_for_order(m, u);
        switch (u->kind) {
        case USE_EQ:
        case USE_IN:
            if (tu->neq < 16)
                tu->eqs[tu->neq++] = (ranked_t){m, u, sel};
            break;
        case USE_JOIN:
            if (tu->njoin < 8)
                tu->joins[tu->njoin++] = (ranked_t){m, u, sel};
            break;
        case USE_RANGE:
        case USE_ISNULL:
            if (tu->nrange < 8)
                tu->ranges[tu->nrange++] = (ranked_t){m, u, sel};
            break;
        case USE_SORT:
            if (tu->nsort < 8) {
                if (tu->nsort && tu->sorts[0]->desc != u->desc)
                    tu->sort_dir_mixed = 1;
                tu->sorts[tu->nsort++] = u;
            }
            break;
        case USE_GROUP:
            if (tu->ngroup < 8)
                tu->groups[tu->ngroup++] = u;
            break;
        default:
            break;
        }
    }
    qsort(tu->eqs, tu->neq, sizeof *tu->eqs, cmp_ranked);
    qsort(tu->joins, tu->njoin, sizeof *tu->joins, cmp_ranked);
    qsort(tu->ranges, tu->nrange, sizeof *tu->ranges, cmp_ranked);
    qsort(tu->sorts, tu->nsort, sizeof *tu->sorts, cmp_ordinal);
    qsort(tu->groups, tu->ngroup, sizeof *tu->groups, cmp_ordinal);
}

/* Single-column candidates: every filtered or joined column (the
 * single-column baseline's whole candidate set, without expressions). */
static void gen_single_column(ia_model_t *m, int s, int table, const table_uses_t *tu)
{
    size_t neq = tu->neq, njoin = tu->njoin;
    for (size_t i = 0; i < neq + njoin + tu->nrange; i++) {
        const ia_use_t *u = i < neq           ? tu->eqs[i].u
                            : i < neq + njoin ? tu->joins[i - neq].u
                                              : tu->ranges[i - neq - njoin].u;
        if (m->opts->baseline_single_column && u->expr)
            continue;
        spec_t sp = {0};
        sp.type = "btree";
        spec_key(&sp, u);
        add_candidate(m, table, s, &sp);
    }
}

/* Two filter columns of one statement on one table in both orders
 * (equality, IN, range; the first IA_PAIR_COLUMNS of them, most selective
 * equalities, then ranges). The rules of gen_composite put equalities
 * first, the textbook order for one statement alone; a workload's index
 * is often led by a column several statements filter on, with a second
 * key one of them also checks - Extend (Schlosser et al.) reaches it by
 * appending an attribute to a chosen single-column index, and pgopt's
 * selection can take the same extend move only to a candidate: TPC-H's
 * part (p_size) serves Q2 (p_size = $1), Q16 (IN) and Q19 (BETWEEN),
 * and part (p_size, p_brand) also checks Q19's p_brand = $2 in the index
 * instead of on each heap row. */
#define IA_PAIR_COLUMNS 4
static void gen_filter_pairs(ia_model_t *m, int s, int table, const table_uses_t *tu)
{
    const ia_use_t *f[IA_PAIR_COLUMNS];
    size_t nf = 0;
    for (size_t i = 0; i < tu->neq && nf < IA_PAIR_COLUMNS; i++)
        f[nf++] = tu->eqs[i].u;
    for (size_t i = 0; i < tu->nrange && nf < IA_PAIR_COLUMNS; i++)
        f[nf++] = tu->ranges[i].u;
    for (size_t a = 0; a < nf; a++)
        for (size_t b = 0; b < nf; b++) {
            if (a == b)
                continue;
            spec_t sp = {0};
            sp.type = "btree";
            spec_key(&sp, f[a]);
            spec_key(&sp, f[b]);
            if (sp.nkeys == 2)
                add_candidate(m, table, s, &sp);
        }
}

/* Multi-column candidates: the equality prefix (most selective first),
 * equality + join column both ways, equality (or join) + each range,
 * equalities + the ORDER BY, the GROUP BY. */
static void gen_composite(ia_model_t *m, int s, int table, const table_uses_t *tu)
{
    size_t neq = tu->neq, njoin = tu->njoin, nrange = tu->nrange;
    spec_t base = {0};
    base.type = "btree";
    for (size_t i = 0; i < neq && base.nkeys < IA_MAX_KEYS; i++)
        spec_key(&base, tu->eqs[i].u);
    if (base.nkeys >= 2)
        add_candidate(m, table, s, &base);
    /* equality + join column (nested loop inner with a filter) */
    for (size_t j = 0; j < njoin; j++) {
        spec_t sp = {0};
        sp.type = "btree";
        spec_key(&sp, tu->joins[j].u);
        for (size_t i = 0; i < neq && sp.nkeys < IA_MAX_KEYS; i++)
            spec_key(&sp, tu->eqs[i].u);
        if (sp.nkeys >= 2)
            add_candidate(m, table, s, &sp);
        spec_t sp2 = {0};
        sp2.type = "btree";
        for (size_t i = 0; i < neq && sp2.nkeys < IA_MAX_KEYS - 1; i++)
            spec_key(&sp2, tu->eqs[i].u);
        spec_key(&sp2, tu->joins[j].u);
        if (sp2.nkeys >= 2)
            add_candidate(m, table, s, &sp2);
    }
    /* two join columns, both orders, no filter: a table that joins two
     * others (TPC-H's supplier between lineitem and nation, customer
     * between orders and nation) is probed on one and checked on the
     * other, which the second key answers from the index - Extend reaches
     * these by appending an attribute, per-column candidates never do */
    for (size_t a = 0; a < njoin && neq == 0 && a < 3; a++)
        for (size_t b = 0; b < njoin && b < 3; b++) {
            if (a == b)
                continue;
            spec_t sp = {0};
            sp.type = "btree";
            spec_key(&sp, tu->joins[a].u);
            spec_key(&sp, tu->joins[b].u);
            if (sp.nkeys == 2)
                add_candidate(m, table, s, &sp);
        }
    for (size_t r = 0; r < nrange; r++) {
        spec_t sp = {0};
        sp.type = "btree";
        for (size_t i = 0; i < neq && sp.nkeys < IA_MAX_KEYS - 1; i++)
            spec_key(&sp, tu->eqs[i].u);
        for (size_t j = 0; j < njoin && sp.nkeys < IA_MAX_KEYS - 1 && neq == 0; j++)
            spec_key(&sp, tu->joins[j].u);
        spec_key(&sp, tu->ranges[r].u);
        if (sp.nkeys >= 2)
            add_candidate(m, table, s, &sp);
    }
    if (tu->nsort && !tu->sort_dir_mixed) {
        spec_t sp = {0};
        sp.type = "btree";
        for (size_t i = 0; i < neq && sp.nkeys < IA_MAX_KEYS - 1; i++)
            if (tu->eqs[i].u->kind == USE_EQ)
                spec_key(&sp, tu->eqs[i].u);
        for (size_t i = 0; i < tu->nsort && sp.nkeys < IA_MAX_KEYS; i++)
            spec_key(&sp, tu->sorts[i]);
        if (sp.nkeys >= 1)
            add_candidate(m, table, s, &sp);
    }
    gen_filter_pairs(m, s, table, tu);
    if (tu->ngroup && neq == 0) {
        spec_t sp = {0};
        sp.type = "btree";
        for (size_t i = 0; i < tu->ngroup && sp.nkeys < IA_MAX_KEYS; i++)
            spec_key(&sp, tu->groups[i]);
        add_candidate(m, table, s, &sp);
    }
}

/* Covering: the statement's hottest shape (equality + range/sort keys)
 * with the rest of its columns in INCLUDE, for statements that carry at
 * least 2% of the workload's time. */
static void gen_covering(ia_model_t *m, int s, int table, const table_uses_t *tu)
{
    const ia_statement_t *st = &m->stmts[s];
    if (!(m->total_weight > 0 && st->weight / m->total_weight >= 0.02 &&
          (tu->neq || tu->njoin || tu->nrange)))
        return;
    spec_t sp = {0};
    sp.type = "covering";
    for (size_t i = 0; i < tu->neq && sp.nkeys < IA_MAX_KEYS; i++)
        spec_key(&sp, tu->eqs[i].u);
    if (tu->neq == 0)
        for (size_t j = 0; j < tu->njoin && sp.nkeys < IA_MAX_KEYS; j++)
            spec_key(&sp, tu->joins[j].u);
    if (tu->nrange && sp.nkeys < IA_MAX_KEYS)
        spec_key(&sp, tu->ranges[0].u);
    else if (tu->nsort && !tu->sort_dir_mixed)
        for (size_t i = 0; i < tu->nsort && sp.nkeys < IA_MAX_KEYS; i++)
            spec_key(&sp, tu->sorts[i]);
    if (make_covering(m, st, table, &sp))
        add_candidate(m, table, s, &sp);
}

/* The WHERE of a partial index for use u, or NULL: IS NULL on a mostly
 * non-null column, IS NOT NULL on a mostly null one, a rare literal value
 * (at most 20% of rows, at most 100 distinct values). malloc()ed. */
static char *partial_predicate(const ia_model_t *m, int table, const ia_use_t *u)
{
    if (u->table != table || u->expr)
        return NULL;
    const ia_column_t *col = ia_find_column(m, table, u->column);
    if (!col || !col->has_stats)
        return NULL;
    char q[200];
    ia_quote_ident(u->column, q, sizeof q);
    if (u->kind == USE_ISNULL && col->null_frac <= 0.2)
        return ia_printf("%s IS NULL", q);
    if (u->kind == USE_NOTNULL && col->null_frac >= 0.8)
        return ia_printf("%s IS NOT NULL", q);
    if (u->kind == USE_EQ && u->constant && (!u->param || u->qs_constant)) {
        double sum;
        double f = mcv_freq(col, u->constant, &sum);
        double nd = distinct_count(col, ia_table_rows(&m->tables[table]));
        if (f >= 0 && f <= 0.2 && nd <= 100) {
            char *lit = literal(u->constant);
            char *pred = ia_printf("%s = %s", q, lit);
            free(lit);
            return pred;
        }
    }
    return NULL;
}

/* Partial indexes: a selective constant (partial_predicate) moves into
 * WHERE; the other keys of the statement stay keys. */
static void gen_partial(ia_model_t *m, int s, int table, const table_uses_t *tu)
{
    const ia_statement_t *st = &m->stmts[s];
    for (size_t i = 0; i < st->nuses; i++) {
        const ia_use_t *u = &st->uses[i];
        char *pred = partial_predicate(m, table, u);
        if (!pred)
            continue;
        spec_t sp = {0};
        sp.type = "partial";
        sp.predicate = pred;
        for (size_t k = 0; k < tu->neq && sp.nkeys < IA_MAX_KEYS; k++)
            if (strcmp(tu->eqs[k].u->column, u->column) != 0 || tu->eqs[k].u->expr)
                spec_key(&sp, tu->eqs[k].u);
        for (size_t k = 0; k < tu->nrange && sp.nkeys < IA_MAX_KEYS; k++)
            if (strcmp(tu->ranges[k].u->column, u->column) != 0 || tu->ranges[k].u->expr)
                spec_key(&sp, tu->ranges[k].u);
        for (size_t k = 0; k < tu->nsort && !tu->sort_dir_mixed && sp.nkeys < IA_MAX_KEYS; k++)
            spec_key(&sp, tu->sorts[k]);
        if (sp.nkeys == 0) {
            /* nothing else to key on: the join column, else the column itself */
            if (tu->njoin)
                spec_key(&sp, tu->joins[0].u);
            else
                spec_key(&sp, u);
        }
        add_candidate(m, table, s, &sp);
        free(pred);
    }
}

/* LIKE 'abc%' (btree with pattern ops, right under any collation) and GIN
 * (trigram, jsonb, arrays, full text). */
static void gen_pattern_and_gin(ia_model_t *m, int s, int table)
{
    const ia_statement_t *st = &m->stmts[s];
    for (size_t i = 0; i < st->nuses; i++) {
        const ia_use_t *u = &st->uses[i];
        if (u->table != table)
            continue;
        const ia_column_t *col = ia_find_column(m, table, u->column);
        const char *type = col ? col->type : "";
        spec_t sp = {0};
        switch (u->kind) {
        case USE_LIKE:
            sp.type = "btree";
            sp.method = CAND_BTREE;
            if (strncmp(type, "character varying", 17) == 0)
                sp.opclass = "varchar_pattern_ops";
            else if (strcmp(type, "text") == 0)
                sp.opclass = "text_pattern_ops";
            else
                continue;
            break;
        case USE_TRGM:
            sp.type = "gin";
            sp.method = CAND_GIN;
            sp.opclass = "gin_trgm_ops";
            break;
        case USE_JSONB: {
            sp.type = "gin";
            sp.method = CAND_GIN;
            /* jsonb_path_ops is smaller and faster but serves only @> */
            int only_contains = 1;
            for (size_t k = 0; k < st->nuses; k++)
                if (st->uses[k].table == table && st->uses[k].kind == USE_JSONB &&
                    strcmp(st->uses[k].column, u->column) == 0 && strcmp(st->uses[k].op, "@>") != 0)
                    only_contains = 0;
            sp.opclass = only_contains ? "jsonb_path_ops" : NULL;
            break;
        }
        case USE_ARRAY:
        case USE_FTS:
            sp.type = "gin";
            sp.method = CAND_GIN;
            break;
        default:
            continue;
        }
        spec_key(&sp, u);
        add_candidate(m, table, s, &sp);
    }
}

/* Candidates for statement s on one of its tables (the single-column
 * baseline stops after the first kind). */
static void gen_for_table(ia_model_t *m, int s, int table)
{
    table_uses_t tu;
    classify_uses(m, &m->stmts[s], table, &tu);
    gen_single_column(m, s, table, &tu);
    if (m->opts->baseline_single_column)
        return;
    gen_composite(m, s, table, &tu);
    gen_covering(m, s, table, &tu);
    gen_partial(m, s, table, &tu);
    gen_pattern_and_gin(m, s, table);
}

static int method_matches(const ia_candidate_t *c, const ia_index_t *x)
{
    return strcmp(x->method, c->method == CAND_GIN ? "gin" : "btree") == 0;
}

/* See ia_internal.h: 1 when a valid existing index has the candidate's
 * keys as a prefix (same method, opclass and predicate). */
int ia_served_by_existing(const ia_model_t *m, const ia_candidate_t *c)
{
    for (size_t i = 0; i < m->nindexes; i++) {
        const ia_index_t *x = &m->indexes[i];
        if (x->table_idx != c->table || !x->is_valid || !x->is_ready || !method_matches(c, x))
            continue;
        if ((size_t)c->nkeys > x->ncolumns)
            continue;
        if (x->predicate) {
            char a[512], b[512];
            ia_normalize_key(x->predicate, a, sizeof a);
            ia_normalize_key(c->predicate ? c->predicate : "", b, sizeof b);
            if (strcmp(a, b) != 0)
                continue;
        }
        if (c->opclass && (!x->definition || !strstr(x->definition, c->opclass)))
            continue;
        int prefix = 1;
        for (int k = 0; k < c->nkeys && prefix; k++) {
            char a[256], b[256];
            ia_normalize_key(c->keys[k], a, sizeof a);
            ia_normalize_key(x->columns[k], b, sizeof b);
            prefix = strcmp(a, b) == 0;
        }
        if (!prefix)
            continue;
        int covered = 1;
        for (int k = 0; k < c->ninclude && covered; k++) {
            int have = 0;
            for (size_t j = 0; j < x->ncolumns && !have; j++)
                have = strcmp(x->columns[j], c->include[k]) == 0;
            for (size_t j = 0; j < x->ninclude && !have; j++)
                have = strcmp(x->include[j], c->include[k]) == 0;
            covered = have;
        }
        if (covered)
            return 1;
    }
    return 0;
}

/* See ia_internal.h: the CREATE INDEX text of a candidate. */
char *ia_candidate_ddl(const ia_model_t *m, const ia_candidate_t *c, int concurrently)
{
    const ia_table_t *t = &m->tables[c->table];
    char qs[200], qt[200];
    ia_quote_ident(t->schema, qs, sizeof qs);
    ia_quote_ident(t->name, qt, sizeof qt);
    char buf[4096];
    size_t o = (size_t)snprintf(buf, sizeof buf, "CREATE INDEX %s%s%sON %s.%s %s(",
                                concurrently ? "CONCURRENTLY " : "", concurrently ? c->name : "",
                                concurrently ? " " : "", qs, qt,
                                c->method == CAND_GIN ? "USING gin " : "");
    for (int k = 0; k < c->nkeys; k++) {
        char qk[260];
        if (c->key_is_expr[k])
            snprintf(qk, sizeof qk, "(%s)", c->keys[k]);
        else
            ia_quote_ident(c->keys[k], qk, sizeof qk);
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s%s%s", k ? ", " : "", qk,
                              c->opclass ? " " : "", c->opclass ? c->opclass : "");
    }
    o += (size_t)snprintf(buf + o, sizeof buf - o, ")");
    if (c->ninclude) {
        o += (size_t)snprintf(buf + o, sizeof buf - o, " INCLUDE (");
        for (int k = 0; k < c->ninclude; k++) {
            char qk[260];
            ia_quote_ident(c->include[k], qk, sizeof qk);
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", k ? ", " : "", qk);
        }
        o += (size_t)snprintf(buf + o, sizeof buf - o, ")");
    }
    if (c->predicate)
        snprintf(buf + o, sizeof buf - o, " WHERE %s", c->predicate);
    return xstrdup_or_null(buf);
}

/* ---- sizes --------------------------------------------------------------- */

static double maxalign(double x)
{
    return ceil(x / 8.0) * 8.0;
}

/* Stored width of a fixed-width type in bytes; 32 when unknown (varlena
 * without statistics). */
static double type_width(const char *type)
{
    if (!type)
        return 32;
    if (strcmp(type, "integer") == 0 || strcmp(type, "date") == 0 || strcmp(type, "real") == 0)
        return 4;
    if (strcmp(type, "smallint") == 0)
        return 2;
    if (strcmp(type, "boolean") == 0)
        return 1;
    if (strcmp(type, "bigint") == 0 || strncmp(type, "timestamp", 9) == 0 ||
        strcmp(type, "double precision") == 0)
        return 8;
    if (strcmp(type, "uuid") == 0)
        return 16;
    return 32;
}

/* 1 when btree deduplication applies to the type. */
static int type_dedup_safe(const char *type)
{
    /* btree deduplication is off for numeric, float, jsonb, arrays and
     * container types (nbtree README: "deduplication safe" opclasses) */
    if (!type)
        return 0;
    return !(strcmp(type, "numeric") == 0 || strncmp(type, "numeric(", 8) == 0 ||
             strcmp(type, "real") == 0 || strcmp(type, "double precision") == 0 ||
             strcmp(type, "jsonb") == 0 || strcmp(type, "json") == 0 || strstr(type, "[]"));
}

/* Average stored width of one key (column, or an expression over one: its
 * column's width, 4 for ::date, 8 for date_trunc); *colp the column when
 * known. */
static double key_width(const ia_model_t *m, const ia_candidate_t *c, const char *key, int expr,
                        const ia_column_t **colp)
{
    *colp = NULL;
    if (expr) {
        if (strstr(key, "::date"))
            return 4;
        if (strncmp(key, "date_trunc", 10) == 0)
            return 8;
    }
    const char *colname = key;
    char inner[256];
    if (expr) {
        /* lower(col) / upper(col): the column inside */
        const char *open = strchr(key, '(');
        const char *close = open ? strchr(open, ')') : NULL;
        if (open && close && (size_t)(close - open) < sizeof inner) {
            snprintf(inner, sizeof inner, "%.*s", (int)(close - open - 1), open + 1);
            colname = inner;
        }
    }
    const ia_column_t *col = ia_find_column(m, c->table, colname);
    *colp = col;
    if (col && col->has_stats && col->avg_width > 0) {
        double w = col->avg_width;
        double tw = type_width(col->type);
        if (tw < 32)
            return tw;                /* fixed-width: exact */
        return w + (w < 127 ? 1 : 4); /* varlena short/long header */
    }
    return type_width(col ? col->type : NULL);
}

/* See ia_internal.h: btree size from rows, key and INCLUDE widths, tuple
 * overhead, fill factor and (where safe) deduplication from n_distinct;
 * *method names the estimate (malloc()ed). */
double ia_estimate_btree_bytes(const ia_model_t *m, const ia_candidate_t *c, char **method)
{
    const ia_table_t *t = &m->tables[c->table];
    double rows = ia_table_rows(t);
    double frac = 1;
    if (c->predicate) {
        /* the partial index's rows: the predicate's selectivity */
        const ia_column_t *pc = NULL;
        for (size_t i = 0; i < t->ncolumns && !pc; i++) {
            char q[200];
            ia_quote_ident(t->columns[i].name, q, sizeof q);
            size_t ql = strlen(q);
            if (strncmp(c->predicate, q, ql) == 0 && c->predicate[ql] == ' ')
                pc = &t->columns[i];
        }
        if (pc && strstr(c->predicate, "IS NOT NULL"))
            frac = 1 - pc->null_frac;
        else if (pc && strstr(c->predicate, "IS NULL"))
            frac = pc->null_frac;
        else if (pc) {
            const char *eq = strstr(c->predicate, " = ");
            char val[256] = "";
            if (eq) {
                const char *v = eq + 3;
                size_t n = strlen(v);
                if (n >= 2 && v[0] == '\'')
                    snprintf(val, sizeof val, "%.*s", (int)(n - 2), v + 1);
                else
                    snprintf(val, sizeof val, "%s", v);
            }
            double sum;
            double f = mcv_freq(pc, val, &sum);
            frac = f >= 0 ? f : 0.01;
        }
    }
    double n = rows * frac;
    if (c->method == CAND_GIN) {
        const ia_column_t *col;
        double w = key_width(m, c, c->keys[0], c->key_is_expr[0], &col);
        double entries_per_row;
        if (c->opclass && strcmp(c->opclass, "gin_trgm_ops") == 0)
            entries_per_row = w + 2; /* about one trigram per character (+ padding) */
        else
            entries_per_row = w / 8 > 1 ? w / 8 : 1; /* ~one key per 8 bytes of value */
        /* posting items are varbyte-compressed TIDs: ~2 bytes each, plus the
         * entry tree (distinct keys are few next to the items) */
        double bytes = n * entries_per_row * 2.0 / 0.9 + 2 * BLCKSZ;
        if (method)
            *method =
                xstrdup_or_null("gin: rows x entries per row (trigrams ~ width + 2, other keys "
                                "~ width / 8) x 2 bytes per compressed item / 0.9 fill");
        return ceil(bytes / BLCKSZ) * BLCKSZ;
    }
    double keyw = 0, distinct = 1;
    int dedup = c->ninclude == 0;
    for (int k = 0; k < c->nkeys; k++) {
        const ia_column_t *col;
        double w = key_width(m, c, c->keys[k], c->key_is_expr[k], &col);
        keyw = (w >= 8 ? maxalign(keyw) : keyw) + w;
        double nd = distinct_count(c->key_is_expr[k] ? NULL : col, rows);
        if (c->key_is_expr[k] && col)
            nd = distinct_count(col, rows); /* lower(x) ~ x, x::date <= x */
        distinct *= nd;
        if (!col || !type_dedup_safe(col->type))
            dedup = 0;
    }
    for (int k = 0; k < c->ninclude; k++) {
        const ia_column_t *col;
        keyw += key_width(m, c, c->include[k], 0, &col);
    }
    if (distinct > n)
        distinct = n;
    double tuple = maxalign(8 + keyw) + 4; /* IndexTupleData + key, ItemId */
    double leaf_bytes;
    if (dedup && n > 0 && n / distinct >= 2) {
        /* one posting-list tuple per distinct key: the MAXALIGNed key
         * tuple followed by 6 bytes per heap TID, MAXALIGNed again, split
         * every ~440 TIDs (BTMaxItemSize); _bt_form_posting's layout */
        double dups = n / distinct;
        double per = dups > BTREE_MAX_POSTING ? BTREE_MAX_POSTING : dups;
        double tuples = n / per;
        double posting = maxalign(maxalign(8 + keyw) + 6 * per) + 4;
        leaf_bytes = tuples * posting;
        if (method)
            *method = ia_printf("btree with deduplication: %.0f rows, %.0f distinct keys "
                                "(pg_stats n_distinct), %.1f TIDs per posting tuple of %.0f "
                                "bytes, 90%% leaf fill",
                                n, distinct, per, posting);
    } else {
        leaf_bytes = n * tuple;
        if (method)
            *method = ia_printf("btree: %.0f rows x %.0f-byte tuples, 90%% leaf fill%s", n, tuple,
                                dedup ? "" : " (no deduplication: unique keys, INCLUDE or type)");
    }
    double leaf_pages = ceil(leaf_bytes / (PAGE_USABLE * BTREE_LEAF_FILL));
    if (leaf_pages < 1)
        leaf_pages = 1;
    double fanout = floor(PAGE_USABLE * 0.7 / tuple); /* internal pages 70% full */
    double inner = 0, level = leaf_pages;
    while (level > 1 && fanout > 1) {
        level = ceil(level / fanout);
        inner += level;
    }
    return (leaf_pages + inner + 1) * BLCKSZ; /* + metapage */
}

/* ---- write overhead ------------------------------------------------------ */

/* 1 when the candidate stores the column: as a key, inside an expression
 * key, or in INCLUDE. */
static int cand_has_column(const ia_candidate_t *c, const char *col)
{
    for (int k = 0; k < c->nkeys; k++) {
        if (!c->key_is_expr[k] && strcmp(c->keys[k], col) == 0)
            return 1;
        if (c->key_is_expr[k]) {
            /* an expression over the column */
            const char *p = strstr(c->keys[k], col);
            size_t n = strlen(col);
            if (p && (p == c->keys[k] || !isalnum((unsigned char)p[-1])) &&
                !isalnum((unsigned char)p[n]) && p[n] != '_')
                return 1;
        }
    }
    for (int k = 0; k < c->ninclude; k++)
        if (strcmp(c->include[k], col) == 0)
            return 1;
    /* a partial index's predicate columns block HOT too (PostgreSQL's
     * RelationGetIndexAttrBitmap includes them) */
    if (c->predicate) {
        size_t n = strlen(col);
        for (const char *p = strstr(c->predicate, col); p; p = strstr(p + 1, col))
            if ((p == c->predicate || (!isalnum((unsigned char)p[-1]) && p[-1] != '_')) &&
                !isalnum((unsigned char)p[n]) && p[n] != '_')
                return 1;
    }
    return 0;
}

/* See ia_internal.h: sets c->write_overhead (extra write volume on its
 * table, a fraction of the current) and c->hot_lost_stmts (UPDATEs that
 * would lose HOT because they set a column c stores). */
void ia_candidate_write_overhead(ia_model_t *m, ia_candidate_t *c, const int *chosen,
                                 size_t nchosen)
{
    const ia_table_t *t = &m->tables[c->table];
    double rows = ia_table_rows(t);
    c->write_overhead = 0;
    c->hot_lost_stmts = 0;
    if (!t->has_counters || rows <= 0)
        return;
    double ins = (double)t->n_tup_ins, upd = (double)t->n_tup_upd, hot = (double)t->n_tup_hot_upd;
    double nonhot = upd - hot > 0 ? upd - hot : 0;
    double row_bytes = t->table_bytes > 0 ? (double)t->table_bytes / rows : 100;
    double existing = 0;
    for (size_t i = 0; i < m->nindexes; i++)
        if (m->indexes[i].table_idx == c->table && m->indexes[i].has_size)
            existing += (double)m->indexes[i].size_bytes / rows;
    for (size_t i = 0; i < nchosen; i++) {
        const ia_candidate_t *o = &m->cands[chosen[i]];
        if (o != c && o->table == c->table)
            existing += o->size_bytes / rows;
    }
    double entry = c->size_bytes / rows;
    /* updates that change an indexed column of this candidate cannot be HOT
     * any more: the rows those UPDATE statements touched (pg_stat_statements
     * rows), at most the HOT updates observed */
    double lost = 0;
    for (size_t s = 0; s < m->nstmts; s++) {
        const ia_statement_t *st = &m->stmts[s];
        if (st->command != 2 || st->update_table != c->table)
            continue;
        for (size_t k = 0; k < st->nupdated; k++)
            if (cand_has_column(c, st->updated_columns[k])) {
                lost += st->rows;
                c->hot_lost_stmts++;
                break;
            }
    }
    if (lost > hot)
        lost = hot;
    double base = ins * (row_bytes + existing) + nonhot * (row_bytes + existing) + hot * row_bytes;
    if (base <= 0)
        return;
    double add = ins * entry + nonhot * entry + lost * (existing + entry);
    c->write_overhead = add / base;
}

/* ---- pg_qualstats constants ------------------------------------------------ */

/* See ia_internal.h: the value of a pg_qualstats constvalue literal. */
char *ia_parse_qualstats_const(const char *cv)
{
    if (!cv || !*cv)
        return NULL;
    size_t n = strlen(cv);
    char *out = xmalloc(n + 1);
    size_t o = 0;
    if (cv[0] == '\'') {
        const char *p = cv + 1;
        for (;; p++) {
            if (!*p) { /* unterminated: truncated to 80 bytes by pg_qualstats */
                free(out);
                return NULL;
            }
            if (*p == '\'') {
                if (p[1] == '\'') {
                    out[o++] = '\'';
                    p++;
                    continue;
                }
                break;
            }
            out[o++] = *p;
        }
        out[o] = 0;
        return out;
    }
    /* a number or boolean, optionally cast: 2::integer, (-1)::bigint */
    const char *p = cv;
    if (*p == '(')
        p++;
    while (*p && *p != ':' && *p != ')')
        out[o++] = *p++;
    out[o] = 0;
    char *end;
    strtod(out, &end);
    if (!(o && *end == 0) && strcmp(out, "true") != 0 && strcmp(out, "false") != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* See ia_internal.h: dominant pg_qualstats constants become the uses'
 * constants. */
size_t ia_apply_qualstats_constants(ia_model_t *m)
{
    const json_t *qs = json_object_get(m->snapshot, "qualstats");
    if (!json_is_array(qs) || json_array_size(qs) == 0)
        return 0;
    size_t applied = 0, with_values = 0;
    for (size_t s = 0; s < m->nstmts; s++) {
        ia_statement_t *st = &m->stmts[s];
        if (!st->parsed || !st->has_queryid)
            continue;
        for (size_t i = 0; i < st->nuses; i++) {
            ia_use_t *u = &st->uses[i];
            if (u->kind != USE_EQ || u->expr || !u->param || u->constant)
                continue;
            const ia_table_t *t = &m->tables[u->table];
            /* executions per distinct value of this qual */
            json_t *counts = json_object();
            double total = 0;
            size_t k;
            json_t *q;
            json_array_foreach(qs, k, q)
            {
                const char *sch = json_string_value(json_object_get(q, "schema"));
                const char *tab = json_string_value(json_object_get(q, "table"));
                const char *col = json_string_value(json_object_get(q, "column"));
                const char *op = json_string_value(json_object_get(q, "operator"));
                json_t *qid = json_object_get(q, "queryid");
                json_t *ec = json_object_get(q, "execution_count");
                if (!sch || !tab || !col || !op || strcmp(sch, t->schema) != 0 ||
                    strcmp(tab, t->name) != 0 || strcmp(col, u->column) != 0 ||
                    strcmp(op, "=") != 0 || !json_is_integer(qid) ||
                    json_integer_value(qid) != st->queryid || !json_is_integer(ec))
                    continue;
                if (json_is_string(json_object_get(q, "ref_column")))
                    continue; /* a join qual */
                double cnt = (double)json_integer_value(ec);
                total += cnt;
                char *v =
                    ia_parse_qualstats_const(json_string_value(json_object_get(q, "constvalue")));
                if (!v)
                    continue;
                json_t *prev = json_object_get(counts, v);
                json_object_set_new(counts, v, json_real(cnt + (prev ? json_real_value(prev) : 0)));
                free(v);
            }
            const char *best = NULL;
            double best_n = 0;
            const char *key;
            json_t *val;
            json_object_foreach(counts, key, val)
            {
                if (json_real_value(val) > best_n) {
                    best_n = json_real_value(val);
                    best = key;
                }
            }
            if (json_object_size(counts))
                with_values++;
            if (best && total > 0 && best_n / total >= IA_QS_DOMINANT_SHARE) {
                u->constant = xstrdup_or_null(best);
                u->qs_constant = 1;
                u->qs_share = best_n / total;
                applied++;
            }
            json_decref(counts);
        }
    }
    if (with_values == 0)
        ia_note(m, "pg_qualstats rows carry no constvalue: partial indexes for $n equality "
                   "predicates cannot be proposed (the collector must select "
                   "pg_qualstats.constvalue)");
    return applied;
}

/* Whether the candidate's leading keys hold every key column of a valid,
 * non-partial unique btree on its table while it cannot serve any of its
 * statements by an index-only scan. A lookup on those leading keys reaches
 * at most one row, which the unique index already finds: more keys narrow
 * nothing, and the only thing such a wider index can save is the heap
 * visit - when it holds every column a statement needs from the table.
 * (orders (o_orderkey, o_orderstatus) next to the primary key on
 * o_orderkey.) */
static int unique_prefix_not_covering(const ia_model_t *m, const ia_candidate_t *c)
{
    if (c->method != CAND_BTREE)
        return 0;
    int unique_prefix = 0;
    for (size_t i = 0; i < m->nindexes && !unique_prefix; i++) {
        const ia_index_t *x = &m->indexes[i];
        if (x->table_idx != c->table || !x->is_unique || !x->is_valid || x->predicate ||
            !x->method || strcmp(x->method, "btree") != 0 || x->ncolumns == 0 ||
            x->ncolumns >= (size_t)c->nkeys)
            continue;
        int all = 1;
        for (size_t j = 0; j < x->ncolumns && all; j++) {
            char a[256];
            ia_normalize_key(x->columns[j], a, sizeof a);
            int found = 0;
            for (size_t k = 0; k < x->ncolumns && !found; k++) {
                char b[256];
                ia_normalize_key(c->keys[k], b, sizeof b);
                found = strcmp(a, b) == 0;
            }
            all = found;
        }
        unique_prefix = all;
    }
    if (!unique_prefix)
        return 0;
    for (size_t k = 0; k < c->nstmts; k++) {
        const ia_statement_t *st = &m->stmts[c->stmts[k]];
        if (st->select_star || st->command != 0)
            continue;
        int covered = 1;
        for (size_t i = 0; i < st->nuses && covered; i++) {
            const ia_use_t *u = &st->uses[i];
            if (u->table != c->table)
                continue;
            int have = 0;
            for (int j = 0; j < c->nkeys && !have; j++)
                have = !c->key_is_expr[j] && strcmp(c->keys[j], u->column) == 0;
            for (int j = 0; j < c->ninclude && !have; j++)
                have = strcmp(c->include[j], u->column) == 0;
            covered = have;
        }
        if (covered)
            return 0;
    }
    return 1;
}

/* Correlated and scalar subqueries (ia_subquery_t): the subquery runs once
 * per outer row, so its probe is the statement's cost even when the
 * statement is a small share of the measured time - these candidates are
 * generated whatever the statement's weight (unlike the covering candidate
 * of gen_for_table): (equality keys) INCLUDE (aggregated/compared columns),
 * and (equality keys, first such column) as a key. For TPC-H Q17's
 * "l_quantity < (SELECT 0.2 * avg(l_quantity) FROM lineitem WHERE l_partkey
 * = p_partkey)": (l_partkey) INCLUDE (l_quantity) and (l_partkey,
 * l_quantity). */
static void gen_for_subqueries(ia_model_t *m, int s)
{
    const ia_statement_t *st = &m->stmts[s];
    for (size_t i = 0; i < st->nsubqueries; i++) {
        const ia_subquery_t *q = &st->subqueries[i];
        spec_t sp = {0};
        sp.type = "covering";
        for (int k = 0; k < q->nkeys; k++)
            sp.keys[sp.nkeys++] = q->keys[k];
        for (int k = 0; k < q->nvalues; k++) {
            const ia_column_t *col = ia_find_column(m, q->table, q->values[k]);
            if (col && col->avg_width <= 64)
                sp.include[sp.ninclude++] = q->values[k];
        }
        if (sp.ninclude)
            add_candidate(m, q->table, s, &sp);
        if (q->nkeys < IA_MAX_KEYS && sp.ninclude) {
            spec_t kp = {0};
            kp.type = "btree";
            for (int k = 0; k < q->nkeys; k++)
                kp.keys[kp.nkeys++] = q->keys[k];
            kp.keys[kp.nkeys++] = sp.include[0];
            add_candidate(m, q->table, s, &kp);
        }
    }
}

/* 1 when candidates a and b may merge: covering btrees (both with
 * INCLUDE columns: index-only shapes; no predicate, no operator class) on
 * one table, led by the same key. Merging every pair with a common
 * leading key multiplied the candidates (TPC-H: 4x the what-if EXPLAINs)
 * for no lower cost; the covering pairs are where one index can make two
 * statements index-only. */
static int mergeable(const ia_candidate_t *a, const ia_candidate_t *b)
{
    if (a->table != b->table || a->method != CAND_BTREE || b->method != CAND_BTREE ||
        a->predicate || b->predicate || a->opclass || b->opclass || !a->ninclude || !b->ninclude)
        return 0;
    char ka[256], kb[256];
    ia_normalize_key(a->keys[0], ka, sizeof ka);
    ia_normalize_key(b->keys[0], kb, sizeof kb);
    return strcmp(ka, kb) == 0;
}

/* Appends column name to list (n entries, at most max) unless present;
 * returns 0 when it did not fit. */
static int add_name(const char **list, int *n, int max, const char *name)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    if (*n >= max)
        return 0;
    list[(*n)++] = name;
    return 1;
}

/* 1 when b was generated for a statement a was not (among the first na
 * and nb statements of each: those before the merges appended any). */
static int other_statements(const ia_candidate_t *a, size_t na, const ia_candidate_t *b, size_t nb)
{
    for (size_t k = 0; k < nb; k++) {
        int in_a = 0;
        for (size_t l = 0; l < na && !in_a; l++)
            in_a = a->stmts[l] == b->stmts[k];
        if (!in_a)
            return 1;
    }
    return 0;
}

/* Adds the merge sp of candidates i and j for the statements of both (the
 * first ns0[] of each); the number of candidates added. */
static size_t add_for_both(ia_model_t *m, size_t i, size_t j, const size_t *ns0, const spec_t *sp)
{
    /* copied first: add_candidate may move m->cands */
    size_t ns = ns0[i] + ns0[j];
    int *stmts = xmalloc(ns * sizeof(int));
    memcpy(stmts, m->cands[i].stmts, ns0[i] * sizeof(int));
    memcpy(stmts + ns0[i], m->cands[j].stmts, ns0[j] * sizeof(int));
    int table = m->cands[i].table;
    size_t before = m->ncands;
    for (size_t k = 0; k < ns; k++)
        add_candidate(m, table, stmts[k], sp);
    free(stmts);
    return m->ncands - before;
}

/* Index merging (Chaudhuri and Narasayya, "Index Merging", ICDE 1999):
 * two candidates led by the same key, generated for different statements,
 * become one index that serves both - a's keys, then b's keys not in a
 * (up to IA_MAX_KEYS; the rest and both INCLUDE lists go to INCLUDE, up to
 * IA_MAX_INCLUDE, else no merge; see mergeable for which pairs). The
 * merged candidate serves every statement of both. For TPC-H Q17 (l_partkey) INCLUDE (l_quantity)
 * and Q20 (l_partkey, l_suppkey) INCLUDE (l_shipdate, l_quantity): one index for both correlated
 * subqueries, which the selection may take in place of two (each pick still justified by what-if
 * costs). Returns the number of candidates added. */
static size_t merge_candidates(ia_model_t *m)
{
    size_t n0 = m->ncands, added = 0;
    /* the statements each candidate was generated for (add_candidate
     * appends to them when a merge repeats an existing signature) */
    size_t *ns0 = xmalloc((n0 + 1) * sizeof *ns0);
    for (size_t i = 0; i < n0; i++)
        ns0[i] = m->cands[i].nstmts;
    for (size_t i = 0; i < n0; i++)
        for (size_t j = 0; j < n0; j++) {
            if (i == j || !mergeable(&m->cands[i], &m->cands[j]))
                continue;
            const ia_candidate_t *a = &m->cands[i], *b = &m->cands[j];
            /* different statements: otherwise the per-statement shapes
             * already cover it */
            if (!other_statements(a, ns0[i], b, ns0[j]))
                continue;
            spec_t sp = {0};
            sp.type = "btree";
            int ok = 1;
            for (int k = 0; k < a->nkeys; k++) {
                sp.keys[sp.nkeys] = a->keys[k];
                sp.is_expr[sp.nkeys++] = a->key_is_expr[k];
            }
            const char *rest[IA_MAX_KEYS + 2 * IA_MAX_INCLUDE];
            int nrest = 0;
            for (int k = 0; k < b->nkeys; k++) {
                int have = 0;
                for (int l = 0; l < sp.nkeys && !have; l++)
                    have = strcmp(sp.keys[l], b->keys[k]) == 0;
                if (have)
                    continue;
                if (b->key_is_expr[k]) {
                    ok = sp.nkeys < IA_MAX_KEYS; /* an expression cannot be INCLUDEd */
                    if (ok) {
                        sp.keys[sp.nkeys] = b->keys[k];
                        sp.is_expr[sp.nkeys++] = 1;
                    }
                } else if (sp.nkeys < IA_MAX_KEYS && nrest == 0) {
                    sp.keys[sp.nkeys++] = b->keys[k];
                } else {
                    rest[nrest++] = b->keys[k];
                }
            }
            for (int k = 0; k < a->ninclude; k++)
                rest[nrest++] = a->include[k];
            for (int k = 0; k < b->ninclude; k++)
                rest[nrest++] = b->include[k];
            for (int k = 0; k < nrest && ok; k++) {
                int is_key = 0;
                for (int l = 0; l < sp.nkeys && !is_key; l++)
                    is_key = strcmp(sp.keys[l], rest[k]) == 0;
                if (!is_key)
                    ok = add_name(sp.include, &sp.ninclude, IA_MAX_INCLUDE, rest[k]);
            }
            /* nothing new: the merge is a or b itself */
            int same_a = sp.nkeys == a->nkeys && sp.ninclude == a->ninclude;
            int same_b = sp.nkeys == b->nkeys && sp.ninclude == b->ninclude;
            for (int k = 0; k < sp.nkeys && same_b; k++)
                same_b = strcmp(sp.keys[k], b->keys[k]) == 0;
            if (!ok || same_a || same_b)
                continue;
            if (sp.ninclude)
                sp.type = "covering";
            added += add_for_both(m, i, j, ns0, &sp);
        }
    free(ns0);
    return added;
}

/* 1 when c is a subquery's key candidate (gen_for_subqueries): a plain
 * btree, no INCLUDE, whose keys are the equality keys of a subquery of one
 * of its statements on its table, then a column that subquery aggregates
 * or compares (TPC-H Q17: (l_partkey, l_quantity)). */
static int is_subquery_key(const ia_model_t *m, const ia_candidate_t *c)
{
    if (c->method != CAND_BTREE || c->ninclude || c->predicate || c->opclass)
        return 0;
    for (size_t i = 0; i < c->nstmts; i++) {
        const ia_statement_t *st = &m->stmts[c->stmts[i]];
        for (size_t j = 0; j < st->nsubqueries; j++) {
            const ia_subquery_t *q = &st->subqueries[j];
            if (q->table != c->table || q->nkeys + 1 != c->nkeys)
                continue;
            int same = 1;
            for (int k = 0; k < q->nkeys && same; k++)
                same = strcmp(q->keys[k], c->keys[k]) == 0;
            for (int k = 0; k < q->nvalues && same; k++)
                if (strcmp(q->values[k], c->keys[q->nkeys]) == 0)
                    return 1;
        }
    }
    return 0;
}

/* A subquery's key candidate merged with another statement's plain btree
 * led by the same column: a's keys, then b's keys it lacks, up to
 * IA_MAX_KEYS, as keys (no INCLUDE). The subquery probes the index once
 * per outer row and the other statement joins or filters on the same
 * leading column, so one index can serve both where two would each hold a
 * copy of the leading column. TPC-H: Q17's (l_partkey, l_quantity) with
 * Q9's and Q20's (l_partkey, l_suppkey) gives (l_partkey, l_quantity,
 * l_suppkey) and (l_partkey, l_suppkey, l_quantity) - the index Extend
 * reaches by appending l_suppkey to (l_partkey, l_quantity), and with it
 * the bytes for lineitem (l_discount) at 65% of the data size
 * (bench/RESULTS-index-advisor.md, ia-exchange). Merging every pair of
 * plain btrees with a common leading key instead multiplied the
 * candidates (see mergeable). Returns the number of candidates added. */
static size_t merge_subquery_keys(ia_model_t *m)
{
    size_t n0 = m->ncands, added = 0;
    unsigned char *sub = xcalloc(n0 + 1, 1);
    size_t *ns0 = xmalloc((n0 + 1) * sizeof *ns0);
    for (size_t i = 0; i < n0; i++) {
        sub[i] = (unsigned char)is_subquery_key(m, &m->cands[i]);
        ns0[i] = m->cands[i].nstmts;
    }
    for (size_t i = 0; i < n0; i++)
        for (size_t j = 0; j < n0; j++) {
            /* one of the two is a subquery's key candidate; both orders */
            if (i == j || !(sub[i] || sub[j]))
                continue;
            const ia_candidate_t *a = &m->cands[i], *b = &m->cands[j];
            if (a->table != b->table || b->method != CAND_BTREE || a->method != CAND_BTREE ||
                a->ninclude || b->ninclude || a->predicate || b->predicate || a->opclass ||
                b->opclass || a->key_is_expr[0] || b->key_is_expr[0] ||
                strcmp(a->keys[0], b->keys[0]) != 0)
                continue;
            if (!other_statements(a, ns0[i], b, ns0[j]) || a->nkeys >= IA_MAX_KEYS)
                continue;
            spec_t sp = {0};
            sp.type = "btree";
            for (int k = 0; k < a->nkeys; k++) {
                sp.keys[sp.nkeys] = a->keys[k];
                sp.is_expr[sp.nkeys++] = a->key_is_expr[k];
            }
            for (int k = 1; k < b->nkeys && sp.nkeys < IA_MAX_KEYS; k++) {
                int have = 0;
                for (int l = 0; l < sp.nkeys && !have; l++)
                    have = strcmp(sp.keys[l], b->keys[k]) == 0;
                if (!have) {
                    sp.keys[sp.nkeys] = b->keys[k];
                    sp.is_expr[sp.nkeys++] = b->key_is_expr[k];
                }
            }
            if (sp.nkeys == a->nkeys)
                continue; /* nothing new: a itself */
            added += add_for_both(m, i, j, ns0, &sp);
        }
    free(sub);
    free(ns0);
    return added;
}

/* Whether an existing index serves the candidate and the candidate is no
 * narrower index than every one that does: it is dropped. A plain btree
 * whose keys are a strict prefix of an existing btree's keys (no INCLUDE,
 * no predicate, no existing index with exactly its keys) is kept: it is a
 * different, smaller index - fewer key bytes per entry, and deduplicated
 * where the longer key was unique - so a scan of all or much of it reads
 * fewer pages. Measured on the benchmark's TPC-H database
 * (bench/index_advisor/bench_budgets.c, the real-index check): a real
 * lineitem (l_orderkey) is 7.1 MiB next to the 19.3 MiB primary key
 * (l_orderkey, l_linenumber) and lowers the planner cost of the
 * statements reading lineitem with the index really built; an exact copy
 * of an index (supplier (s_suppkey) next to its primary key) lowers only
 * the hypothetical plans (hypopg sizes the copy below the real index), so
 * copies stay out. A kept prefix is chosen only by its what-if gain, like
 * any candidate. */
static int served_and_not_narrower(const ia_model_t *m, const ia_candidate_t *c)
{
    if (!ia_served_by_existing(m, c))
        return 0;
    if (c->method != CAND_BTREE || c->ninclude || c->predicate || c->opclass)
        return 1;
    for (size_t i = 0; i < m->nindexes; i++) {
        const ia_index_t *x = &m->indexes[i];
        if (x->table_idx != c->table || !x->is_valid || !method_matches(c, x) ||
            x->ncolumns != (size_t)c->nkeys)
            continue;
        int same = 1;
        for (int k = 0; k < c->nkeys && same; k++) {
            char a[256], b[256];
            ia_normalize_key(c->keys[k], a, sizeof a);
            ia_normalize_key(x->columns[k], b, sizeof b);
            same = strcmp(a, b) == 0;
        }
        if (same)
            return 1;
    }
    return 0;
}

/* ---- driver -------------------------------------------------------------- */

/* See ia_internal.h: candidates for every statement, then those an
 * existing index serves or that lead with a unique key without covering
 * are dropped, the rest sized. Returns 0 (no failure mode). */
int ia_generate_candidates(ia_model_t *m, err_t *err)
{
    (void)err;
    ia_apply_qualstats_constants(m);
    for (size_t s = 0; s < m->nstmts; s++) {
        ia_statement_t *st = &m->stmts[s];
        if (!st->parsed || st->command < 0 || st->command == 1 || st->weight <= 0)
            continue;
        for (size_t t = 0; t < st->ntables; t++)
            gen_for_table(m, (int)s, st->tables[t]);
        if (!m->opts->baseline_single_column)
            gen_for_subqueries(m, (int)s);
    }
    if (!m->opts->baseline_single_column) {
        merge_candidates(m);
        merge_subquery_keys(m);
    }
    /* drop what existing indexes serve; size the rest */
    size_t keep = 0;
    size_t served = 0, unique_lead = 0;
    for (size_t i = 0; i < m->ncands; i++) {
        ia_candidate_t *c = &m->cands[i];
        int is_served = served_and_not_narrower(m, c);
        int is_unique_lead = !is_served && unique_prefix_not_covering(m, c);
        if (is_served || is_unique_lead) {
            served += is_served;
            unique_lead += is_unique_lead;
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
            continue;
        }
        c->size_bytes = ia_estimate_btree_bytes(m, c, &c->size_method);
        m->cands[keep++] = *c;
    }
    m->ncands = keep;
    if (served)
        ia_note(m,
                "%zu candidate indexes were dropped because an existing index already serves "
                "them (same leading columns, method and predicate) and they are not narrower "
                "(a plain btree on a strict prefix of an existing index's keys is kept)",
                served);
    if (unique_lead)
        ia_note(m,
                "%zu candidate indexes were dropped because their leading columns hold a unique "
                "index's whole key (at most one row per lookup, which that index finds) and they "
                "make no statement an index-only scan",
                unique_lead);
    return 0;
}
