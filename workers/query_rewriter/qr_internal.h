/*
 * qr_internal.h - the query rewriter's internals shared by its modules: the
 * catalog model read from the snapshot (tables, columns with pg_stats,
 * indexes, constraints), parse-tree helpers (name resolution, node
 * constructors), the rule interface and the table of rules.
 *
 * A rule is a small module with three parts, all in one function so the
 * proof sits next to the edit it justifies:
 *   detect  - find the pattern in a freshly parsed statement;
 *   rewrite - edit that tree in place (the driver deparses it), or leave the
 *             tree alone and describe advice (an index to create, a column
 *             list to write) when no equivalent SQL exists;
 *   safety  - prove the edit from the catalog (NOT NULL, unique keys, column
 *             types) or state the exact condition under which it holds, or
 *             refuse it (withheld, with the reason, in notes).
 * The driver (query_rewriter.c) parses each statement once per rule, so a
 * rule always sees the original tree.
 */
#ifndef PGOPT_QR_INTERNAL_H
#define PGOPT_QR_INTERNAL_H

#include <jansson.h>
#include <pg_query/pg_query.pb-c.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/sqlparse.h"

#define QR_MAX_KEYS 32

/* ---- catalog --------------------------------------------------------------- */

typedef struct {
    const char *schema, *name;
    double reltuples;
    int64_t relpages, table_bytes, toast_bytes;
    int ncols;
    double row_width; /* sum of avg_width of its columns (pg_stats), 0 unknown */
} qr_table_t;

typedef struct {
    const char *schema, *table, *name, *type;
    int attnum;
    int not_null;
    double null_frac, n_distinct, avg_width; /* < 0: unknown */
    const json_t *mcv, *hist;
} qr_column_t;

typedef struct {
    const char *schema, *table, *name, *method, *definition, *predicate;
    const char *cols[QR_MAX_KEYS];
    int ncols;
    int is_unique, is_valid;
} qr_index_t;

typedef struct {
    const char *schema, *table, *name, *type, *definition;
    const char *cols[QR_MAX_KEYS];
    int ncols;
    const char *ref_schema, *ref_table;
    const char *ref_cols[QR_MAX_KEYS];
    int nref;
} qr_constraint_t;

typedef struct {
    qr_table_t *tables;
    size_t ntables;
    qr_column_t *columns;
    size_t ncolumns;
    qr_index_t *indexes;
    size_t nindexes;
    qr_constraint_t *constraints;
    size_t nconstraints;
    double work_mem_kb; /* from settings, 4096 when absent */
} qr_catalog_t;

void qr_catalog_load(const json_t *snapshot, qr_catalog_t *cat);
void qr_catalog_free(qr_catalog_t *cat);
/* schema NULL: the table of that name in public, else the only one. */
const qr_table_t *qr_table_find(const qr_catalog_t *cat, const char *schema, const char *name);
const qr_column_t *qr_column_find(const qr_catalog_t *cat, const qr_table_t *t, const char *col);
/* 1 when cols (n of them) contain every column of a unique constraint,
 * primary key or valid unique non-partial index of t whose columns are all
 * NOT NULL (nullable unique columns allow duplicates of NULL); the key's
 * name goes to *key_name. */
int qr_cols_cover_unique(const qr_catalog_t *cat, const qr_table_t *t, const char *const *cols,
                         int n, const char **key_name);
/* The primary key (or first NOT NULL unique key) of t; NULL when none. */
const qr_constraint_t *qr_table_key(const qr_catalog_t *cat, const qr_table_t *t);
/* First valid index of t whose leading column is col (method any when NULL). */
const qr_index_t *qr_index_leading(const qr_catalog_t *cat, const qr_table_t *t, const char *col,
                                   const char *method);
/* First valid index of t with a key that is the expression expr (text as
 * pg_get_indexdef prints it, compared ignoring spaces and case). */
const qr_index_t *qr_index_expression(const qr_catalog_t *cat, const qr_table_t *t,
                                      const char *expr);

/* ---- name resolution in one SELECT ---------------------------------------- */

#define QR_MAX_RANGES 16

typedef struct qr_scope {
    struct {
        const char *refname; /* alias or relation name */
        const qr_table_t *table;
        PgQuery__RangeVar *rv;
    } r[QR_MAX_RANGES];
    int n;
    int opaque; /* FROM has subqueries/functions: unqualified names are not provable */
    const struct qr_scope *parent;
} qr_scope_t;

/* Collects the RangeVars of s's FROM (through joins). */
void qr_scope_build(qr_scope_t *sc, const qr_catalog_t *cat, const PgQuery__SelectStmt *s,
                    const qr_scope_t *parent);

/* Resolves a ColumnRef to (range index, column) in sc only (not parents).
 * Returns the column or NULL (unknown, ambiguous, or not a plain column). */
const qr_column_t *qr_resolve_local(const qr_scope_t *sc, const qr_catalog_t *cat,
                                    const PgQuery__Node *n, int *range);

/* ---- node helpers (nodes are malloc()ed: see sqlparse.h) ------------------- */

const char *qr_colref_last(const PgQuery__Node *n);    /* last field of a ColumnRef */
const char *qr_func_name(const PgQuery__FuncCall *fc); /* last name part */
const char *qr_aexpr_op(const PgQuery__AExpr *a);      /* operator name */
int qr_is_param(const PgQuery__Node *n, int *number);  /* $n, also $n::type */

PgQuery__Node *qr_node_string(const char *s);
PgQuery__Node *qr_node_colref2(const char *rel, const char *col); /* rel may be NULL */
PgQuery__Node *qr_node_param(int number);
PgQuery__Node *qr_node_int(int v);
PgQuery__Node *qr_node_aexpr(PgQuery__AExprKind kind, const char *op, PgQuery__Node *l,
                             PgQuery__Node *r);
PgQuery__Node *qr_node_bool(PgQuery__BoolExprType op, PgQuery__Node **args, size_t n);
PgQuery__Node *qr_node_and(PgQuery__Node *a, PgQuery__Node *b);        /* either may be NULL */
PgQuery__Node *qr_node_cast(PgQuery__Node *arg, const char *type_sql); /* "integer[]" */
PgQuery__Node *qr_node_func(const char *name, PgQuery__Node **args, size_t n);
PgQuery__Node *qr_node_nulltest(PgQuery__Node *arg, int is_not_null);
PgQuery__Node *qr_node_array(PgQuery__Node **elems, size_t n);
PgQuery__Node *qr_node_restarget(PgQuery__Node *val, const char *name);
/* Deep copy through pack/unpack. */
PgQuery__Node *qr_node_copy(const PgQuery__Node *n);
void qr_node_free(PgQuery__Node *n);
/* Parses "SELECT <expr>" and detaches the expression node. */
PgQuery__Node *qr_node_parse_expr(const char *expr_sql);
/* Deparse a single expression (for messages); malloc()ed or NULL. */
char *qr_expr_sql(const PgQuery__Node *n);
/* Appends to a repeated Node field. */
void qr_list_append(PgQuery__Node ***items, size_t *n, PgQuery__Node *x);

/* Highest $n in a subtree. */
int qr_max_param(const ProtobufCMessage *root);

/* ---- rules ------------------------------------------------------------------ */

typedef enum {
    QR_PARAM_SAME = 0, /* rewritten $k takes original $src */
    QR_PARAM_ARRAY,    /* rewritten $k is the array of original $src..$src_end */
    QR_PARAM_COLUMN,   /* a value of column (table, column), e.g. keyset's last key */
} qr_param_kind_t;

typedef struct {
    qr_param_kind_t kind;
    int src, src_end;
    const qr_table_t *table;
    const qr_column_t *column;
} qr_param_src_t;

#define QR_MAX_PARAMS 256

/* What a rule hands back to the driver. */
typedef struct {
    /* inputs */
    const qr_catalog_t *cat;
    const json_t *snapshot;
    const json_t *stmt;          /* the statements[] entry */
    const char *query;           /* its text */
    sqlparse_t *parse;           /* fresh parse of query; rules edit it in place */
    PgQuery__SelectStmt *select; /* top-level SELECT or NULL */
    /* outputs */
    json_t *changes;    /* array of strings: each edit in words */
    json_t *evidence;   /* object: catalog facts the proof used */
    char safety[768];   /* "" proven, else the condition under which it holds */
    char withheld[768]; /* set: the rewrite is refused, this says why */
    int advice_only;    /* 1: no SQL rewrite, advice in `advice` */
    char *advice;       /* malloc()ed text (e.g. CREATE INDEX ...) */
    char *hypo_index;   /* malloc()ed CREATE INDEX to cost with hypopg, or NULL */
    double own_gain;    /* pgopt's own estimate (ratio >= 1), 0 none */
    char own_method[512];
    int not_verifiable; /* results differ by design (keyset) */
    char not_verifiable_reason[256];
    /* parameters of the rewritten text; nparams 0 = same as the original */
    qr_param_src_t params[QR_MAX_PARAMS];
    int nparams;
} qr_edit_t;

/* Returns 0 not applicable, 1 rewritten or advice produced (see advice_only),
 * -1 error (err). */
typedef int (*qr_rule_fn)(qr_edit_t *e, err_t *err);

typedef struct {
    const char *id;
    const char *title;
    qr_rule_fn apply;
} qr_rule_t;

extern const qr_rule_t *const qr_rules[];
extern const size_t qr_nrules;

/* helpers for rules */
void qr_change(qr_edit_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void qr_condition(qr_edit_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void qr_withhold(qr_edit_t *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *qr_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parameter values for verify/EXPLAIN: a representative value from pg_stats
 * for every $n of a statement compared with a resolvable column (first most
 * common value, else the middle histogram bound), LIMIT gets 100, OFFSET 0
 * to run (for_cost 0) or stays generic for EXPLAIN (for_cost 1: the first
 * page would hide what OFFSET costs). values[i] (malloc()ed or NULL) is for
 * $(i+1); how says where each came from. Returns the number of parameters. */
int qr_bind_params(const qr_catalog_t *cat, const char *query, char **values, int max, json_t *how,
                   int for_cost);
/* A representative value of a column (malloc()ed) or NULL. */
char *qr_column_value(const qr_column_t *c);

/* N+1 detection over all statements (rewrites entries of type n1_fix). */
int qr_n1_detect(const qr_catalog_t *cat, const json_t *statements, json_t *rewrites, json_t *notes,
                 int *next_id);

#endif
