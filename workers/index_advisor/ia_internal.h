/*
 * ia_internal.h - the index advisor's internal model, shared by its modules:
 *
 *   ia_schema.c      snapshot -> tables, columns (pg_stats), indexes, statements
 *   ia_extract.c     libpg_query parse tree -> column uses per table
 *   ia_candidates.c  column uses -> candidate indexes (DDL, size estimate)
 *   ia_cost.c        statement cost under a configuration: hypopg what-if or
 *                    pgopt's own cost model
 *   ia_select.c      greedy workload-level selection (benefit per byte)
 *   ia_report.c      the seed's JSON: recommendations, drops, duplicates
 *
 * Everything here lives in one arena per analysis (ia_model_t) and is freed
 * with it; strings are malloc()ed copies owned by the model.
 */
#ifndef PGOPT_WORKERS_INDEX_ADVISOR_IA_INTERNAL_H
#define PGOPT_WORKERS_INDEX_ADVISOR_IA_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "common/whatif.h"
#include "workers/index_advisor/index_advisor.h"

#define IA_MAX_KEYS    3  /* btree key columns per candidate (the issue: width <= 3) */
#define IA_MAX_INCLUDE 4  /* INCLUDE columns for covering candidates */
#define IA_MAX_PARAMS  64 /* $n parameters substituted per statement */
/* A table of at most this many 8 kB pages is read whole by a sequential
 * scan in about as many page reads: rejected candidates on it say so. */
#define IA_TINY_TABLE_PAGES 8

/* ---- schema ------------------------------------------------------------ */

typedef struct {
    char *name;
    char *type; /* format_type(), e.g. "text", "timestamp with time zone", "integer[]" */
    int not_null;
    int has_stats;
    double null_frac, avg_width, n_distinct, correlation;
    int has_correlation;
    json_t *mcv, *mcf, *histogram; /* borrowed from the snapshot (arrays or NULL) */
} ia_column_t;

typedef struct {
    char *schema, *name;
    double reltuples;
    int64_t relpages, table_bytes, total_bytes;
    int64_t n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd, n_live_tup;
    int has_counters;
    ia_column_t *columns;
    size_t ncolumns;
} ia_table_t;

typedef struct {
    char *schema, *table, *name, *method, *definition, *predicate, *constraint;
    int table_idx; /* -1 when the table is not in the snapshot */
    char **columns;
    size_t ncolumns;
    char **include;
    size_t ninclude;
    int is_unique, is_primary, is_valid, is_ready, is_exclusion, backs_constraint,
        is_replica_identity;
    int64_t idx_scan, size_bytes;
    int has_idx_scan, has_size;
} ia_index_t;

/* ---- column uses (ia_extract.c) ---------------------------------------- */

typedef enum {
    USE_EQ = 0,  /* col = const/param */
    USE_IN,      /* col IN (...), col = ANY(...) */
    USE_RANGE,   /* <, <=, >, >=, BETWEEN */
    USE_JOIN,    /* col = other_table.col (either side may drive a nested loop) */
    USE_SORT,    /* ORDER BY */
    USE_GROUP,   /* GROUP BY / DISTINCT */
    USE_LIKE,    /* LIKE 'abc%' (left-anchored) */
    USE_TRGM,    /* LIKE/ILIKE '%abc%', ILIKE $1, ~ / ~*  -> pg_trgm GIN */
    USE_JSONB,   /* jsonb @> ? ?| ?& */
    USE_ARRAY,   /* array @> <@ && */
    USE_FTS,     /* tsvector @@ tsquery */
    USE_ISNULL,  /* col IS NULL */
    USE_NOTNULL, /* col IS NOT NULL */
    USE_OUTPUT,  /* referenced elsewhere (target list, other predicates): covering */
    USE_KIND_COUNT
} ia_use_kind_t;

typedef struct {
    int table;    /* index into model tables */
    char *column; /* base column (also set for expressions: the column inside) */
    char *expr;   /* index expression text ("lower(email)", "(created_at::date)"), or NULL */
    ia_use_kind_t kind;
    int param;       /* $n on the other side, 0 if none */
    int param2;      /* BETWEEN's upper $n */
    char *constant;  /* literal on the other side (text form), or NULL */
    char *constant2; /* BETWEEN's upper literal */
    char op[8];      /* operator as written: "=", "<", "@>", "~~*" ... */
    int range_dir;   /* USE_RANGE: +1 lower bound (col > x), -1 upper, 2 both (BETWEEN) */
    int desc;        /* USE_SORT: DESC */
    int ordinal;     /* position in ORDER BY / GROUP BY */
    int in_count;    /* USE_IN: number of list items (0 = unknown, e.g. ANY($1)) */
    int qs_constant; /* constant is pg_qualstats' dominant value for param (the
                        text has $n; see ia_apply_qualstats_constants) */
    double qs_share; /* that value's share of the qual's executions */
} ia_use_t;

/* ---- statements ---------------------------------------------------------- */

/* A scalar / EXISTS / IN subquery's access to one table: its equality
 * columns (correlated or constant) and the columns it aggregates or
 * compares there. Names borrowed from the model's columns. */
typedef struct {
    int table;
    const char *keys[IA_MAX_KEYS];
    int nkeys;
    const char *values[IA_MAX_INCLUDE];
    int nvalues;
} ia_subquery_t;

typedef struct {
    int64_t queryid;
    int has_queryid;
    char *query;
    double calls, total_ms, mean_ms, rows;
    double weight; /* total_exec_time: calls x mean (ms) */
    /* the weight the selection uses (0: weight): the larger of its share of
     * the measured time and its share of the planner cost (calls x cost
     * without new indexes), times the workload's measured time - see
     * ia_set_selection_weights */
    double sel_weight;
    int command;     /* 0 select, 1 insert, 2 update, 3 delete, -1 other */
    int parsed;      /* 0 when libpg_query rejected it (note) */
    int select_star; /* SELECT * or t.*: no covering */
    int has_limit, has_aggregate, nparams;
    ia_use_t *uses;
    size_t nuses;
    ia_subquery_t *subqueries; /* ia_extract.c: see ia_subquery_t */
    size_t nsubqueries;
    int *tables; /* distinct tables referenced */
    size_t ntables;
    int update_table;       /* UPDATE target table or -1 */
    char **updated_columns; /* UPDATE ... SET columns (HOT-lost analysis) */
    size_t nupdated;
    /* evaluation */
    double base_cost; /* cost without any new index; <0 = could not be costed */
    int base_method;  /* 1 hypopg, 0 cost model */
    char *param_values[IA_MAX_PARAMS + 1]; /* representative values, NULL = generic */
    char *cost_error;
    /* how its parameters were prepared (common/sqlparams): declared types
     * and the constants bound where a parameter is not a value the planner
     * can take generically (LIMIT, extract field) - shown as evidence */
    json_t *param_evidence; /* object or NULL */
    int planned;            /* 1 once a what-if EXPLAIN of it succeeded */
} ia_statement_t;

/* ---- candidates ---------------------------------------------------------- */

typedef enum { CAND_BTREE = 0, CAND_GIN } ia_method_t;

typedef struct {
    int table;
    ia_method_t method;
    char *keys[IA_MAX_KEYS]; /* column names or expression text */
    int key_is_expr[IA_MAX_KEYS];
    int nkeys;
    char *include[IA_MAX_INCLUDE];
    int ninclude;
    char *predicate; /* partial index WHERE, or NULL */
    char *opclass;   /* GIN operator class (gin_trgm_ops, jsonb_path_ops) or NULL */
    char *type;      /* "btree", "partial", "covering", "gin" (seed's type) */
    char *name;      /* idx_<table>_<cols> */
    char *signature; /* canonical key for deduplication */
    int *stmts;      /* statements it may serve */
    size_t nstmts;
    double size_bytes; /* pgopt's estimate (deduplication-aware) */
    char *size_method;
    double hypo_size;      /* hypopg_relation_size when created, else 0 */
    unsigned hypo_oid;     /* current hypothetical index, 0 when none */
    int needs_trgm;        /* needs CREATE EXTENSION pg_trgm */
    double write_overhead; /* fraction of the table's current write volume */
    int hot_lost_stmts;    /* UPDATE statements that would lose HOT */
    int chosen;
} ia_candidate_t;

/* ---- the model ----------------------------------------------------------- */

/* Where the what-if time goes (ia_cost.c counts, ia_phase_mark reports per
 * phase): EXPLAINs sent and their round-trip time, hypothetical indexes
 * created and dropped and the time of those calls, cost-cache hits, and
 * the hypothetical indexes present on an EXPLAINed statement's tables
 * (summed over EXPLAINs: the planner considers each one), and the
 * selection's moves costed and skipped by their bound. Times in us.
 * explains: one per statement costing sent to the server; replans: the
 * plans made again without the configuration's non-serving candidates
 * (hypo_cost), counted apart so that the work bounds of ia_select.c do not
 * depend on them. */
typedef struct {
    int64_t explains, explain_us, created, create_us, dropped, drop_us, hits, live_sum, replans;
    /* ia_select.c: moves costed, skipped by their bound before any EXPLAIN,
     * and given up part way (move_gain / change_gain) */
    int64_t moves_costed, moves_bounded, moves_cut;
} ia_whatif_tally_t;

typedef struct {
    const json_t *snapshot;
    const index_advisor_options_t *opts;
    ia_table_t *tables;
    size_t ntables;
    ia_index_t *indexes;
    size_t nindexes;
    ia_statement_t *stmts;
    size_t nstmts;
    ia_candidate_t *cands;
    size_t ncands, cap_cands;
    json_t *notes;       /* array of strings */
    json_t *extensions;  /* borrowed meta.extensions */
    double total_weight; /* sum of statement weights */
    double sel_total;    /* the same over selection weights (0: total_weight) */
    int64_t database_bytes;
    /* evaluation */
    whatif_t *whatif; /* NULL: cost model only */
    int whatif_gen;   /* whatif_generation() the candidates' hypo_oid belong to */
    /* 1: hypopg costs bind only the constants the application sends
     * (pg_qualstats), range parameters stay generic ($n as the planner's
     * generic plan sees them); 0: representative values from pg_stats too */
    int generic_costing;
    /* tests: when set, every statement cost comes from here (the selection
     * driven on given costs, without a database); method 1 is reported */
    int (*cost_hook)(void *user, int s, const int *config, size_t n, double *cost);
    void *cost_hook_user;
    /* tests of the greedy's own rules: no planner-cost passes after it
     * (fill, second start, exchanges; ia_select.c) */
    int greedy_only;
    int64_t whatif_calls, model_calls;
    json_t *cost_cache;  /* key -> cost (double): model ("m...") and what-if ("h"/"g...") */
    signed char *serves; /* ncands x nstmts: ia_candidate_serves, -1 unknown */
    /* what-if calls and time per phase (evaluation.phases): running
     * totals, and their values when the current phase started */
    json_t *phases;
    const char *phase_name;
    int64_t phase_t0;
    ia_whatif_tally_t tally, phase_start;
    progress_fn progress;
    void *progress_user;
    int cancelled;
} ia_model_t;

/* ia_schema.c */
int ia_model_load(ia_model_t *m, const json_t *snapshot, err_t *err);
void ia_model_free(ia_model_t *m);
void ia_note(ia_model_t *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ia_find_table(const ia_model_t *m, const char *schema, const char *name);
const ia_column_t *ia_find_column(const ia_model_t *m, int table, const char *column);
double ia_table_rows(const ia_table_t *t);
int ia_has_extension(const ia_model_t *m, const char *name);
char *ia_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A quoted identifier when needed (keywords are not detected, only characters). */
void ia_quote_ident(const char *name, char *out, size_t len);
const char *ia_use_kind_name(ia_use_kind_t k);

/* ia_extract.c: parses st->query and fills uses, tables, flags. -1 (and
 * st->parsed = 0) when libpg_query rejects the text. */
int ia_extract_statement(ia_model_t *m, ia_statement_t *st, err_t *err);

/* ia_candidates.c */
/* pg_qualstats records the constant of each executed qual (constvalue,
 * e.g. "'pending'::text"); pg_stat_statements' text has $n instead. For each
 * equality use with a parameter, when one value accounts for at least
 * IA_QS_DOMINANT_SHARE of the qual's executions, that value becomes the
 * use's constant (qs_constant = 1): partial-index candidates and selectivity
 * see the constant the application sends. Called before candidate
 * generation. Returns the number of uses given a constant. */
#define IA_QS_DOMINANT_SHARE 0.8
size_t ia_apply_qualstats_constants(ia_model_t *m);
/* "'pen''ding'::text" -> "pen'ding", "2::integer" -> "2"; malloc()ed, NULL
 * when the text is not a literal (NULL, an expression). */
char *ia_parse_qualstats_const(const char *constvalue);
int ia_generate_candidates(ia_model_t *m, err_t *err);
/* 1 when an existing valid index already serves the candidate (the
 * candidate's keys are a prefix of its keys, same method, same predicate). */
int ia_served_by_existing(const ia_model_t *m, const ia_candidate_t *c);
/* CREATE INDEX text; concurrently adds CONCURRENTLY, hypothetical omits the
 * name (hypopg names its own). malloc()ed. */
char *ia_candidate_ddl(const ia_model_t *m, const ia_candidate_t *c, int concurrently);
double ia_estimate_btree_bytes(const ia_model_t *m, const ia_candidate_t *c, char **method);
void ia_candidate_write_overhead(ia_model_t *m, ia_candidate_t *c, const int *chosen,
                                 size_t nchosen);
/* Normalizes an index key or expression for comparison (lower case, no
 * parentheses, spaces or ::text casts). */
void ia_normalize_key(const char *in, char *out, size_t len);
/* Selectivity of one use from pg_stats (PostgreSQL's own defaults when
 * there are no statistics). */
double ia_use_selectivity(const ia_model_t *m, const ia_use_t *u);

/* ia_cost.c */
/* Cost of statement s with exactly the candidates in config (indices into
 * m->cands) added to the existing indexes; method says how (1 hypopg, 0
 * model). Returns -1 when the statement cannot be costed. */
int ia_statement_cost(ia_model_t *m, int s, const int *config, size_t nconfig, int force_model,
                      double *cost, int *method);
/* 1 when candidate ci can change statement s's plan: s reads ci's table
 * and uses ci's leading key in a filter, join, sort or grouping. Costs are
 * keyed and hypothetical indexes kept on this relation (the planner has no
 * use for a btree whose leading key the statement never constrains or
 * orders by, short of a full index-only scan of a narrower index, which
 * the covering candidates do not target). */
int ia_candidate_serves(ia_model_t *m, int ci, int s);
/* Representative parameter values for s from pg_stats / pg_qualstats. */
void ia_choose_param_values(ia_model_t *m, ia_statement_t *st);
int ia_cost_begin(ia_model_t *m);
void ia_cost_end(ia_model_t *m);
/* Closes the current phase (its what-if EXPLAINs, hypothetical index
 * creations, cache hits and wall time go to m->phases) and starts phase
 * (NULL: none). */
void ia_phase_mark(ia_model_t *m, const char *phase);
int ia_candidate_needs_model(const ia_candidate_t *c);

/* ia_select.c */
/* Selection weights from the base costs (call after every statement was
 * costed without new indexes): a statement whose share of the workload's
 * planner cost (calls x cost) is larger than its share of the measured
 * time is weighted by the cost share. Returns the number of statements
 * weighted up. */
size_t ia_set_selection_weights(ia_model_t *m);
typedef struct {
    int cand;
    double benefit_ms;      /* weighted time saved with the final configuration */
    double improvement;     /* weighted before / after over the affected statements */
    double affected_weight; /* sum of weights of affected statements */
    int *affected;          /* statement indices */
    size_t naffected;
    int method;                     /* 1 hypopg, 0 cost model */
    double cost_before, cost_after; /* weighted (calls x cost) sums */
} ia_choice_t;

typedef struct {
    ia_choice_t *choices;
    size_t nchoices;
    double budget_bytes, used_bytes;
    double workload_cost_before, workload_cost_after; /* weighted by calls */
    /* the considered statements' measured time (total_exec_time, ms), and
     * that time scaled by each statement's cost ratio with the chosen set:
     * planner costs summed over statements are dominated by whichever
     * statement the planner costs highest, time is what users feel */
    double workload_ms_before, workload_ms_after;
    int steps;
    /* greedy moves costed with what-if plans, and skipped because their
     * gain's upper bound could not pass the threshold or the best score */
    int64_t moves_costed, moves_bounded;
    json_t *rejected; /* array of {index, reason} */
    json_t *trace;    /* array of the greedy's steps: {move, index, replaces, gain_ms, ...} */
} ia_selection_t;

int ia_select(ia_model_t *m, ia_selection_t *sel, err_t *err);
void ia_selection_free(ia_selection_t *sel);

/* ia_report.c */
/* Priority thresholds: the share of the workload's measured time an index
 * saves (METHOD.md section 5). */
#define IA_P1_SAVED_SHARE 0.10
#define IA_P2_SAVED_SHARE 0.02
/* "P1".."P3" for an index saving saved_share of the workload's time;
 * planner_verified 0 (cost model) with have_planner 1 is at most P3. */
const char *ia_priority(double saved_share, int planner_verified, int have_planner);
json_t *ia_report(ia_model_t *m, const ia_selection_t *sel, double run_ms);

#endif
