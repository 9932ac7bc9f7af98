/*
 * bench_index_advisor.c - pgopt-bench-index-advisor: the index advisor on a
 * scenario with planted truth, in a throwaway PostgreSQL (bench/index_advisor/run.sh
 * starts one), against the single-column baseline in the same harness.
 *
 *   pgopt-bench-index-advisor --conninfo CONNINFO --scenario DIR [--iterations N]
 *
 * DIR holds schema.sql (tables, data, planted drops), workload.sql (lines
 * "COUNT|SQL" with {i:LO:HI} placeholders for random integers) and
 * truth.txt ("create TABLE COL[,COL]" / "drop INDEX"). The harness creates
 * database pgopt_bench_<scenario>, loads it, runs the workload (through
 * pg_stat_statements), collects a snapshot with the real collector, and for
 * each method (pgopt; baseline = single-column candidates, every one that
 * lowers some statement's cost: Supabase index_advisor's method, run on the
 * same what-if evaluator) reports: recall/precision of planted creates,
 * recall of planted drops, recommendations that do not reduce the cost of a
 * statement they claim, the weighted workload cost before/after re-scored by
 * one evaluator (hypopg, calls x generic-plan cost), the real workload time
 * before/after creating the indexes (measured --repeat times, per statement
 * the fastest; also per workload line), predicted vs actual index size,
 * advisor run time and what-if EXPLAIN count. Output: a markdown report on
 * stdout.
 */
#include <ctype.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/whatif.h"
#include "coordinator/collect/collect.h"
#include "workers/index_advisor/index_advisor.h"

typedef struct {
    int count;
    char *sql;
} wl_line_t;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (fread(b, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(b);
        return NULL;
    }
    b[n] = 0;
    fclose(f);
    return b;
}

static void die(const char *fmt, const char *a)
{
    fprintf(stderr, "pgopt-bench-index-advisor: ");
    fprintf(stderr, fmt, a);
    fprintf(stderr, "\n");
    exit(1);
}

static PGconn *connect_db(const char *conninfo, const char *dbname)
{
    const char *k[] = {"dbname", "dbname", NULL};
    const char *v[] = {conninfo, dbname, NULL};
    PGconn *c = PQconnectdbParams(k, v, 1);
    if (PQstatus(c) != CONNECTION_OK)
        die("cannot connect: %s", PQerrorMessage(c));
    return c;
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        die("SQL failed: %s", PQerrorMessage(c));
    PQclear(r);
}

/* {i:LO:HI} -> a random integer */
static char *instantiate(const char *tpl, unsigned *seed)
{
    size_t cap = strlen(tpl) * 2 + 64, o = 0;
    char *out = malloc(cap);
    for (const char *p = tpl; *p;) {
        long lo, hi;
        int used = 0;
        if (p[0] == '{' && p[1] == 'i' && sscanf(p, "{i:%ld:%ld}%n", &lo, &hi, &used) == 2 &&
            used > 0) {
            long v = lo + (long)(rand_r(seed) % (unsigned)(hi - lo + 1));
            o += (size_t)snprintf(out + o, cap - o, "%ld", v);
            p += used;
            continue;
        }
        out[o++] = *p++;
    }
    out[o] = 0;
    return out;
}

static wl_line_t *load_workload(const char *path, size_t *n)
{
    char *text = slurp(path);
    if (!text)
        die("cannot read %s", path);
    wl_line_t *lines = NULL;
    *n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '-' || line[0] == '#' || !strchr(line, '|'))
            continue;
        lines = realloc(lines, (*n + 1) * sizeof *lines);
        lines[*n].count = atoi(line);
        lines[*n].sql = strdup(strchr(line, '|') + 1);
        (*n)++;
    }
    free(text);
    return lines;
}

/* Runs the workload; returns wall time in ms. per_line (n entries, may be
 * NULL) receives each workload line's time, failed[] (may be NULL) how many
 * of its executions failed (statement timeout). Lines with skip[i] set (skip
 * may be NULL) are not run. */
static double run_workload(PGconn *c, const wl_line_t *wl, size_t n, int iterations, unsigned seed,
                           double *per_line, int *failed, const int *skip)
{
    int64_t t0 = clock_mono_us();
    if (per_line)
        memset(per_line, 0, n * sizeof *per_line);
    if (failed)
        memset(failed, 0, n * sizeof *failed);
    for (int it = 0; it < iterations; it++)
        for (size_t i = 0; i < n; i++)
            for (int k = 0; k < wl[i].count; k++) {
                char *q = instantiate(wl[i].sql, &seed);
                if (skip && skip[i]) {
                    free(q); /* the same random parameters for the lines after it */
                    continue;
                }
                int64_t q0 = clock_mono_us();
                PGresult *r = PQexec(c, q);
                if (per_line)
                    per_line[i] += (double)(clock_mono_us() - q0) / 1000.0;
                if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
                    fprintf(stderr, "workload: %s: %s", q, PQerrorMessage(c));
                    if (failed)
                        failed[i]++;
                }
                PQclear(r);
                free(q);
            }
    return (double)(clock_mono_us() - t0) / 1000.0;
}

/* The workload measured `repeat` times with the same parameters; per line
 * the fastest run is kept (the machine is shared: the minimum is the least
 * disturbed measurement); lines whose executions hit the statement timeout
 * in the first run are not repeated (their time is the timeout, a lower
 * bound). Returns the sum of the per-line times; runs[] (repeat entries)
 * receives each run's total. */
static double run_measured(PGconn *c, const wl_line_t *wl, size_t n, int iterations, int repeat,
                           double *per_line, int *failed, double *runs)
{
    double *t = calloc(n + 1, sizeof *t);
    int *f = calloc(n + 1, sizeof *f);
    for (int r = 0; r < repeat; r++) {
        runs[r] = run_workload(c, wl, n, iterations, 4242, t, f, r ? failed : NULL);
        for (size_t i = 0; i < n; i++) {
            if (r == 0) {
                per_line[i] = t[i];
                failed[i] = f[i];
            } else if (!failed[i] && t[i] < per_line[i]) {
                per_line[i] = t[i];
            }
        }
    }
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += per_line[i];
    free(t);
    free(f);
    return total;
}

#define MAX_REPEAT 8

typedef struct {
    const char *name;
    json_t *result;
    double run_ms;
    int64_t explains;
    int creates_found, creates_total, recs, recs_matching;
    int drops_found, drops_total;
    int not_reducing, claims_checked;             /* final configuration minus the index */
    int alone_not_reducing, alone_claims_checked; /* the index alone (stricter) */
    double cost_before, cost_after;
    int gin_unscored;
    double time_before, time_after;
    double size_pred, size_actual;
    int created;
    double *line_ms; /* real time per workload line after creating the indexes */
    int *line_failed;
    double runs[MAX_REPEAT]; /* each measurement's total */
} method_t;

/* A recommendation matches "create TABLE COLS" when it is on TABLE, its key
 * list starts with COLS and it is not partial; "create TABLE COLS where COL"
 * asks for a partial index whose predicate is on COL. */
static int rec_matches(json_t *rec, const char *table, const char *cols, const char *where_col)
{
    const char *t = json_string_value(json_object_get(rec, "table"));
    const char *ddl = json_string_value(json_object_get(rec, "create_statement"));
    if (!t || !ddl || strcmp(strchr(t, '.') ? strchr(t, '.') + 1 : t, table) != 0)
        return 0;
    const char *open = strstr(ddl, " (");
    if (!open)
        return 0;
    open += 2;
    if (strncmp(open, "(", 1) == 0 && strncmp(cols, "lower", 5) == 0)
        open++; /* expression key: ((lower(email))) */
    if (strncmp(open, cols, strlen(cols)) != 0)
        return 0;
    const char *where = strstr(ddl, " WHERE ");
    if (!where_col)
        return where == NULL;
    return where && strncmp(where + 7, where_col, strlen(where_col)) == 0;
}

static void score_truth(method_t *m, const char *truth_path)
{
    char *text = slurp(truth_path);
    if (!text)
        die("cannot read %s", truth_path);
    json_t *recs = json_object_get(m->result, "recommendations");
    m->recs = (int)json_array_size(recs);
    int *matched = calloc((size_t)m->recs + 1, sizeof(int));
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char kind[16], a[128], b[256] = "", w[16] = "", wcol[128] = "";
        if (line[0] == '#' || sscanf(line, "%15s %127s %255s %15s %127s", kind, a, b, w, wcol) < 2)
            continue;
        const char *where_col = strcmp(w, "where") == 0 && wcol[0] ? wcol : NULL;
        if (strcmp(kind, "create") == 0) {
            m->creates_total++;
            int hit = 0;
            for (size_t i = 0; i < json_array_size(recs); i++)
                if (rec_matches(json_array_get(recs, i), a, b, where_col)) {
                    hit = 1;
                    matched[i] = 1;
                }
            m->creates_found += hit;
        } else if (strcmp(kind, "drop") == 0) {
            m->drops_total++;
            char full[200];
            snprintf(full, sizeof full, "public.%s", a);
            int hit = 0;
            json_t *arr = json_object_get(m->result, "duplicate_indexes");
            for (size_t i = 0; i < json_array_size(arr); i++)
                hit |= strcmp(json_string_value(
                                  json_object_get(json_array_get(arr, i), "unneeded_index")),
                              full) == 0;
            arr = json_object_get(m->result, "unused_indexes_to_drop");
            for (size_t i = 0; i < json_array_size(arr); i++)
                hit |= strcmp(json_string_value(json_object_get(json_array_get(arr, i), "index")),
                              full) == 0;
            m->drops_found += hit;
        }
    }
    for (int i = 0; i < m->recs; i++)
        m->recs_matching += matched[i];
    free(matched);
    free(text);
}

static const char *query_of(json_t *snap, json_int_t qid)
{
    json_t *s;
    size_t i;
    json_array_foreach(json_object_get(snap, "statements"), i,
                       s) if (json_integer_value(json_object_get(s, "queryid")) ==
                              qid) return json_string_value(json_object_get(s, "query"));
    return NULL;
}

/* "CREATE INDEX CONCURRENTLY name ON ..." -> "CREATE INDEX ON ..." */
static void hypo_ddl(const char *ddl, char *out, size_t len)
{
    const char *on = strstr(ddl, " ON ");
    snprintf(out, len, "CREATE INDEX%.*s", (int)strlen(on) - 1, on);
}

/* Representative parameter values: pg_stat_statements' text has $k where the
 * application sent a literal. Where a partial recommendation's predicate is
 * "col = literal" and the text compares col with $k, the statement is costed
 * with that literal for $k (the constant the application sends, which is what
 * lets PostgreSQL's custom plan use the partial index); every other $k stays
 * generic. preds: array of [column, literal] from every method's partial
 * recommendations, so both methods are scored on the same texts. */
#define MAX_VALUES 64
typedef struct {
    size_t n;
    const char *v[MAX_VALUES];
} values_t;

static void stmt_values(const char *text, json_t *preds, values_t *out)
{
    memset(out, 0, sizeof *out);
    for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$')) {
        long k = strtol(p + 1, NULL, 10);
        if (k > 0 && k <= MAX_VALUES && (size_t)k > out->n)
            out->n = (size_t)k;
    }
    size_t i;
    json_t *pr;
    json_array_foreach(preds, i, pr)
    {
        const char *col = json_string_value(json_array_get(pr, 0));
        const char *lit = json_string_value(json_array_get(pr, 1));
        size_t cl = strlen(col);
        for (const char *p = strstr(text, col); p; p = strstr(p + 1, col)) {
            if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
                continue;
            if (strncmp(p + cl, " = $", 4) != 0)
                continue;
            const char *set = strstr(text, " SET "), *where = strstr(text, " WHERE ");
            if (set && set < p && (!where || p < where))
                continue; /* UPDATE ... SET col = $k assigns, it does not filter */
            long k = strtol(p + cl + 4, NULL, 10);
            if (k > 0 && (size_t)k <= out->n)
                out->v[k - 1] = lit;
        }
    }
}

/* [column, literal] of a partial recommendation "... WHERE col = 'lit'" */
static void collect_preds(json_t *result, json_t *preds)
{
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(result, "recommendations"), i, r)
    {
        const char *ddl = json_string_value(json_object_get(r, "create_statement"));
        const char *w = ddl ? strstr(ddl, " WHERE ") : NULL;
        char col[128], lit[256];
        if (!w || sscanf(w + 7, "%127s = %255[^\n]", col, lit) != 2)
            continue;
        size_t n = strlen(lit);
        while (n && (lit[n - 1] == ';' || lit[n - 1] == ' '))
            lit[--n] = 0; /* the statement's terminator */
        if (n >= 2 && lit[0] == '\'' && lit[n - 1] == '\'') {
            memmove(lit, lit + 1, n - 2);
            lit[n - 2] = 0;
        }
        json_array_append_new(preds, json_pack("[ss]", col, lit));
    }
}

static int cost_of(whatif_t *w, const char *text, json_t *preds, double *c)
{
    values_t v;
    stmt_values(text, preds, &v);
    int any = 0;
    for (size_t i = 0; i < v.n; i++)
        any |= v.v[i] != NULL;
    return whatif_cost(w, text, any ? v.v : NULL, any ? v.n : 0, NULL, c);
}

/* One evaluator for both methods: hypopg, calls x plan cost over every
 * SELECT/UPDATE/DELETE of the workload. Also checks every claim (statement
 * listed in a recommendation's affected_queryids) two ways:
 *  - the advisor's definition: with all the recommended indexes, removing
 *    this one raises the statement's cost;
 *  - stricter, for transparency: the index alone lowers the cost. */
static void rescore(method_t *m, json_t *snap, const char *conninfo, json_t *preds)
{
    whatif_t *w = NULL;
    err_t err;
    if (whatif_open(conninfo, 60000, &w, &err) != 0)
        die("what-if: %s", err.msg);
    json_t *recs = json_object_get(m->result, "recommendations");
    size_t nrecs = json_array_size(recs);
    char(*hddl)[2048] = calloc(nrecs + 1, sizeof *hddl);
    unsigned *oids = calloc(nrecs + 1, sizeof *oids);
    for (size_t i = 0; i < nrecs; i++) {
        const char *ddl =
            json_string_value(json_object_get(json_array_get(recs, i), "create_statement"));
        if (strstr(ddl, "USING gin")) {
            m->gin_unscored++;
            hddl[i][0] = 0;
            continue;
        }
        hypo_ddl(ddl, hddl[i], sizeof hddl[i]);
    }
    /* alone */
    for (size_t i = 0; i < nrecs; i++) {
        if (!hddl[i][0])
            continue;
        json_t *q;
        size_t k;
        json_array_foreach(json_object_get(json_array_get(recs, i), "affected_queryids"), k, q)
        {
            const char *text = query_of(snap, json_integer_value(q));
            double b, a;
            unsigned oid;
            whatif_reset(w);
            if (!text || cost_of(w, text, preds, &b) != 0)
                continue;
            if (whatif_index_create(w, hddl[i], &oid, NULL) != 0 ||
                cost_of(w, text, preds, &a) != 0)
                continue;
            m->alone_claims_checked++;
            if (!(a < b)) {
                m->alone_not_reducing++;
                fprintf(stderr, "%s: %s alone does not lower queryid %lld (%.2f -> %.2f)\n",
                        m->name, hddl[i], (long long)json_integer_value(q), b, a);
            }
        }
    }
    /* in the recommended configuration */
    whatif_reset(w);
    for (size_t i = 0; i < nrecs; i++)
        if (hddl[i][0] && whatif_index_create(w, hddl[i], &oids[i], NULL) != 0)
            die("hypopg refused %s", hddl[i]);
    for (size_t i = 0; i < nrecs; i++) {
        if (!hddl[i][0])
            continue;
        json_t *q;
        size_t k;
        json_array_foreach(json_object_get(json_array_get(recs, i), "affected_queryids"), k, q)
        {
            const char *text = query_of(snap, json_integer_value(q));
            double with, without;
            if (!text || cost_of(w, text, preds, &with) != 0)
                continue;
            if (whatif_index_drop(w, oids[i]) != 0)
                die("hypopg: %s", whatif_error(w));
            int rc = cost_of(w, text, preds, &without);
            if (whatif_index_create(w, hddl[i], &oids[i], NULL) != 0)
                die("hypopg refused %s", hddl[i]);
            if (rc != 0)
                continue;
            m->claims_checked++;
            if (!(with < without)) {
                m->not_reducing++;
                fprintf(stderr,
                        "%s: removing %s from the set does not raise queryid %lld (%.2f -> %.2f)\n",
                        m->name, hddl[i], (long long)json_integer_value(q), with, without);
            }
        }
    }
    whatif_reset(w);
    double before = 0, after = 0;
    json_t *s;
    size_t i;
    json_t *costs = json_array();
    json_array_foreach(json_object_get(snap, "statements"), i, s)
    {
        const char *text = json_string_value(json_object_get(s, "query"));
        double c;
        if (!text ||
            !(strncmp(text, "SELECT", 6) == 0 || strncmp(text, "UPDATE", 6) == 0 ||
              strncmp(text, "DELETE", 6) == 0) ||
            strstr(text, "pg_") || cost_of(w, text, preds, &c) != 0) {
            json_array_append_new(costs, json_real(-1));
            continue;
        }
        json_array_append_new(costs, json_real(c));
        before += json_number_value(json_object_get(s, "calls")) * c;
    }
    for (size_t k = 0; k < nrecs; k++)
        if (hddl[k][0])
            whatif_index_create(w, hddl[k], &oids[k], NULL);
    json_array_foreach(json_object_get(snap, "statements"), i, s)
    {
        double c0 = json_real_value(json_array_get(costs, i)), c;
        if (c0 < 0)
            continue;
        if (cost_of(w, json_string_value(json_object_get(s, "query")), preds, &c) != 0)
            c = c0;
        after += json_number_value(json_object_get(s, "calls")) * c;
    }
    json_decref(costs);
    free(hddl);
    free(oids);
    m->cost_before = before;
    m->cost_after = after;
    whatif_destroy(&w);
}

/* Creates the recommended indexes for real, times the workload, measures
 * their sizes, drops them. */
static void real_run(method_t *m, PGconn *c, const wl_line_t *wl, size_t n, int iterations,
                     int repeat, double before)
{
    json_t *recs = json_object_get(m->result, "recommendations");
    m->time_before = before;
    for (size_t i = 0; i < json_array_size(recs); i++) {
        json_t *r = json_array_get(recs, i);
        json_t *pre = json_object_get(r, "prerequisite");
        if (json_is_string(pre))
            exec_ok(c, json_string_value(pre));
        exec_ok(c, json_string_value(json_object_get(r, "create_statement")));
        m->created++;
    }
    exec_ok(c, "ANALYZE");
    m->line_ms = calloc(n + 1, sizeof *m->line_ms);
    m->line_failed = calloc(n + 1, sizeof *m->line_failed);
    m->time_after = run_measured(c, wl, n, iterations, repeat, m->line_ms, m->line_failed, m->runs);
    for (size_t i = 0; i < json_array_size(recs); i++) {
        json_t *r = json_array_get(recs, i);
        const char *drop = json_string_value(json_object_get(r, "drop_statement"));
        const char *name = strstr(drop, "public.") + 7;
        char q[400];
        snprintf(q, sizeof q, "SELECT pg_relation_size('public.%.*s')", (int)strcspn(name, ";"),
                 name);
        PGresult *res = PQexec(c, q);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
            double actual = atof(PQgetvalue(res, 0, 0));
            double pred = (double)json_integer_value(json_object_get(r, "storage_bytes"));
            m->size_actual += actual;
            m->size_pred += pred;
            printf("| %s | %s | %.0f kB | %.0f kB | %+.0f%% |\n", m->name, name, pred / 1024,
                   actual / 1024, actual > 0 ? (pred / actual - 1) * 100 : 0);
        }
        PQclear(res);
        exec_ok(c, drop);
    }
}

/* Real time per workload line (query shape): before, with pgopt's indexes,
 * with the baseline's; "(n timeouts)" marks executions cancelled by the
 * statement timeout (their time is the timeout, a lower bound). */
static void print_per_line(const wl_line_t *wl, size_t n, int iterations, const double *before,
                           const int *before_failed, const method_t *methods)
{
    printf("\n| # | statement (workload line) | runs | before (ms) | pgopt (ms) | baseline (ms) | "
           "pgopt / baseline |\n|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        char shape[64];
        snprintf(shape, sizeof shape, "%.60s", wl[i].sql);
        for (char *p = shape; *p; p++)
            if (*p == '|')
                *p = '/';
        printf("| %zu | `%s...` | %d | %.0f%s | %.1f%s | %.1f%s | %.2f |\n", i + 1, shape,
               wl[i].count * iterations, before[i], before_failed[i] ? " (timeouts)" : "",
               methods[0].line_ms[i], methods[0].line_failed[i] ? " (timeouts)" : "",
               methods[1].line_ms[i], methods[1].line_failed[i] ? " (timeouts)" : "",
               methods[1].line_ms[i] > 0 ? methods[0].line_ms[i] / methods[1].line_ms[i] : 0);
    }
}

/* pg_qualstats' constvalue (the constant of each recorded qual) is not in
 * the collector's qualstats rows yet: the harness reads it from the view and
 * adds it to the matching snapshot rows (same queryid, uniquequalnodeid and
 * eval_type), so the advisor sees what a collector selecting
 * pg_qualstats.constvalue would give it. Rows that already carry it are kept. */
static void add_qualstats_constants(PGconn *c, json_t *snap)
{
    json_t *rows = json_object_get(snap, "qualstats");
    if (!json_is_array(rows) || json_array_size(rows) == 0)
        return;
    PGresult *r = PQexec(c, "SELECT queryid, uniquequalnodeid, eval_type::text, constvalue "
                            "FROM pg_qualstats WHERE constvalue IS NOT NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "pg_qualstats constvalue: %s", PQerrorMessage(c));
        PQclear(r);
        return;
    }
    int added = 0;
    for (int i = 0; i < PQntuples(r); i++) {
        json_int_t qid = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        json_int_t uq = strtoll(PQgetvalue(r, i, 1), NULL, 10);
        const char *et = PQgetvalue(r, i, 2);
        size_t k;
        json_t *row;
        json_array_foreach(rows, k, row)
        {
            const char *ret = json_string_value(json_object_get(row, "eval_type"));
            if (json_integer_value(json_object_get(row, "queryid")) == qid &&
                json_integer_value(json_object_get(row, "uniquequalnodeid")) == uq && ret &&
                strcmp(ret, et) == 0 && !json_object_get(row, "constvalue")) {
                json_object_set_new(row, "constvalue", json_string(PQgetvalue(r, i, 3)));
                added++;
            }
        }
    }
    fprintf(stderr, "pg_qualstats: constvalue added to %d of %zu snapshot rows\n", added,
            json_array_size(rows));
    PQclear(r);
}

int main(int argc, char **argv)
{
    const char *conninfo = NULL, *dir = NULL, *snap_in = NULL, *snap_out = NULL;
    int iterations = 1, timeout_s = 60, repeat = 2;
    static const struct option lo[] = {{"conninfo", required_argument, NULL, 'c'},
                                       {"scenario", required_argument, NULL, 's'},
                                       {"iterations", required_argument, NULL, 'n'},
                                       {"statement-timeout-s", required_argument, NULL, 't'},
                                       {"snapshot-out", required_argument, NULL, 'o'},
                                       {"snapshot-in", required_argument, NULL, 'i'},
                                       {"repeat", required_argument, NULL, 'r'},
                                       {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "c:s:n:t:o:i:r:", lo, NULL)) != -1) {
        if (ch == 'c')
            conninfo = optarg;
        else if (ch == 's')
            dir = optarg;
        else if (ch == 'n')
            iterations = atoi(optarg);
        else if (ch == 't')
            timeout_s = atoi(optarg);
        else if (ch == 'o')
            snap_out = optarg;
        else if (ch == 'i')
            snap_in = optarg;
        else if (ch == 'r')
            repeat = atoi(optarg);
        else
            return 2;
    }
    if (!conninfo || !dir || timeout_s <= 0 || repeat < 1 || repeat > MAX_REPEAT) {
        fprintf(stderr, "usage: pgopt-bench-index-advisor --conninfo CONNINFO --scenario DIR "
                        "[--iterations N] [--statement-timeout-s S (60)] [--repeat R (2): "
                        "each real-time measurement R times, fastest per statement]\n"
                        "       [--snapshot-out FILE]\n"
                        "       [--snapshot-in FILE: advisor and what-if figures only, on a "
                        "database loaded by an earlier run]\n");
        return 2;
    }
    const char *base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
    char dbname[128], path[1024], dbconn[1024], q[400];
    snprintf(dbname, sizeof dbname, "pgopt_bench_%s", base);
    snprintf(dbconn, sizeof dbconn, "%s dbname=%s", conninfo, dbname);
    if (!snap_in) {
        PGconn *admin = connect_db(conninfo, "postgres");
        snprintf(q, sizeof q, "DROP DATABASE IF EXISTS %s", dbname);
        exec_ok(admin, q);
        snprintf(q, sizeof q, "CREATE DATABASE %s", dbname);
        exec_ok(admin, q);
        PQfinish(admin);
    }
    PGconn *c = connect_db(conninfo, dbname);
    snprintf(q, sizeof q, "SET statement_timeout = '%ds'", timeout_s);
    size_t nwl;
    snprintf(path, sizeof path, "%s/workload.sql", dir);
    wl_line_t *wl = load_workload(path, &nwl);
    json_t *snap = NULL;
    err_t err;
    if (snap_in) {
        json_error_t je;
        snap = json_load_file(snap_in, 0, &je);
        if (!snap)
            die("cannot read the snapshot %s", snap_in);
    } else {
        snprintf(path, sizeof path, "%s/schema.sql", dir);
        char *schema = slurp(path);
        if (!schema)
            die("cannot read %s", path);
        int64_t t0 = clock_mono_us();
        exec_ok(c, schema);
        free(schema);
        exec_ok(c, "VACUUM ANALYZE");
        fprintf(stderr, "loaded in %.1f s\n", (double)(clock_mono_us() - t0) / 1e6);
        exec_ok(c, q);
        exec_ok(c, "SELECT pg_stat_statements_reset()");
        PGresult *r = PQexec(c, "SELECT pg_qualstats_reset()");
        PQclear(r); /* absent when the scenario does not create pg_qualstats */
        run_workload(c, wl, nwl, iterations, 1, NULL, NULL, NULL);

        collect_opts_t co;
        collect_opts_init(&co);
        co.conninfo = dbconn;
        co.include_target_dsn = 1;
        if (collect_snapshot(&co, &snap, &err) != 0)
            die("collect: %s", err.msg);
        add_qualstats_constants(c, snap);
        /* the statistics are minutes old: judge idx_scan = 0 anyway (a real
         * database needs the default week) */
        json_object_set_new(snap, "options", json_pack("{s:f}", "index_min_unused_window_s", 0.0));
        if (snap_out && json_dump_file(snap, snap_out, JSON_COMPACT) != 0)
            die("cannot write %s", snap_out);
    }
    exec_ok(c, q);

    method_t methods[2] = {{.name = "pgopt"}, {.name = "baseline"}};
    double *before_ms = NULL, before_runs[MAX_REPEAT] = {0};
    int *before_failed = NULL;
    json_t *preds = json_array();
    for (int k = 0; k < 2; k++) {
        index_advisor_options_t o;
        index_advisor_options_init(&o);
        o.statement_timeout_ms = timeout_s * 1000;
        if (k == 1) {
            o.baseline_single_column = 1;
            o.min_gain_fraction = 0;
            o.min_index_improvement = 0;
            o.budget_bytes = (int64_t)1 << 40;
            o.max_write_overhead = 1e9;
        }
        int64_t a = clock_mono_us();
        if (index_advisor_analyze(snap, &o, NULL, NULL, &methods[k].result, &err) != 0)
            die("advisor: %s", err.msg);
        methods[k].run_ms = (double)(clock_mono_us() - a) / 1000.0;
        json_t *ev = json_object_get(methods[k].result, "evaluation");
        methods[k].explains = json_integer_value(json_object_get(ev, "whatif_explains"));
        if (k == 1) {
            /* the baseline gives no drop advice */
            json_object_set_new(methods[k].result, "duplicate_indexes", json_array());
            json_object_set_new(methods[k].result, "unused_indexes_to_drop", json_array());
        }
        snprintf(path, sizeof path, "%s/truth.txt", dir);
        score_truth(&methods[k], path);
        collect_preds(methods[k].result, preds);
        char *recs =
            json_dumps(json_object_get(methods[k].result, "recommendations"), JSON_INDENT(1));
        fprintf(stderr, "%s recommendations: %s\n", methods[k].name, recs);
        free(recs);
        char *steps = json_dumps(json_object_get(ev, "selection_steps"), 0);
        fprintf(stderr, "%s selection steps: %s\n", methods[k].name, steps ? steps : "null");
        free(steps);
    }
    for (int k = 0; k < 2; k++)
        rescore(&methods[k], snap, dbconn, preds);
    json_decref(preds);
    printf("\n### scenario %s\n\n", base);
    if (!snap_in) {
        printf("| method | index | predicted | actual | error |\n|---|---|---|---|---|\n");
        /* one "before" for both methods: the same workload, same seed, no new index */
        before_ms = calloc(nwl + 1, sizeof *before_ms);
        before_failed = calloc(nwl + 1, sizeof *before_failed);
        double before =
            run_measured(c, wl, nwl, iterations, repeat, before_ms, before_failed, before_runs);
        for (int k = 0; k < 2; k++)
            real_run(&methods[k], c, wl, nwl, iterations, repeat, before);
    }
    printf("\n| figure | pgopt | baseline (single-column) |\n|---|---|---|\n");
#define ROW(label, fmt, expr0, expr1) printf("| " label " | " fmt " | " fmt " |\n", expr0, expr1)
    ROW("recommendations", "%d", methods[0].recs, methods[1].recs);
    printf("| recall of planted missing indexes | %d/%d (%.0f%%) | %d/%d (%.0f%%) |\n",
           methods[0].creates_found, methods[0].creates_total,
           100.0 * methods[0].creates_found / fmax(1, methods[0].creates_total),
           methods[1].creates_found, methods[1].creates_total,
           100.0 * methods[1].creates_found / fmax(1, methods[1].creates_total));
    printf("| precision (recommendations matching a planted index) | %d/%d | %d/%d |\n",
           methods[0].recs_matching, methods[0].recs, methods[1].recs_matching, methods[1].recs);
    printf("| recall of planted drops | %d/%d | %d/%d |\n", methods[0].drops_found,
           methods[0].drops_total, methods[1].drops_found, methods[1].drops_total);
    printf("| claimed statements not made cheaper (removing the index from the recommended set "
           "does not raise their cost) | %d of %d | %d of %d |\n",
           methods[0].not_reducing, methods[0].claims_checked, methods[1].not_reducing,
           methods[1].claims_checked);
    printf("| stricter: claimed statements the index alone does not make cheaper | %d of %d | "
           "%d of %d |\n",
           methods[0].alone_not_reducing, methods[0].alone_claims_checked,
           methods[1].alone_not_reducing, methods[1].alone_claims_checked);
    ROW("weighted workload cost before (hypopg, calls x cost)", "%.0f", methods[0].cost_before,
        methods[1].cost_before);
    ROW("weighted workload cost after", "%.0f", methods[0].cost_after, methods[1].cost_after);
    ROW("GIN recommendations not re-scored (hypopg has no GIN)", "%d", methods[0].gin_unscored,
        methods[1].gin_unscored);
    if (!snap_in) {
        ROW("real workload time before (ms; per statement the fastest of the measurements)", "%.0f",
            methods[0].time_before, methods[1].time_before);
        ROW("real workload time after creating the indexes (ms; likewise)", "%.0f",
            methods[0].time_after, methods[1].time_after);
        for (int r = 0; r < repeat; r++)
            printf("| real time of measurement %d: before / after (ms) | %.0f / %.0f | %.0f / %.0f "
                   "|\n",
                   r + 1, before_runs[r], methods[0].runs[r], before_runs[r], methods[1].runs[r]);
        ROW("total index size predicted (kB)", "%.0f", methods[0].size_pred / 1024,
            methods[1].size_pred / 1024);
        ROW("total index size actual (kB)", "%.0f", methods[0].size_actual / 1024,
            methods[1].size_actual / 1024);
    }
    ROW("advisor run time (ms)", "%.0f", methods[0].run_ms, methods[1].run_ms);
    ROW("what-if EXPLAINs", "%lld", (long long)methods[0].explains, (long long)methods[1].explains);
    if (before_ms)
        print_per_line(wl, nwl, iterations, before_ms, before_failed, methods);
    free(before_ms);
    free(before_failed);
    for (int k = 0; k < 2; k++) {
        json_decref(methods[k].result);
        free(methods[k].line_ms);
        free(methods[k].line_failed);
    }
    for (size_t i = 0; i < nwl; i++)
        free(wl[i].sql);
    free(wl);
    json_decref(snap);
    PQfinish(c);
    return 0;
}
