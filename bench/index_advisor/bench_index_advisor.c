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
 * before/after creating the indexes, predicted vs actual index size, advisor
 * run time and what-if EXPLAIN count. Output: a markdown report on stdout.
 */
#include <getopt.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/whatif.h"
#include "coordinator/collect.h"
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

/* Runs the workload; returns wall time in ms. */
static double run_workload(PGconn *c, const wl_line_t *wl, size_t n, int iterations, unsigned seed)
{
    int64_t t0 = clock_mono_us();
    for (int it = 0; it < iterations; it++)
        for (size_t i = 0; i < n; i++)
            for (int k = 0; k < wl[i].count; k++) {
                char *q = instantiate(wl[i].sql, &seed);
                PGresult *r = PQexec(c, q);
                if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK)
                    fprintf(stderr, "workload: %s: %s", q, PQerrorMessage(c));
                PQclear(r);
                free(q);
            }
    return (double)(clock_mono_us() - t0) / 1000.0;
}

typedef struct {
    const char *name;
    json_t *result;
    double run_ms;
    int64_t explains;
    int creates_found, creates_total, recs, recs_matching;
    int drops_found, drops_total;
    int not_reducing, claims_checked;
    double cost_before, cost_after;
    int gin_unscored;
    double time_before, time_after;
    double size_pred, size_actual;
    int created;
} method_t;

/* A recommendation matches "create TABLE COLS" when it is on TABLE and its
 * key list starts with COLS. */
static int rec_matches(json_t *rec, const char *table, const char *cols)
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
    return strncmp(open, cols, strlen(cols)) == 0;
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
        char kind[16], a[128], b[256] = "";
        if (line[0] == '#' || sscanf(line, "%15s %127s %255s", kind, a, b) < 2)
            continue;
        if (strcmp(kind, "create") == 0) {
            m->creates_total++;
            int hit = 0;
            for (size_t i = 0; i < json_array_size(recs); i++)
                if (rec_matches(json_array_get(recs, i), a, b)) {
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

/* One evaluator for both methods: hypopg, calls x generic-plan cost over
 * every SELECT/UPDATE/DELETE of the workload. */
static void rescore(method_t *m, json_t *snap, const char *conninfo)
{
    whatif_t *w = NULL;
    err_t err;
    if (whatif_open(conninfo, 30000, &w, &err) != 0)
        die("what-if: %s", err.msg);
    json_t *recs = json_object_get(m->result, "recommendations");
    /* claims: each affected statement gets cheaper with the index alone */
    for (size_t i = 0; i < json_array_size(recs); i++) {
        json_t *r = json_array_get(recs, i);
        const char *ddl = json_string_value(json_object_get(r, "create_statement"));
        if (strstr(ddl, "USING gin"))
            continue;
        char h[2048];
        hypo_ddl(ddl, h, sizeof h);
        json_t *q;
        size_t k;
        json_array_foreach(json_object_get(r, "affected_queryids"), k, q)
        {
            const char *text = query_of(snap, json_integer_value(q));
            double b, a;
            unsigned oid;
            whatif_reset(w);
            if (!text || whatif_cost(w, text, NULL, 0, NULL, &b) != 0)
                continue;
            if (whatif_index_create(w, h, &oid, NULL) != 0 ||
                whatif_cost(w, text, NULL, 0, NULL, &a) != 0)
                continue;
            m->claims_checked++;
            if (!(a < b))
                m->not_reducing++;
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
            strstr(text, "pg_") || whatif_cost(w, text, NULL, 0, NULL, &c) != 0) {
            json_array_append_new(costs, json_real(-1));
            continue;
        }
        json_array_append_new(costs, json_real(c));
        before += json_number_value(json_object_get(s, "calls")) * c;
    }
    for (size_t k = 0; k < json_array_size(recs); k++) {
        const char *ddl =
            json_string_value(json_object_get(json_array_get(recs, k), "create_statement"));
        if (strstr(ddl, "USING gin")) {
            m->gin_unscored++;
            continue;
        }
        char h[2048];
        unsigned oid;
        hypo_ddl(ddl, h, sizeof h);
        whatif_index_create(w, h, &oid, NULL);
    }
    json_array_foreach(json_object_get(snap, "statements"), i, s)
    {
        double c0 = json_real_value(json_array_get(costs, i)), c;
        if (c0 < 0)
            continue;
        if (whatif_cost(w, json_string_value(json_object_get(s, "query")), NULL, 0, NULL, &c) != 0)
            c = c0;
        after += json_number_value(json_object_get(s, "calls")) * c;
    }
    json_decref(costs);
    m->cost_before = before;
    m->cost_after = after;
    whatif_destroy(&w);
}

/* Creates the recommended indexes for real, times the workload, measures
 * their sizes, drops them. */
static void real_run(method_t *m, PGconn *c, const wl_line_t *wl, size_t n, int iterations,
                     double before)
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
    m->time_after = run_workload(c, wl, n, iterations, 4242);
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

int main(int argc, char **argv)
{
    const char *conninfo = NULL, *dir = NULL;
    int iterations = 1;
    static const struct option lo[] = {{"conninfo", required_argument, NULL, 'c'},
                                       {"scenario", required_argument, NULL, 's'},
                                       {"iterations", required_argument, NULL, 'n'},
                                       {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "c:s:n:", lo, NULL)) != -1) {
        if (ch == 'c')
            conninfo = optarg;
        else if (ch == 's')
            dir = optarg;
        else if (ch == 'n')
            iterations = atoi(optarg);
        else
            return 2;
    }
    if (!conninfo || !dir) {
        fprintf(stderr, "usage: pgopt-bench-index-advisor --conninfo CONNINFO --scenario DIR "
                        "[--iterations N]\n");
        return 2;
    }
    const char *base = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
    char dbname[128], path[1024], dbconn[1024];
    snprintf(dbname, sizeof dbname, "pgopt_bench_%s", base);
    PGconn *admin = connect_db(conninfo, "postgres");
    char q[400];
    snprintf(q, sizeof q, "DROP DATABASE IF EXISTS %s", dbname);
    exec_ok(admin, q);
    snprintf(q, sizeof q, "CREATE DATABASE %s", dbname);
    exec_ok(admin, q);
    PQfinish(admin);
    PGconn *c = connect_db(conninfo, dbname);
    snprintf(dbconn, sizeof dbconn, "%s dbname=%s", conninfo, dbname);
    snprintf(path, sizeof path, "%s/schema.sql", dir);
    char *schema = slurp(path);
    if (!schema)
        die("cannot read %s", path);
    int64_t t0 = clock_mono_us();
    exec_ok(c, schema);
    free(schema);
    exec_ok(c, "VACUUM ANALYZE");
    fprintf(stderr, "loaded in %.1f s\n", (double)(clock_mono_us() - t0) / 1e6);
    exec_ok(c, "SET statement_timeout = '20s'");
    exec_ok(c, "SELECT pg_stat_statements_reset()");
    snprintf(path, sizeof path, "%s/workload.sql", dir);
    size_t nwl;
    wl_line_t *wl = load_workload(path, &nwl);
    run_workload(c, wl, nwl, iterations, 1);

    collect_opts_t co;
    collect_opts_init(&co);
    co.conninfo = dbconn;
    co.include_target_dsn = 1;
    json_t *snap = NULL;
    err_t err;
    if (collect_snapshot(&co, &snap, &err) != 0)
        die("collect: %s", err.msg);
    /* the statistics are minutes old: judge idx_scan = 0 anyway (a real
     * database needs the default week) */
    json_object_set_new(snap, "options", json_pack("{s:f}", "index_min_unused_window_s", 0.0));

    method_t methods[2] = {{.name = "pgopt"}, {.name = "baseline"}};
    for (int k = 0; k < 2; k++) {
        ia_options_t o;
        ia_options_init(&o);
        if (k == 1) {
            o.baseline_single_column = 1;
            o.min_gain_fraction = 0;
            o.budget_bytes = (int64_t)1 << 40;
            o.max_write_overhead = 1e9;
        }
        int64_t a = clock_mono_us();
        if (index_advisor_run(snap, &o, NULL, NULL, &methods[k].result, &err) != 0)
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
        rescore(&methods[k], snap, dbconn);
        char *recs =
            json_dumps(json_object_get(methods[k].result, "recommendations"), JSON_INDENT(1));
        fprintf(stderr, "%s recommendations: %s\n", methods[k].name, recs);
        free(recs);
    }
    printf("\n### scenario %s\n\n| method | index | predicted | actual | error |\n|---|---|---|---|"
           "---|\n",
           base);
    /* one "before" for both methods: the same workload, same seed, no new index */
    double before = run_workload(c, wl, nwl, iterations, 4242);
    for (int k = 0; k < 2; k++)
        real_run(&methods[k], c, wl, nwl, iterations, before);
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
    printf("| claimed statements not made cheaper | %d of %d | %d of %d |\n",
           methods[0].not_reducing, methods[0].claims_checked, methods[1].not_reducing,
           methods[1].claims_checked);
    ROW("weighted workload cost before (hypopg, calls x cost)", "%.0f", methods[0].cost_before,
        methods[1].cost_before);
    ROW("weighted workload cost after", "%.0f", methods[0].cost_after, methods[1].cost_after);
    ROW("GIN recommendations not re-scored (hypopg has no GIN)", "%d", methods[0].gin_unscored,
        methods[1].gin_unscored);
    ROW("real workload time before (ms)", "%.0f", methods[0].time_before, methods[1].time_before);
    ROW("real workload time after creating the indexes (ms)", "%.0f", methods[0].time_after,
        methods[1].time_after);
    ROW("total index size predicted (kB)", "%.0f", methods[0].size_pred / 1024,
        methods[1].size_pred / 1024);
    ROW("total index size actual (kB)", "%.0f", methods[0].size_actual / 1024,
        methods[1].size_actual / 1024);
    ROW("advisor run time (ms)", "%.0f", methods[0].run_ms, methods[1].run_ms);
    ROW("what-if EXPLAINs", "%lld", (long long)methods[0].explains, (long long)methods[1].explains);
    for (int k = 0; k < 2; k++)
        json_decref(methods[k].result);
    for (size_t i = 0; i < nwl; i++)
        free(wl[i].sql);
    free(wl);
    json_decref(snap);
    PQfinish(c);
    return 0;
}
