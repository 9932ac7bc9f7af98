/*
 * planted_pg.c - planted changes with a real history (planted_pg.h).
 */
#include "planted_pg.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coordinator/collect/collect.h"
#include "coordinator/history/history.h"
#include "tests/support/pgtest.h"
#include "workers/ai_tuning/ai_tuning.h"

#define BEFORE 6 /* snapshots before the change (the first interval has no statements yet) */
#define AFTER  4 /* intervals after it */

typedef struct {
    const char *name;
    const char *setup;   /* once, in the scenario's database */
    const char *work[3]; /* each interval, `reps` times each */
    int reps;
    const char *change;        /* applied after the BEFORE-th snapshot */
    const char *work_after[3]; /* added to the workload after the change */
    int reps_after;
    int reconnect; /* the workload reconnects after the change */
    const char *expect_kind, *expect_query, *expect_cause;
    int restart; /* on a private cluster, restarted (pg_ctl restart) as the change */
} scenario_t;

/* Autovacuum off on the scenario tables: an autoanalyze at a random moment
 * would be a second change in a test that plants one. */
#define NOAV " WITH (autovacuum_enabled = false)"

static const scenario_t SCENARIOS[] = {
    {"index dropped",
     "CREATE TABLE big (k int, v text)" NOAV "; INSERT INTO big SELECT g, md5(g::text) FROM "
     "generate_series(1, 100000) g; CREATE INDEX big_k_idx ON big (k); ANALYZE big",
     {"SELECT v FROM big WHERE k = 4242"},
     20,
     "DROP INDEX big_k_idx",
     {NULL},
     0,
     0,
     "regression",
     "FROM big WHERE k",
     "index_dropped",
     0},
    /* A hashed NOT IN subplan needs its hash table in work_mem; below that
     * PostgreSQL scans a materialized (spilled) subplan per outer row. */
    {"work_mem lowered, subplan spills",
     "CREATE TABLE a1 (k int)" NOAV "; INSERT INTO a1 SELECT generate_series(1, 200); "
     "CREATE TABLE b1 (k int)" NOAV "; INSERT INTO b1 SELECT g * 2 FROM generate_series(1, "
     "10000) g; ANALYZE a1; ANALYZE b1",
     {"SELECT count(*) FROM a1 WHERE k NOT IN (SELECT k FROM b1)"},
     6,
     "ALTER DATABASE %s SET work_mem = '64kB'",
     {NULL},
     0,
     1,
     "regression",
     "NOT IN",
     "setting_changed",
     0},
    {"plan flip (statistics changed)",
     "CREATE TABLE pf (c int, pad text)" NOAV "; INSERT INTO pf SELECT g, md5(g::text) FROM "
     "generate_series(1, 100000) g; CREATE INDEX pf_c_idx ON pf (c); ANALYZE pf",
     {"SELECT pad FROM pf WHERE c = 777"},
     20,
     "ALTER TABLE pf ALTER COLUMN c SET (n_distinct = 1); ANALYZE pf",
     {NULL},
     0,
     0,
     "regression",
     "FROM pf WHERE c",
     "plan_change",
     0},
    {"data growth",
     "CREATE TABLE dg (x int)" NOAV "; INSERT INTO dg SELECT g FROM generate_series(1, 20000) g; "
     "ANALYZE dg",
     {"SELECT count(*) FROM dg WHERE x > 5"},
     10,
     "INSERT INTO dg SELECT g FROM generate_series(1, 200000) g",
     {NULL},
     0,
     0,
     "regression",
     "FROM dg WHERE x",
     "data_growth",
     0},
    {"new heavy statement",
     "CREATE TABLE small (id int)" NOAV "; INSERT INTO small SELECT generate_series(1, 1000); "
     "CREATE TABLE h (v text)" NOAV "; INSERT INTO h SELECT md5(g::text) FROM "
     "generate_series(1, 30000) g; ANALYZE small; ANALYZE h",
     {"SELECT count(*) FROM small WHERE id < 50"},
     20,
     "SELECT 1",
     {"SELECT count(*) FROM h a JOIN h b USING (v)"},
     3,
     0,
     "anomaly",
     NULL,
     "new_statement",
     0},
    {"look-alike: steady noise",
     "CREATE TABLE n (k int, v text)" NOAV "; INSERT INTO n SELECT g, md5(g::text) FROM "
     "generate_series(1, 20000) g; CREATE INDEX n_k ON n (k); ANALYZE n",
     {"SELECT count(*) FROM n WHERE k < 500", "SELECT count(*) FROM n WHERE v LIKE 'ab%'"},
     10,
     "SELECT 1",
     {NULL},
     0,
     0,
     NULL,
     NULL,
     NULL,
     0},
    {"look-alike: statistics reset",
     "CREATE TABLE r (k int, v text)" NOAV "; INSERT INTO r SELECT g, md5(g::text) FROM "
     "generate_series(1, 20000) g; CREATE INDEX r_k ON r (k); ANALYZE r",
     {"SELECT count(*) FROM r WHERE k < 500", "SELECT count(*) FROM r WHERE v LIKE 'ab%'"},
     10,
     "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = "
     "current_database()), 0); SELECT pg_stat_reset()",
     {NULL},
     0,
     0,
     NULL,
     NULL,
     NULL,
     0},
    /* A clean restart keeps the cumulative statistics; the cache starts
     * cold. Same steady workload before and after. */
    {"look-alike: server restart",
     "CREATE TABLE rs (k int, v text)" NOAV "; INSERT INTO rs SELECT g, md5(g::text) FROM "
     "generate_series(1, 20000) g; CREATE INDEX rs_k ON rs (k); ANALYZE rs",
     {"SELECT count(*) FROM rs WHERE k < 500", "SELECT count(*) FROM rs WHERE v LIKE 'ab%'"},
     10,
     NULL,
     {NULL},
     0,
     1,
     NULL,
     NULL,
     NULL,
     1},
};
enum { NSCEN = sizeof SCENARIOS / sizeof *SCENARIOS };

/* A private PostgreSQL for a scenario that restarts the server
 * (scripts/pg-sandbox.sh in a fresh temporary directory, own port). */
typedef struct {
    char dir[256];
    char host[512], port[32], pgdata[512];
    int started;
} private_pg_t;

static int private_pg_ctl(const private_pg_t *p, const char *action)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "%s/usr/lib/postgresql/15/bin/pg_ctl -D '%s' -l '%s/pg/server.log' -w -t 60 -m fast "
             "%s >/dev/null 2>&1",
             geteuid() == 0 ? "runuser -u postgres -- " : "", p->pgdata, p->dir, action);
    return system(cmd) == 0 ? 0 : -1;
}

static int private_start(private_pg_t *p)
{
    memset(p, 0, sizeof *p);
    const char *src = getenv("PGOPT_SOURCE_DIR");
    if (!src) {
        fprintf(stderr, "planted: PGOPT_SOURCE_DIR not set (ctest and bench/ai_attribution.sh "
                        "set it): the restart scenario needs scripts/pg-sandbox.sh\n");
        return -1;
    }
    snprintf(p->dir, sizeof p->dir, "/tmp/pgopt-planted-restart-XXXXXX");
    /* the server runs as postgres, which must reach the directory */
    if (!mkdtemp(p->dir) || chmod(p->dir, 0755) != 0)
        return -1;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s/scripts/pg-sandbox.sh' start '%s/pg' >'%s/sandbox.log' 2>&1",
             src, p->dir, p->dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "planted: cannot start a private PostgreSQL (see %s/sandbox.log)\n",
                p->dir);
        return -1;
    }
    p->started = 1;
    char env[400], line[1024];
    snprintf(env, sizeof env, "%s/pg/env", p->dir);
    FILE *f = fopen(env, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!strncmp(line, "PGHOST=", 7))
            snprintf(p->host, sizeof p->host, "%s", line + 7);
        else if (!strncmp(line, "PGPORT=", 7))
            snprintf(p->port, sizeof p->port, "%s", line + 7);
        else if (!strncmp(line, "PGDATA=", 7))
            snprintf(p->pgdata, sizeof p->pgdata, "%s", line + 7);
    }
    fclose(f);
    return p->host[0] && p->port[0] && p->pgdata[0] ? 0 : -1;
}

static void private_stop(private_pg_t *p)
{
    if (!p->started)
        return;
    /* A restart changed the postmaster's pid (which pg-sandbox.sh stops
     * by): stop it by its data directory first. */
    private_pg_ctl(p, "stop");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "'%s/scripts/pg-sandbox.sh' stop '%s/pg' >/dev/null 2>&1; rm -rf '%s'",
             getenv("PGOPT_SOURCE_DIR"), p->dir, p->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "planted: could not remove %s\n", p->dir);
    p->started = 0;
}

static PGconn *private_connect(const private_pg_t *p, const char *db)
{
    char ci[1200];
    snprintf(ci, sizeof ci, "host=%s port=%s user=postgres dbname=%s", p->host, p->port, db);
    PGconn *c = PQconnectdb(ci);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "planted: connect to the private server: %s", PQerrorMessage(c));
        abort();
    }
    return c;
}

static void run_work(PGconn *c, const char *const *work, int reps)
{
    for (int k = 0; k < 3 && work[k]; k++)
        for (int r = 0; r < reps; r++)
            pgtest_exec(c, work[k]);
}

/* Every finding of the agent: {kind, query, cause, summary}. */
static void findings(const json_t *out, json_t *list)
{
    const json_t *ml = json_object_get(out, "ml_insights");
    static const char *const kinds[] = {"regressions", "improvements", "anomalies"};
    for (int k = 0; k < 3; k++) {
        size_t i;
        const json_t *f;
        json_array_foreach(json_object_get(ml, kinds[k]), i, f)
        {
            const json_t *cause = json_object_get(f, "cause");
            json_array_append_new(
                list, json_pack("{s:s, s:s, s:s, s:s}", "kind",
                                k == 0   ? "regression"
                                : k == 1 ? "improvement"
                                         : "anomaly",
                                "query",
                                json_string_value(json_object_get(f, "query"))
                                    ? json_string_value(json_object_get(f, "query"))
                                    : "",
                                "cause",
                                json_string_value(json_object_get(cause, "cause"))
                                    ? json_string_value(json_object_get(cause, "cause"))
                                    : "(none)",
                                "summary",
                                json_string_value(json_object_get(cause, "summary"))
                                    ? json_string_value(json_object_get(cause, "summary"))
                                    : ""));
        }
    }
}

/* PGOPT_PLANTED_KEEP=DIR keeps every scenario's snapshot (with its
 * history) as DIR/planted-<pid>-<run>-<scenario>.json, so that a miss seen
 * once can be analysed again offline (the agent is deterministic on a
 * given snapshot). */
static void keep_snapshot(const json_t *snap, const char *name, int idx)
{
    static int run;
    const char *dir = getenv("PGOPT_PLANTED_KEEP");
    if (!dir || !*dir)
        return;
    if (idx == 0)
        run++;
    char path[4096];
    snprintf(path, sizeof path, "%s/planted-%d-%d-%d.json", dir, (int)getpid(), run, idx);
    if (json_dump_file(snap, path, JSON_COMPACT) != 0)
        fprintf(stderr, "planted %s: cannot keep the snapshot in %s\n", name, path);
}

static int run_one(const scenario_t *sc, int idx, planted_result_t *res, int verbose)
{
    memset(res, 0, sizeof *res);
    res->name = sc->name;
    res->expect_kind = sc->expect_kind;
    res->expect_query = sc->expect_query;
    res->expect_cause = sc->expect_cause;
    res->expect_event = sc->restart ? "restart" : NULL;
    char db[64], conninfo[1200];
    snprintf(db, sizeof db, "pgopt_planted_%d_%d", idx, (int)getpid());
    private_pg_t priv = {0};
    PGconn *c;
    if (sc->restart) {
        if (private_start(&priv) != 0) {
            private_stop(&priv);
            return -1;
        }
        PGconn *pc = private_connect(&priv, "postgres");
        char sql[128];
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
        pgtest_exec(pc, sql);
        PQfinish(pc);
        snprintf(conninfo, sizeof conninfo, "host=%s port=%s user=postgres dbname=%s", priv.host,
                 priv.port, db);
        c = private_connect(&priv, db);
    } else {
        if (pgtest_create_db(db) != 0 || pgtest_conninfo(db, conninfo, sizeof conninfo) != 0)
            return -1;
        c = pgtest_connect(db);
    }
    pgtest_exec(c, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    pgtest_exec(c, sc->setup);
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = conninfo;
    o.cpus = 2;
    o.memory_bytes = (int64_t)4 << 30;
    o.storage = "ssd";
    /* A steady workload runs on a warm cache: one round before the first
     * snapshot. */
    run_work(c, sc->work, sc->reps);
    json_t *hist = json_array(), *snap = NULL;
    err_t err;
    int rc = 0;
    for (int k = 0; k <= BEFORE + AFTER; k++) {
        if (k == BEFORE + 1 && sc->restart) {
            PQfinish(c);
            if (private_pg_ctl(&priv, "restart") != 0) {
                fprintf(stderr, "planted %s: pg_ctl restart failed (see %s/pg/server.log)\n",
                        sc->name, priv.dir);
                c = NULL;
                rc = -1;
                break;
            }
            c = private_connect(&priv, db);
        } else if (k == BEFORE + 1) {
            char change[512];
            snprintf(change, sizeof change, sc->change, db); /* %s: the database's name */
            pgtest_exec(c, change);
            if (sc->reconnect) {
                PQfinish(c);
                c = pgtest_connect(db);
            }
        }
        if (k > 0) {
            run_work(c, sc->work, sc->reps);
            if (k > BEFORE)
                run_work(c, sc->work_after, sc->reps_after);
        }
        /* The workload's table and database counters reach the shared
         * statistics at most once a second (PostgreSQL 15 flushes a
         * backend's pending counters every PGSTAT_MIN_INTERVAL), so a
         * snapshot taken right after the work could see them one interval
         * late (measured: seq_scan trailing by one interval, n_live_tup 0
         * after ANALYZE). pg_stat_force_next_flush() makes this session
         * flush before it answers: the snapshot then sees all the work of
         * its interval. pg_stat_statements is written at once. */
        pgtest_exec(c, "SELECT pg_stat_force_next_flush()");
        json_decref(snap);
        snap = NULL;
        json_t *rec = NULL;
        if (collect_snapshot(&o, &snap, &err) != 0 ||
            history_record_from_snapshot(snap, &rec, &err) != 0) {
            fprintf(stderr, "planted %s: %s\n", sc->name, err.msg);
            rc = -1;
            break;
        }
        json_array_append_new(hist, history_entry_from_record(json_object_get(rec, "header"),
                                                              json_object_get(rec, "body"), 1));
        json_decref(rec);
    }
    PQfinish(c);
    private_stop(&priv);
    if (rc != 0) {
        json_decref(hist);
        json_decref(snap);
        return -1;
    }
    json_object_set_new(snap, "history", hist);
    json_t *out = NULL;
    if (ai_tuning_analyze(snap, NULL, NULL, NULL, &out, &err) != 0) {
        fprintf(stderr, "planted %s: analyze: %s\n", sc->name, err.msg);
        json_decref(snap);
        return -1;
    }
    keep_snapshot(snap, sc->name, idx);
    /* The restart recognised as such: the postmaster start time moved
     * between two entries, after the BEFORE-th. */
    const json_t *restarts =
        json_object_get(json_object_get(json_object_get(out, "evidence"), "history"), "restarts");
    res->recognised = sc->restart && json_array_size(restarts) == 1;
    json_t *list = json_array();
    findings(out, list);
    size_t i;
    const json_t *f;
    json_array_foreach(list, i, f)
    {
        const char *kind = json_string_value(json_object_get(f, "kind"));
        const char *q = json_string_value(json_object_get(f, "query"));
        const char *cause = json_string_value(json_object_get(f, "cause"));
        int match = sc->expect_kind && !strcmp(kind, sc->expect_kind) &&
                    (!sc->expect_query || strstr(q, sc->expect_query)) && !res->detected;
        if (match) {
            res->detected = 1;
            res->attributed = sc->expect_cause && !strcmp(cause, sc->expect_cause);
            snprintf(res->got_cause, sizeof res->got_cause, "%s", cause);
            snprintf(res->summary, sizeof res->summary, "%s",
                     json_string_value(json_object_get(f, "summary")));
        } else {
            res->false_found++;
            if (!res->got_cause[0])
                snprintf(res->got_cause, sizeof res->got_cause, "unexpected %s", kind);
            if (!res->summary[0])
                snprintf(res->summary, sizeof res->summary, "%.120s: %s", q,
                         json_string_value(json_object_get(f, "summary")));
        }
    }
    if (verbose && (!res->detected != !sc->expect_kind || !res->attributed != !sc->expect_cause ||
                    res->false_found || !res->recognised != !sc->restart)) {
        char *n = json_dumps(json_object_get(out, "notes"), JSON_INDENT(1));
        fprintf(stderr, "planted %s: notes:\n%s\n", sc->name, n ? n : "");
        free(n);
        char *d = json_dumps(json_object_get(out, "ml_insights"), JSON_INDENT(1));
        fprintf(stderr, "planted %s: ml_insights:\n%s\n", sc->name, d ? d : "");
        free(d);
        /* The expected statement's per-interval means, to see why. */
        double pc = 0, pt = 0;
        fprintf(stderr, "planted %s: per-interval mean ms of '%s':", sc->name,
                sc->expect_query ? sc->expect_query : "-");
        json_array_foreach(json_object_get(snap, "history"), i, f)
        {
            size_t j;
            const json_t *row;
            const json_t *stmts = json_object_get(snap, "statements");
            json_array_foreach(stmts, j, row)
            {
                const char *q = json_string_value(json_object_get(row, "query"));
                if (!q || !sc->expect_query || !strstr(q, sc->expect_query))
                    continue;
                json_int_t qid = json_integer_value(json_object_get(row, "queryid"));
                size_t k;
                const json_t *hr;
                json_array_foreach(json_object_get(f, "statements"), k, hr)
                {
                    if (json_integer_value(json_object_get(hr, "queryid")) != qid)
                        continue;
                    double cl = json_number_value(json_object_get(hr, "calls"));
                    double tt = json_number_value(json_object_get(hr, "total_exec_time"));
                    if (cl > pc)
                        fprintf(stderr, " %.3g", (tt - pt) / (cl - pc));
                    pc = cl;
                    pt = tt;
                }
            }
        }
        fprintf(stderr, "\n");
    }
    json_decref(list);
    json_decref(out);
    json_decref(snap);
    return 0;
}

int planted_run_all(planted_result_t *results, size_t max, int verbose)
{
    size_t n = 0;
    for (int i = 0; i < NSCEN && n < max; i++) {
        if (run_one(&SCENARIOS[i], i, &results[n], verbose) != 0)
            return -1;
        n++;
    }
    return (int)n;
}

int planted_report(const planted_result_t *r, size_t n)
{
    int planted = 0, det_tp = 0, det_fp = 0, attr_tp = 0, lookalike_fp = 0;
    int events = 0, recognised = 0;
    printf("%-32s %-10s %-9s %-10s %-18s %s\n", "scenario", "expected", "detected", "extra",
           "cause", "summary");
    for (size_t i = 0; i < n; i++) {
        printf("%-32s %-10s %-9s %-10d %-18s %.160s\n", r[i].name,
               r[i].expect_cause ? r[i].expect_cause : "nothing",
               r[i].expect_kind ? (r[i].detected ? "yes" : "NO") : "-", r[i].false_found,
               r[i].got_cause[0] ? r[i].got_cause : "-", r[i].summary);
        if (r[i].expect_kind) {
            planted++;
            det_tp += r[i].detected;
            attr_tp += r[i].attributed;
        } else {
            lookalike_fp += r[i].false_found;
        }
        det_fp += r[i].false_found;
        if (r[i].expect_event) {
            events++;
            recognised += r[i].recognised;
            if (!r[i].recognised)
                printf("%-32s %s NOT recognised\n", r[i].name, r[i].expect_event);
        }
    }
    double dp = det_tp + det_fp ? (double)det_tp / (det_tp + det_fp) : 1.0;
    double dr = planted ? (double)det_tp / planted : 1.0;
    /* Attribution: of the findings reported for planted changes, how many
     * name the planted cause (precision); of the planted changes, how many
     * are found with their cause (recall). */
    double ap = det_tp ? (double)attr_tp / det_tp : 1.0;
    double ar = planted ? (double)attr_tp / planted : 1.0;
    printf("detection:   precision %.3f recall %.3f (%d planted, %d found, %d extra)\n", dp, dr,
           planted, det_tp, det_fp);
    printf("attribution: precision %.3f recall %.3f\n", ap, ar);
    printf("look-alikes reported: %d\n", lookalike_fp);
    printf("events recognised (restart: postmaster start time moved): %d of %d\n", recognised,
           events);
    return dp == 1.0 && dr == 1.0 && ap == 1.0 && ar == 1.0 && lookalike_fp == 0 &&
           recognised == events;
}
