/* test_apply_scratch.c - the config tuner end to end on a real server: a
 * scratch PostgreSQL 15 of its own (scripts/pg-sandbox.sh; never the shared
 * fixture, because ALTER SYSTEM writes postgresql.auto.conf into the data
 * directory), a snapshot built from that server's pg_settings, tables,
 * pg_stat_statements and WAL counters, the agent's apply_script executed
 * statement by statement, a restart for the postmaster settings, every
 * recommended value checked with SHOW, then rollback_script and a restart,
 * and every value checked back to what it was. */
#include <libpq-fe.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "coordinator/collect/collect.h"
#include "workers/config_tuner/config_tuner.h"

static char scratch_dir[256];
static char sandbox_script[1024];
static char conninfo[1024];
static char pgdata[600];
static int started;

static int read_env(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[700], host[600] = "", port[32] = "";
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "PGHOST=", 7))
            snprintf(host, sizeof host, "%s", line + 7);
        else if (!strncmp(line, "PGPORT=", 7))
            snprintf(port, sizeof port, "%s", line + 7);
        else if (!strncmp(line, "PGDATA=", 7))
            snprintf(pgdata, sizeof pgdata, "%s", line + 7);
    }
    fclose(f);
    if (!host[0] || !port[0] || !pgdata[0])
        return -1;
    snprintf(conninfo, sizeof conninfo, "host=%s port=%s user=postgres dbname=postgres", host,
             port);
    return 0;
}

static int group_setup(void **state)
{
    (void)state;
    const char *src = getenv("PGOPT_SOURCE_DIR");
    if (!src) {
        fprintf(stderr, "PGOPT_SOURCE_DIR not set (run through ctest)\n");
        return -1;
    }
    snprintf(sandbox_script, sizeof sandbox_script, "%s/scripts/pg-sandbox.sh", src);
    snprintf(scratch_dir, sizeof scratch_dir, "/tmp/pgopt-config-tuner-XXXXXX");
    if (!mkdtemp(scratch_dir))
        return -1;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' start '%s' >/dev/null 2>&1", sandbox_script, scratch_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot start a scratch PostgreSQL in %s\n", scratch_dir);
        return -1;
    }
    started = 1;
    char env[400];
    snprintf(env, sizeof env, "%s/env", scratch_dir);
    return read_env(env);
}

static int pg_ctl(const char *action)
{
    char cmd[2048];
    const char *as = geteuid() == 0 ? "runuser -u postgres -- " : "";
    snprintf(cmd, sizeof cmd,
             "%s/usr/lib/postgresql/15/bin/pg_ctl -D '%s' -l '%s/server.log' -w -t 60 -m fast %s "
             ">/dev/null 2>&1",
             as, pgdata, scratch_dir, action);
    return system(cmd);
}

static int group_teardown(void **state)
{
    (void)state;
    if (!started)
        return 0;
    /* A restart changed the postmaster's pid, so stop it by data directory
     * before the sandbox script removes the directory. */
    pg_ctl("stop");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' stop '%s' >/dev/null 2>&1", sandbox_script, scratch_dir);
    int rc = system(cmd);
    started = 0;
    return rc == 0 ? 0 : -1;
}

static PGconn *connect_scratch(void)
{
    PGconn *c = NULL;
    for (int i = 0; i < 50; i++) {
        c = PQconnectdb(conninfo);
        if (PQstatus(c) == CONNECTION_OK)
            break;
        PQfinish(c);
        c = NULL;
        usleep(100000);
    }
    if (!c)
        fail_msg("cannot connect to the scratch server (%s)", conninfo);
    PQsetNoticeProcessor(c, NULL, NULL);
    return c;
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
        PQclear(r);
        fail_msg("SQL failed: %s--- %s", msg, sql);
    }
    PQclear(r);
}

static json_t *query_json(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
        PQclear(r);
        fail_msg("query failed: %s--- %s", msg, sql);
    }
    json_error_t e;
    json_t *doc = PQgetisnull(r, 0, 0) ? json_array() : json_loads(PQgetvalue(r, 0, 0), 0, &e);
    PQclear(r);
    if (!doc)
        fail_msg("bad JSON from %s: %s", sql, e.text);
    return doc;
}

static char *show(PGconn *c, const char *name)
{
    const char *params[1] = {name};
    PGresult *r = PQexecParams(c, "SELECT current_setting($1)", 1, NULL, params, NULL, NULL, 0);
    char *v = NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
        v = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    if (!v)
        fail_msg("SHOW %s failed", name);
    return v;
}

/* A workload worth tuning: a 1M-row table (per-table autovacuum advice:
 * the default would wait for 200k dead rows), a table updated twice over
 * within seconds (no advice: at that rate a lower threshold would vacuum it
 * more often than every 5 minutes), a sort that spills to temp files (SET
 * LOCAL keeps it out of the session-feature list), and plain lookups. */
static void make_workload(PGconn *c)
{
    exec_ok(c, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    exec_ok(c, "DROP TABLE IF EXISTS public.big, public.churny");
    exec_ok(c, "CREATE TABLE public.big (id int, v int) WITH (autovacuum_enabled = off)");
    exec_ok(c, "INSERT INTO public.big SELECT g, g FROM generate_series(1, 1000000) g");
    exec_ok(c, "CREATE TABLE public.churny (id int PRIMARY KEY, v int, pad text)");
    exec_ok(c, "INSERT INTO public.churny SELECT g, 0, repeat('x', 100) FROM "
               "generate_series(1, 20000) g");
    exec_ok(c, "ANALYZE public.big");
    exec_ok(c, "ANALYZE public.churny");
    exec_ok(c, "SELECT pg_stat_statements_reset()");
    exec_ok(c, "UPDATE public.churny SET v = v + 1");
    exec_ok(c, "UPDATE public.churny SET v = v + 1");
    for (int i = 0; i < 3; i++) {
        exec_ok(c, "BEGIN");
        exec_ok(c, "SET LOCAL work_mem = '64kB'");
        exec_ok(c, "SELECT * FROM public.churny ORDER BY pad DESC, v, id");
        exec_ok(c, "COMMIT");
    }
    for (int i = 0; i < 50; i++)
        exec_ok(c, "SELECT v FROM public.churny WHERE id = 42");
    exec_ok(c, "SELECT pg_stat_force_next_flush()");
    exec_ok(c, "SELECT 1"); /* the flush happens at the end of a statement */
}

static json_t *build_snapshot(PGconn *c)
{
    json_t *snap = json_object();
    json_t *meta = query_json(
        c, "SELECT json_build_object('format_version', 1, 'collected_at', "
           "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
           "'server_version_num', current_setting('server_version_num')::int, 'database', "
           "current_database(), 'stats_reset', json_build_object('pg_stat_statements', "
           "(SELECT to_char(stats_reset AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
           "FROM pg_stat_statements_info)))");
    json_object_set_new(snap, "meta", meta);
    /* The test states the hardware, as a user passes --memory/--cpus. */
    json_object_set_new(snap, "host",
                        json_pack("{s:i, s:I, s:s, s:{s:s, s:s, s:s}}", "cpus", 4, "memory_bytes",
                                  (json_int_t)2 * 1024 * 1024 * 1024, "storage", "ssd", "sources",
                                  "cpus", "flag", "memory_bytes", "flag", "storage", "flag"));
    json_object_set_new(
        snap, "settings",
        query_json(c, "SELECT json_agg(json_build_object('name', name, 'setting', setting, "
                      "'unit', unit, 'vartype', vartype, 'source', source, 'context', context, "
                      "'boot_val', boot_val, 'reset_val', reset_val, 'pending_restart', "
                      "pending_restart, 'sourcefile', sourcefile)) FROM pg_settings"));
    json_object_set_new(
        snap, "tables",
        query_json(c, "SELECT json_agg(json_build_object('schema', s.schemaname, 'name', "
                      "s.relname, 'reltuples', c.reltuples, 'n_live_tup', s.n_live_tup, "
                      "'n_dead_tup', s.n_dead_tup, 'n_tup_upd', s.n_tup_upd, 'n_tup_del', "
                      "s.n_tup_del, 'n_tup_ins', s.n_tup_ins, 'reloptions', c.reloptions)) "
                      "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"));
    json_object_set_new(
        snap, "statements",
        query_json(c, "SELECT json_agg(json_build_object('queryid', queryid, 'query', query, "
                      "'calls', calls, 'total_exec_time', total_exec_time, 'mean_exec_time', "
                      "mean_exec_time, 'shared_blks_hit', shared_blks_hit, 'shared_blks_read', "
                      "shared_blks_read, 'temp_blks_written', temp_blks_written)) FROM "
                      "pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE "
                      "datname = current_database())"));
    json_object_set_new(
        snap, "bgwriter",
        query_json(c, "SELECT json_build_object('checkpoints_timed', b.checkpoints_timed, "
                      "'checkpoints_req', b.checkpoints_req, 'seconds_since_reset', "
                      "extract(epoch FROM now() - b.stats_reset)::float8, 'wal', "
                      "json_build_object('wal_records', w.wal_records, 'wal_fpi', w.wal_fpi, "
                      "'wal_bytes', w.wal_bytes::bigint)) FROM pg_stat_bgwriter b, pg_stat_wal w"));
    return snap;
}

typedef struct {
    char name[128];
    char recommended[128];
    char *before;
} change_t;

static size_t collect_changes(json_t *out, change_t *changes, size_t max)
{
    size_t n = 0;
    const char *g;
    json_t *grp;
    json_object_foreach(json_object_get(out, "postgresql"), g, grp)
    {
        const char *k;
        json_t *e;
        json_object_foreach(grp, k, e)
        {
            if (!json_is_true(json_object_get(e, "change")) || n >= max)
                continue;
            snprintf(changes[n].name, sizeof changes[n].name, "%s", k);
            snprintf(changes[n].recommended, sizeof changes[n].recommended, "%s",
                     json_string_value(json_object_get(e, "recommended")));
            changes[n].before = NULL;
            n++;
        }
    }
    return n;
}

/* Runs a script one statement per line (ALTER SYSTEM refuses to run inside
 * the implicit transaction of a multi-statement query). */
static int run_script(PGconn *c, const char *script)
{
    char *copy = strdup(script);
    int statements = 0;
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        if (!line[0] || !strncmp(line, "--", 2))
            continue;
        exec_ok(c, line);
        statements++;
    }
    free(copy);
    return statements;
}

static char *reloptions(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class "
                            "WHERE oid = 'public.big'::regclass");
    char *v = PQntuples(r) == 1 ? strdup(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    return v;
}

/* Agent on snap, apply, restart, check, rollback, restart, check. With
 * pg_settings.sourcefile in the snapshot every rolled back value is a RESET
 * and postgresql.auto.conf ends empty; without it, values that came from
 * postgresql.conf are written back explicitly, so auto.conf may only hold
 * those. */
static void apply_rollback_cycle(PGconn **conn, json_t *snap)
{
    PGconn *c = *conn;
    json_t *out = NULL;
    err_t err = {{0}};
    if (config_tuner_analyze(snap, NULL, NULL, NULL, &out, &err) != 0)
        fail_msg("agent failed: %s", err.msg);
    if (getenv("PGOPT_TEST_DUMP")) {
        char *s1 = json_dumps(snap, JSON_INDENT(1)), *s2 = json_dumps(out, JSON_INDENT(1));
        fprintf(stderr, "snapshot: %s\nresult: %s\n", s1, s2);
        free(s1);
        free(s2);
    }

    int with_sourcefile = 0;
    size_t si;
    json_t *srow;
    json_array_foreach(json_object_get(snap, "settings"), si,
                       srow) if (json_is_string(json_object_get(srow, "sourcefile")))
        with_sourcefile = 1;

    change_t changes[64];
    size_t n = collect_changes(out, changes, 64);
    /* 2GB, 4 CPUs, SSD against initdb defaults: at least shared_buffers,
     * effective_cache_size, maintenance_work_mem, random_page_cost. */
    assert_true(n >= 4);
    for (size_t i = 0; i < n; i++)
        changes[i].before = show(c, changes[i].name);
    char *rel_before = reloptions(c);
    assert_string_equal(rel_before, "autovacuum_enabled=off");

    /* The churned table got per-table advice. */
    json_t *pt = json_object_get(out, "per_table");
    int big_advised = 0;
    size_t pi;
    json_t *pe;
    json_array_foreach(pt, pi, pe) big_advised |=
        !strcmp(json_string_value(json_object_get(pe, "table")), "public.big");
    assert_true(big_advised);
    /* The spilling sort was measured (its temp files are in the evidence). */
    json_t *m = json_object_get(
        json_object_get(json_object_get(json_object_get(out, "postgresql"), "memory"), "work_mem"),
        "measured");
    assert_true(json_integer_value(json_object_get(m, "spilling_statements")) >= 1);
    assert_true(json_real_value(json_object_get(m, "largest_spill_per_call_bytes")) > 1e6);

    const char *apply = json_string_value(json_object_get(out, "apply_script"));
    int applied = run_script(c, apply);
    assert_int_equal(applied, (int)n + (int)json_array_size(pt) + 1 /* reload */);
    PQfinish(c);
    if (json_array_size(json_object_get(out, "restart_required")) > 0)
        assert_int_equal(pg_ctl("restart"), 0);
    /* pg_reload_conf() only signals the postmaster: a backend started
     * before it has re-read the file may still show the old values. Wait
     * for the event - a new connection showing every recommended value -
     * for at most 10 s, instead of sleeping a guessed 300 ms. */
    for (int attempt = 0;; attempt++) {
        c = connect_scratch();
        size_t bad = n;
        char *seen = NULL;
        for (size_t i = 0; i < n && bad == n; i++) {
            char *now = show(c, changes[i].name);
            if (strcmp(now, changes[i].recommended) != 0) {
                bad = i;
                seen = now;
            } else {
                free(now);
            }
        }
        if (bad == n)
            break;
        if (attempt >= 500)
            fail_msg("%s: SHOW says %s 10 s after apply, recommended %s", changes[bad].name, seen,
                     changes[bad].recommended);
        free(seen);
        PQfinish(c);
        usleep(20000);
    }
    char *rel_after = reloptions(c);
    assert_non_null(strstr(rel_after, "autovacuum_vacuum_scale_factor=0.01"));
    assert_non_null(strstr(rel_after, "autovacuum_enabled=off"));
    free(rel_after);

    const char *rollback = json_string_value(json_object_get(out, "rollback_script"));
    run_script(c, rollback);
    PQfinish(c);
    assert_int_equal(pg_ctl("restart"), 0);
    c = connect_scratch();
    for (size_t i = 0; i < n; i++) {
        char *now = show(c, changes[i].name);
        if (strcmp(now, changes[i].before) != 0)
            fail_msg("%s: SHOW says %s after rollback, was %s", changes[i].name, now,
                     changes[i].before);
        free(now);
        free(changes[i].before);
    }
    char *rel_restored = reloptions(c);
    assert_string_equal(rel_restored, rel_before);
    free(rel_restored);
    free(rel_before);
    /* Nothing left in postgresql.auto.conf. */
    char *pending = NULL;
    PGresult *r = PQexec(c, "SELECT count(*) FROM pg_file_settings WHERE sourcefile LIKE "
                            "'%postgresql.auto.conf'");
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        pending = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    assert_non_null(pending);
    if (with_sourcefile) {
        assert_string_equal(pending, "0");
    } else {
        PGresult *names = PQexec(c, "SELECT name FROM pg_file_settings WHERE sourcefile LIKE "
                                    "'%postgresql.auto.conf'");
        for (int i = 0; i < PQntuples(names); i++) {
            char want[200];
            snprintf(want, sizeof want, "ALTER SYSTEM SET %s = ", PQgetvalue(names, i, 0));
            if (!strstr(rollback, want))
                fail_msg("%s left in postgresql.auto.conf without an explicit rollback",
                         PQgetvalue(names, i, 0));
        }
        PQclear(names);
        exec_ok(c, "ALTER SYSTEM RESET ALL");
        exec_ok(c, "SELECT pg_reload_conf()");
    }
    free(pending);
    json_decref(out);
    *conn = c;
}

static void test_apply_and_rollback(void **state)
{
    (void)state;
    PGconn *c = connect_scratch();
    make_workload(c);
    json_t *snap = build_snapshot(c);
    apply_rollback_cycle(&c, snap);
    PQfinish(c);
    json_decref(snap);
}

/* The same cycle on the snapshot the real collector takes. */
static void test_collector_snapshot(void **state)
{
    (void)state;
    PGconn *c = connect_scratch();
    make_workload(c);
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = conninfo;
    o.cpus = 4;
    o.memory_bytes = 2LL * 1024 * 1024 * 1024;
    o.storage = "ssd";
    json_t *snap = NULL;
    err_t err = {{0}};
    if (collect_snapshot(&o, &snap, &err) != 0)
        fail_msg("collect_snapshot: %s", err.msg);
    apply_rollback_cycle(&c, snap);
    PQfinish(c);
    json_decref(snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_and_rollback),
        cmocka_unit_test(test_collector_snapshot),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
