/* test_config_tuner.c - the config tuner agent on hand-built snapshots: the
 * output shape, the deviations from PGTune with their evidence, autovacuum
 * per-table rules, pool sizing arithmetic, session features, scripts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "workers/config_tuner/config_tuner.h"

#define GB (1024LL * 1024 * 1024)
#define MB (1024LL * 1024)

static json_t *setting(const char *name, const char *value, const char *unit, const char *vartype,
                       const char *context, const char *source)
{
    return json_pack("{s:s, s:s, s:s?, s:s, s:s, s:s, s:b}", "name", name, "setting", value, "unit",
                     unit, "vartype", vartype, "context", context, "source", source,
                     "pending_restart", 0);
}

/* PostgreSQL 15 defaults (as pg_settings shows them) for the settings the
 * agent reads, plus max_connections from a configuration file. */
static json_t *default_settings(void)
{
    json_t *s = json_array();
    json_array_append_new(
        s, setting("shared_buffers", "16384", "8kB", "integer", "postmaster", "default"));
    json_array_append_new(
        s, setting("effective_cache_size", "524288", "8kB", "integer", "user", "default"));
    json_array_append_new(
        s, setting("maintenance_work_mem", "65536", "kB", "integer", "user", "default"));
    json_array_append_new(s, setting("work_mem", "4096", "kB", "integer", "user", "default"));
    json_array_append_new(
        s, setting("wal_buffers", "512", "8kB", "integer", "postmaster", "override"));
    json_array_append_new(s, setting("huge_pages", "try", NULL, "enum", "postmaster", "default"));
    json_array_append_new(
        s, setting("autovacuum_work_mem", "-1", "kB", "integer", "sighup", "default"));
    json_array_append_new(s, setting("max_wal_size", "1024", "MB", "integer", "sighup", "default"));
    json_array_append_new(s, setting("min_wal_size", "80", "MB", "integer", "sighup", "default"));
    json_array_append_new(
        s, setting("checkpoint_timeout", "300", "s", "integer", "sighup", "default"));
    json_array_append_new(
        s, setting("checkpoint_completion_target", "0.9", NULL, "real", "sighup", "default"));
    json_array_append_new(s,
                          setting("wal_compression", "off", NULL, "enum", "superuser", "default"));
    json_array_append_new(
        s, setting("max_connections", "100", NULL, "integer", "postmaster", "configuration file"));
    json_array_append_new(s, setting("superuser_reserved_connections", "3", NULL, "integer",
                                     "postmaster", "default"));
    json_array_append_new(
        s, setting("max_worker_processes", "8", NULL, "integer", "postmaster", "default"));
    json_array_append_new(
        s, setting("max_parallel_workers_per_gather", "2", NULL, "integer", "user", "default"));
    json_array_append_new(s,
                          setting("max_parallel_workers", "8", NULL, "integer", "user", "default"));
    json_array_append_new(
        s, setting("max_parallel_maintenance_workers", "2", NULL, "integer", "user", "default"));
    json_array_append_new(s, setting("random_page_cost", "4", NULL, "real", "user", "default"));
    json_array_append_new(
        s, setting("effective_io_concurrency", "1", NULL, "integer", "user", "default"));
    json_array_append_new(
        s, setting("default_statistics_target", "100", NULL, "integer", "user", "default"));
    json_array_append_new(s, setting("jit", "on", NULL, "bool", "user", "default"));
    json_array_append_new(
        s, setting("autovacuum_max_workers", "3", NULL, "integer", "postmaster", "default"));
    json_array_append_new(s,
                          setting("autovacuum_naptime", "60", "s", "integer", "sighup", "default"));
    json_array_append_new(
        s, setting("autovacuum_vacuum_scale_factor", "0.2", NULL, "real", "sighup", "default"));
    json_array_append_new(
        s, setting("autovacuum_analyze_scale_factor", "0.1", NULL, "real", "sighup", "default"));
    json_array_append_new(
        s, setting("autovacuum_vacuum_threshold", "50", NULL, "integer", "sighup", "default"));
    json_array_append_new(
        s, setting("autovacuum_vacuum_cost_limit", "-1", NULL, "integer", "sighup", "default"));
    json_array_append_new(
        s, setting("autovacuum_vacuum_cost_delay", "2", "ms", "real", "sighup", "default"));
    json_array_append_new(s,
                          setting("vacuum_cost_limit", "200", NULL, "integer", "user", "default"));
    json_array_append_new(s,
                          setting("idle_session_timeout", "0", "ms", "integer", "user", "default"));
    return s;
}

/* 16 GB, 4 CPUs, SSD, one hour of statistics, quiet WAL. */
static json_t *base_snapshot(void)
{
    json_t *snap = json_pack(
        "{s:{s:i, s:s, s:I, s:s, s:{s:s, s:s}},"
        " s:{s:i, s:I, s:s, s:{s:s, s:s, s:s}},"
        " s:{s:i, s:i, s:f, s:s, s:{s:I, s:I, s:I, s:s}},"
        " s:[], s:[]}",
        "meta", "format_version", 1, "collected_at", "2026-11-26T12:00:00Z", "server_version_num",
        (json_int_t)150018, "database", "app", "stats_reset", "database", "2026-11-26T11:00:00Z",
        "pg_stat_statements", "2026-11-26T11:00:00Z", "host", "cpus", 4, "memory_bytes",
        (json_int_t)(16 * GB), "storage", "ssd", "sources", "cpus", "flag", "memory_bytes", "flag",
        "storage", "flag", "bgwriter", "checkpoints_timed", 12, "checkpoints_req", 0,
        "seconds_since_reset", 3600.0, "stats_reset", "2026-11-26T11:00:00Z", "wal", "wal_records",
        (json_int_t)100000, "wal_fpi", (json_int_t)10, "wal_bytes", (json_int_t)(10 * MB),
        "stats_reset", "2026-11-26T11:00:00Z", "statements", "tables");
    assert_non_null(snap);
    json_object_set_new(snap, "settings", default_settings());
    return snap;
}

static json_t *statement(int64_t queryid, const char *query, double calls, double total_ms,
                         double temp_written, double blocks)
{
    return json_pack("{s:I, s:s, s:f, s:f, s:f, s:f, s:f, s:f}", "queryid", (json_int_t)queryid,
                     "query", query, "calls", calls, "total_exec_time", total_ms, "mean_exec_time",
                     total_ms / calls, "temp_blks_written", temp_written, "shared_blks_hit", blocks,
                     "shared_blks_read", 0.0);
}

static json_t *run(const json_t *snap, const config_tuner_options_t *opts)
{
    json_t *out = NULL;
    err_t err = {{0}};
    if (config_tuner_analyze(snap, opts, NULL, NULL, &out, &err) != 0)
        fail_msg("config_tuner_analyze failed: %s", err.msg);
    if (getenv("PGOPT_TEST_DUMP")) {
        char *s = json_dumps(out, JSON_INDENT(2));
        fprintf(stderr, "%s\n", s);
        free(s);
    }
    return out;
}

/* Dotted path lookup ("postgresql.memory.work_mem"); names with dots are
 * not used on this path. */
static json_t *at(json_t *doc, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *cur = doc;
    for (char *tok = strtok(buf, "."); tok && cur; tok = strtok(NULL, "."))
        cur = json_object_get(cur, tok);
    if (!cur)
        fail_msg("missing %s", path);
    return cur;
}

static const char *str_at(json_t *doc, const char *path)
{
    json_t *v = at(doc, path);
    if (json_is_null(v))
        return NULL;
    if (!json_is_string(v))
        fail_msg("%s is not a string", path);
    return json_string_value(v);
}

#define assert_contains(hay, needle)                                                               \
    do {                                                                                           \
        const char *h_ = (hay);                                                                    \
        if (!h_ || !strstr(h_, (needle)))                                                          \
            fail_msg("expected \"%s\" in: %s", (needle), h_ ? h_ : "(null)");                      \
    } while (0)

static int notes_contain(json_t *out, const char *needle)
{
    size_t i;
    json_t *n;
    json_array_foreach(json_object_get(out, "notes"), i,
                       n) if (strstr(json_string_value(n), needle)) return 1;
    return 0;
}

static void check_entry(const char *where, json_t *e, int pg_setting)
{
    static const char *keys[] = {"current",          "recommended", "reason", "unit",
                                 "restart_required", "doc",         "method"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (!json_object_get(e, keys[i]))
            fail_msg("%s: entry lacks \"%s\"", where, keys[i]);
    if (!json_is_string(json_object_get(e, "reason")) ||
        strlen(json_string_value(json_object_get(e, "reason"))) < 10)
        fail_msg("%s: reason missing or empty", where);
    if (!json_is_boolean(json_object_get(e, "restart_required")))
        fail_msg("%s: restart_required not a boolean", where);
    const char *m = json_string_value(json_object_get(e, "method"));
    if (!m || (strcmp(m, "pgtune") && strcmp(m, "measured") && strcmp(m, "rule")))
        fail_msg("%s: method %s", where, m ? m : "(none)");
    const char *doc = json_string_value(json_object_get(e, "doc"));
    if (!doc || strncmp(doc, "https://", 8) != 0)
        fail_msg("%s: doc link", where);
    if (pg_setting && strncmp(where, "timescaledb", 11) != 0 &&
        !strstr(doc, "postgresql.org/docs/15/runtime-config-"))
        fail_msg("%s: doc %s", where, doc);
}

static void test_shape_and_scripts(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    json_t *out = run(snap, NULL);
    assert_string_equal(str_at(out, "phase"), "OPTIMIZE");
    assert_string_equal(str_at(out, "agent"), "config_tuner");
    const char *groups[] = {"memory", "autovacuum", "checkpoints", "parallelism", "planner"};
    json_t *pg = at(out, "postgresql");
    for (size_t g = 0; g < 5; g++) {
        json_t *grp = json_object_get(pg, groups[g]);
        assert_true(json_is_object(grp));
        assert_true(json_object_size(grp) >= 2);
        const char *k;
        json_t *e;
        json_object_foreach(grp, k, e)
        {
            char where[128];
            snprintf(where, sizeof where, "%s.%s", groups[g], k);
            check_entry(where, e, 1);
        }
    }
    const char *sqla_keys[] = {"pool_size", "max_overflow", "pool_timeout", "pool_recycle",
                               "pool_pre_ping"};
    for (size_t i = 0; i < 5; i++)
        check_entry(sqla_keys[i], at(at(out, "sqlalchemy"), sqla_keys[i]), 0);
    const char *pgb_keys[] = {"pool_mode", "max_client_conn", "default_pool_size",
                              "reserve_pool_size"};
    for (size_t i = 0; i < 4; i++)
        check_entry(pgb_keys[i], at(at(out, "pgbouncer"), pgb_keys[i]), 0);
    assert_true(json_is_object(at(out, "timescaledb")));
    assert_int_equal(json_object_size(at(out, "timescaledb")), 0);
    assert_true(notes_contain(out, "TimescaleDB is not installed"));
    assert_true(json_is_array(at(out, "per_table")));
    assert_true(json_is_object(at(out, "evidence")));

    /* Current values in human units, seed examples. */
    assert_string_equal(str_at(out, "postgresql.memory.shared_buffers.current"), "128MB");
    assert_string_equal(str_at(out, "postgresql.memory.shared_buffers.recommended"), "4GB");
    assert_string_equal(str_at(out, "postgresql.memory.shared_buffers.unit"), "8kB");
    assert_true(json_is_true(at(out, "postgresql.memory.shared_buffers.restart_required")));
    assert_true(json_is_false(at(out, "postgresql.memory.work_mem.restart_required")));
    assert_string_equal(str_at(out, "postgresql.memory.work_mem.current"), "4MB");
    assert_string_equal(str_at(out, "postgresql.memory.effective_cache_size.current"), "4GB");
    assert_string_equal(str_at(out, "postgresql.memory.effective_cache_size.recommended"), "12GB");
    assert_string_equal(str_at(out, "postgresql.checkpoints.max_wal_size.current"), "1GB");
    assert_string_equal(str_at(out, "postgresql.autovacuum.autovacuum_naptime.current"), "1min");
    assert_string_equal(str_at(out, "postgresql.memory.shared_buffers.doc"),
                        "https://www.postgresql.org/docs/15/"
                        "runtime-config-resource.html#GUC-SHARED-BUFFERS");
    assert_string_equal(str_at(out, "postgresql.memory.effective_cache_size.doc"),
                        "https://www.postgresql.org/docs/15/"
                        "runtime-config-query.html#GUC-EFFECTIVE-CACHE-SIZE");
    assert_string_equal(str_at(out, "postgresql.checkpoints.max_wal_size.doc"),
                        "https://www.postgresql.org/docs/15/"
                        "runtime-config-wal.html#GUC-MAX-WAL-SIZE");
    assert_string_equal(str_at(out, "postgresql.autovacuum.autovacuum_naptime.doc"),
                        "https://www.postgresql.org/docs/15/"
                        "runtime-config-autovacuum.html#GUC-AUTOVACUUM-NAPTIME");
    /* Reason cites the hardware with its source. */
    assert_contains(str_at(out, "postgresql.memory.shared_buffers.reason"),
                    "16GB RAM (host.memory_bytes, source: flag)");
    /* Already right: listed, not changed. */
    assert_true(
        json_is_false(at(out, "postgresql.checkpoints.checkpoint_completion_target.change")));
    assert_string_equal(str_at(out, "postgresql.checkpoints.checkpoint_completion_target.current"),
                        "0.9");

    /* PGTune: one worker process per CPU (4), but never below the current 8. */
    assert_string_equal(str_at(out, "postgresql.parallelism.max_worker_processes.recommended"),
                        "8");
    assert_string_equal(str_at(out, "postgresql.parallelism.max_parallel_workers.recommended"),
                        "4");
    assert_string_equal(str_at(out, "postgresql.planner.jit.method"), "pgtune");
    const char *apply = str_at(out, "apply_script");
    const char *rollback = str_at(out, "rollback_script");
    assert_contains(apply, "ALTER SYSTEM SET shared_buffers = '4GB';\n");
    assert_contains(apply, "ALTER SYSTEM SET effective_cache_size = '12GB';\n");
    assert_contains(apply, "ALTER SYSTEM SET random_page_cost = '1.1';\n");
    assert_contains(apply, "ALTER SYSTEM SET jit = 'off';\n");
    assert_contains(apply, "take effect only after a server restart: shared_buffers");
    assert_null(strstr(apply, "checkpoint_completion_target"));
    const char *end = apply + strlen(apply);
    assert_non_null(strstr(apply, "SELECT pg_reload_conf();"));
    assert_true(strstr(apply, "SELECT pg_reload_conf();") > strstr(apply, "ALTER SYSTEM"));
    assert_true(end > apply);
    assert_contains(rollback, "ALTER SYSTEM RESET shared_buffers;\n");
    assert_contains(rollback, "ALTER SYSTEM RESET wal_buffers;\n"); /* source override */
    assert_contains(rollback, "SELECT pg_reload_conf();");
    json_t *restart = at(out, "restart_required");
    int has_sb = 0, has_wm = 0;
    size_t i;
    json_t *v;
    json_array_foreach(restart, i, v)
    {
        has_sb |= strcmp(json_string_value(v), "shared_buffers") == 0;
        has_wm |= strcmp(json_string_value(v), "work_mem") == 0;
    }
    assert_true(has_sb);
    assert_false(has_wm);
    json_decref(out);
    json_decref(snap);
}

static void test_work_mem_from_spills(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    json_t *st = json_object_get(snap, "statements");
    /* 25 MB per call (3200 blocks of 8 kB), half of all execution time, 50 ms
     * per call (neither short nor long: the profile stays web). */
    json_array_append_new(st, statement(4242, "SELECT * FROM orders ORDER BY created_at", 1000,
                                        50000, 1000 * 3200, 1000));
    json_array_append_new(st, statement(7, "SELECT 1", 1000000, 50000, 0, 0));
    json_t *out = run(snap, NULL);
    /* PGTune: 12582912 kB / ((100 + 4) * 3) = 40329kB; spill x2 = 50MB;
     * budget (16GB - 4GB) / (100 x 2) = 61MB. */
    assert_string_equal(str_at(out, "postgresql.memory.work_mem.recommended"), "50MB");
    assert_string_equal(str_at(out, "postgresql.memory.work_mem.method"), "measured");
    assert_string_equal(str_at(out, "postgresql.memory.work_mem.pgtune"), "40329kB");
    assert_string_equal(str_at(out, "postgresql.memory.work_mem.budget"), "61MB");
    const char *reason = str_at(out, "postgresql.memory.work_mem.reason");
    assert_contains(reason, "queryid 4242");
    assert_contains(reason, "25MB");
    assert_contains(reason, "50.0% of execution time");
    assert_contains(reason, "40329kB");
    json_decref(out);

    /* 100 MB per call: x2 = 200MB, capped at the 61MB budget. */
    json_t *s0 = json_array_get(st, 0);
    json_object_set_new(s0, "temp_blks_written", json_real(1000 * 12800));
    out = run(snap, NULL);
    assert_string_equal(str_at(out, "postgresql.memory.work_mem.recommended"), "61MB");
    assert_contains(str_at(out, "postgresql.memory.work_mem.reason"), "capped at the budget");
    json_decref(out);

    /* The same spill in a statement with 0.5% of the time does not count. */
    json_object_set_new(s0, "total_exec_time", json_real(250));
    json_object_set_new(s0, "mean_exec_time", json_real(0.25));
    out = run(snap, NULL);
    assert_string_equal(str_at(out, "postgresql.memory.work_mem.recommended"), "40329kB");
    assert_string_equal(str_at(out, "postgresql.memory.work_mem.method"), "pgtune");
    assert_contains(str_at(out, "postgresql.memory.work_mem.reason"), "1 minor statements spilled");
    json_decref(out);
    json_decref(snap);
}

static void test_checkpoints(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    json_t *bgw = json_object_get(snap, "bgwriter");
    /* Quiet WAL, timed checkpoints: 1GB is fine. */
    json_t *out = run(snap, NULL);
    assert_string_equal(str_at(out, "postgresql.checkpoints.max_wal_size.recommended"), "1GB");
    assert_true(json_is_false(at(out, "postgresql.checkpoints.max_wal_size.change")));
    assert_contains(str_at(out, "postgresql.checkpoints.max_wal_size.reason"), "fine");
    json_decref(out);

    /* Many requested checkpoints: doubled, counts cited. */
    json_object_set_new(bgw, "checkpoints_timed", json_integer(10));
    json_object_set_new(bgw, "checkpoints_req", json_integer(40));
    out = run(snap, NULL);
    assert_string_equal(str_at(out, "postgresql.checkpoints.max_wal_size.recommended"), "2GB");
    assert_string_equal(str_at(out, "postgresql.checkpoints.max_wal_size.method"), "measured");
    const char *reason = str_at(out, "postgresql.checkpoints.max_wal_size.reason");
    assert_contains(reason, "10 timed vs 40 requested");
    assert_contains(reason, "80% requested");
    json_decref(out);

    /* 10 GB of WAL in an hour: 853MB per 5 min x 1.9 x 1.5 = 2.4GB -> 3GB. */
    json_object_set_new(bgw, "checkpoints_req", json_integer(0));
    json_object_set_new(json_object_get(bgw, "wal"), "wal_bytes", json_integer(10 * GB));
    out = run(snap, NULL);
    assert_string_equal(str_at(out, "postgresql.checkpoints.max_wal_size.recommended"), "3GB");
    assert_string_equal(str_at(out, "postgresql.checkpoints.min_wal_size.recommended"), "1GB");
    assert_contains(str_at(out, "postgresql.checkpoints.max_wal_size.reason"),
                    "raised so that checkpoints are triggered by time");
    /* FPIs: 10 x 8kB of 10 GB is tiny: compression stays off. */
    assert_string_equal(str_at(out, "postgresql.checkpoints.wal_compression.recommended"), "off");
    json_decref(out);

    /* Full-page images are most of the WAL: lz4, share cited. */
    json_object_set_new(json_object_get(bgw, "wal"), "wal_fpi", json_integer(1000000));
    out = run(snap, NULL);
    assert_string_equal(str_at(out, "postgresql.checkpoints.wal_compression.recommended"), "lz4");
    assert_contains(str_at(out, "postgresql.checkpoints.wal_compression.reason"), "76.3%");
    json_decref(out);

    /* No bgwriter section: PGTune's profile value, said so. */
    json_object_del(snap, "bgwriter");
    out = run(snap, NULL);
    assert_string_equal(str_at(out, "postgresql.checkpoints.max_wal_size.recommended"), "4GB");
    assert_string_equal(str_at(out, "postgresql.checkpoints.max_wal_size.method"), "pgtune");
    assert_contains(str_at(out, "postgresql.checkpoints.max_wal_size.reason"), "lacks");
    json_decref(out);
    json_decref(snap);
}

static void test_no_host_memory(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    json_object_del(json_object_get(snap, "host"), "memory_bytes");
    json_t *out = run(snap, NULL);
    const char *mem[] = {"shared_buffers", "effective_cache_size", "maintenance_work_mem",
                         "work_mem", "wal_buffers"};
    for (size_t i = 0; i < 5; i++) {
        char path[128];
        snprintf(path, sizeof path, "postgresql.memory.%s.recommended", mem[i]);
        assert_true(json_is_null(at(out, path)));
        snprintf(path, sizeof path, "postgresql.memory.%s.reason", mem[i]);
        assert_contains(str_at(out, path), "host.memory_bytes");
        snprintf(path, sizeof path, "postgresql.memory.%s.current", mem[i]);
        assert_non_null(str_at(out, path));
    }
    assert_true(notes_contain(out, "no host.memory_bytes"));
    assert_null(strstr(str_at(out, "apply_script"), "shared_buffers"));
    /* The rest is still recommended. */
    assert_string_equal(str_at(out, "postgresql.planner.random_page_cost.recommended"), "1.1");
    json_decref(out);

    /* Mistyped: treated as missing, not a crash. */
    json_object_set_new(json_object_get(snap, "host"), "memory_bytes", json_string("lots"));
    out = run(snap, NULL);
    assert_true(json_is_null(at(out, "postgresql.memory.shared_buffers.recommended")));
    json_decref(out);
    json_decref(snap);
}

static json_t *table(const char *schema, const char *name, double reltuples, double dead,
                     double upd, double del, json_t *reloptions)
{
    json_t *t = json_pack("{s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:f}", "schema", schema, "name",
                          name, "reltuples", reltuples, "n_live_tup", reltuples, "n_dead_tup", dead,
                          "n_tup_upd", upd, "n_tup_del", del, "n_tup_ins", 0.0);
    json_object_set_new(t, "reloptions", reloptions ? reloptions : json_null());
    return t;
}

static json_t *per_table_entry(json_t *out, const char *name)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(out, "per_table"), i,
                       e) if (strcmp(json_string_value(json_object_get(e, "table")), name) ==
                              0) return e;
    return NULL;
}

static void test_autovacuum_per_table(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    json_t *tables = json_object_get(snap, "tables");
    /* 5M rows, 1M updates+deletes in the hour: 277.8 dead rows/s. */
    json_array_append_new(tables, table("public", "events", 5e6, 1e5, 8e5, 2e5, NULL));
    /* Small and quiet: left alone. */
    json_array_append_new(tables, table("public", "settings", 1000, 10, 5, 0, NULL));
    /* Already aggressive per-table settings: left alone. */
    json_array_append_new(tables, table("public", "ledger", 2e7, 0, 1e4, 0,
                                        json_pack("[s]", "autovacuum_vacuum_scale_factor=0.001")));
    /* 50k rows, 60% dead: bloated. */
    json_array_append_new(tables, table("app", "Sessions", 5e4, 7.5e4, 100, 0, NULL));
    /* 2M rows with a previous threshold only: rollback restores it. */
    json_array_append_new(tables, table("public", "orders", 2e6, 0, 0, 0,
                                        json_pack("[s]", "autovacuum_vacuum_threshold=1000000")));
    json_t *out = run(snap, NULL);
    assert_int_equal(json_array_size(at(out, "per_table")), 3);
    assert_null(per_table_entry(out, "public.settings"));
    assert_null(per_table_entry(out, "public.ledger"));

    json_t *ev = per_table_entry(out, "public.events");
    assert_non_null(ev);
    /* f = 0.01 (1M-10M rows); threshold = ceil(277.78 x 300 - 0.01 x 5M) = 33334. */
    assert_string_equal(json_string_value(json_object_get(ev, "apply")),
                        "ALTER TABLE public.events SET (autovacuum_vacuum_scale_factor = 0.01, "
                        "autovacuum_vacuum_threshold = 33334, "
                        "autovacuum_analyze_scale_factor = 0.005);");
    assert_string_equal(json_string_value(json_object_get(ev, "rollback")),
                        "ALTER TABLE public.events RESET (autovacuum_vacuum_scale_factor, "
                        "autovacuum_vacuum_threshold, autovacuum_analyze_scale_factor);");
    const char *reason = json_string_value(json_object_get(ev, "reason"));
    assert_contains(reason, "5000000 rows");
    assert_contains(reason, "277.78 dead rows/s");
    assert_contains(reason, "1000050 dead rows"); /* 50 + 0.2 x 5M now */
    assert_contains(reason, "83334 dead rows");   /* 33334 + 0.01 x 5M */
    assert_contains(reason, "about every 300 s");

    json_t *se = per_table_entry(out, "app.\"Sessions\"");
    assert_non_null(se);
    assert_contains(json_string_value(json_object_get(se, "apply")),
                    "ALTER TABLE app.\"Sessions\" SET (autovacuum_vacuum_scale_factor = 0.02");
    assert_contains(json_string_value(json_object_get(se, "reason")), "high dead-row ratio");

    json_t *oe = per_table_entry(out, "public.orders");
    assert_non_null(oe);
    assert_string_equal(json_string_value(json_object_get(oe, "rollback")),
                        "ALTER TABLE public.orders SET (autovacuum_vacuum_threshold = 1000000);\n"
                        "ALTER TABLE public.orders RESET (autovacuum_vacuum_scale_factor, "
                        "autovacuum_analyze_scale_factor);");
    const char *apply = str_at(out, "apply_script");
    const char *rollback = str_at(out, "rollback_script");
    assert_contains(apply, "ALTER TABLE public.events SET (");
    assert_contains(rollback, "ALTER TABLE public.events RESET (");
    /* Per-table statements come before the reload. */
    assert_true(strstr(apply, "ALTER TABLE") < strstr(apply, "SELECT pg_reload_conf()"));
    /* Cost limit: 277.8 + ... dead rows/s x 20 = ~5560 credits/s, well within
     * 200 per 2 ms = 100000 credits/s. */
    assert_string_equal(
        str_at(out, "postgresql.autovacuum.autovacuum_vacuum_cost_limit.recommended"), "-1");
    assert_contains(str_at(out, "postgresql.autovacuum.autovacuum_vacuum_cost_limit.reason"),
                    "fine");
    json_decref(out);

    /* Heavy churn everywhere: the cost limit is raised, arithmetic cited. */
    json_array_append_new(tables, table("public", "hot", 1e6, 0, 1.8e7, 0, NULL));
    out = run(snap, NULL);
    /* (1e6 + 1e4 + 100 + 1.8e7)/3600 = 5280.6 rows/s x 20 = 105612 credits/s;
     * x2 headroom x 2 ms / 1000 = 422.4 -> 500 (rounded up to 100s). */
    assert_string_equal(
        str_at(out, "postgresql.autovacuum.autovacuum_vacuum_cost_limit.recommended"), "500");
    assert_contains(str_at(out, "postgresql.autovacuum.autovacuum_vacuum_cost_limit.reason"),
                    "100000 credits/s");
    json_decref(out);
    json_decref(snap);
}

static json_t *app(const char *name, int count)
{
    return json_pack("{s:s, s:s, s:i}", "application_name", name, "state", "idle", "count", count);
}

static void test_pool_sizing(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    json_t *activity = json_pack("{s:i, s:[]}", "max_connections", 100, "by_application");
    json_t *by = json_object_get(activity, "by_application");
    json_array_append_new(by, app("web", 12));
    json_array_append_new(by, app("psql", 2));
    json_object_set_new(snap, "activity", activity);
    json_object_set_new(snap, "sqlalchemy",
                        json_pack("{s:[{s:s, s:i, s:s, s:{s:i, s:i}}]}", "engines", "file",
                                  "app/db.py", "line", 12, "url_expr", "settings.DATABASE_URL",
                                  "options", "pool_size", 5, "max_overflow", 10));
    json_t *out = run(snap, NULL);
    /* B = 4 x 2 + 0 = 8; P = ceil(12 / 5) = 3; pool = ceil(8/3) = 3, overflow 3. */
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.pool_size.current")), 5);
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.pool_size.recommended")), 3);
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.max_overflow.recommended")), 3);
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.app_processes")), 3);
    const char *reason = str_at(out, "sqlalchemy.pool_size.reason");
    assert_contains(reason, "CPUs 4 x 2 + spindles 0");
    assert_contains(reason, "12 application connections");
    assert_contains(reason, "3 x (3 + 3) = 18");
    assert_true(json_is_true(at(out, "sqlalchemy.pool_pre_ping.recommended")));
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.pool_timeout.recommended")), 30);
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.pool_recycle.recommended")), -1);
    assert_string_equal(str_at(out, "pgbouncer.pool_mode.current"), "not deployed");
    assert_string_equal(str_at(out, "pgbouncer.pool_mode.recommended"), "transaction");
    assert_int_equal(json_integer_value(at(out, "pgbouncer.default_pool_size.recommended")), 8);
    assert_int_equal(json_integer_value(at(out, "pgbouncer.reserve_pool_size.recommended")), 2);
    /* 2 x 3 x 6 = 36 < 100 -> PgBouncer's default 100. */
    assert_int_equal(json_integer_value(at(out, "pgbouncer.max_client_conn.recommended")), 100);
    assert_true(notes_contain(out, "PgBouncer: not deployed"));
    json_decref(out);

    /* Explicit process count, tight max_connections, 16 CPUs, an existing
     * PgBouncer: B = 32 capped at 20 - 3 = 17; pool = ceil(17/4) = 5 with
     * overflow 5 would be 40 > 17, so overflow 0 and pool 17/4 = 4. */
    json_t *s = json_object_get(snap, "settings");
    size_t i;
    json_t *row;
    json_array_foreach(
        s, i, row) if (!strcmp(json_string_value(json_object_get(row, "name")), "max_connections"))
        json_object_set_new(row, "setting", json_string("20"));
    json_object_set_new(json_object_get(snap, "host"), "cpus", json_integer(16));
    json_object_set_new(snap, "pgbouncer",
                        json_pack("{s:s, s:s, s:s, s:s, s:s}", "pool_mode", "session",
                                  "default_pool_size", "20", "max_client_conn", "100",
                                  "reserve_pool_size", "0", "client_idle_timeout", "600"));
    config_tuner_options_t opts = {.app_processes = 4};
    out = run(snap, &opts);
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.pool_size.recommended")), 4);
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.max_overflow.recommended")), 0);
    assert_int_equal(json_integer_value(at(out, "pgbouncer.default_pool_size.recommended")), 17);
    assert_int_equal(json_integer_value(at(out, "pgbouncer.default_pool_size.current")), 20);
    assert_int_equal(json_integer_value(at(out, "pgbouncer.reserve_pool_size.recommended")), 0);
    assert_string_equal(str_at(out, "pgbouncer.pool_mode.current"), "session");
    /* PgBouncer closes idle clients after 600 s: recycle at 540 s. */
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.pool_recycle.recommended")), 540);
    assert_contains(str_at(out, "sqlalchemy.pool_size.reason"), "4 application processes (option)");
    json_decref(out);

    /* No CPUs: not recommended, said so. */
    json_object_del(json_object_get(snap, "host"), "cpus");
    out = run(snap, NULL);
    assert_true(json_is_null(at(out, "sqlalchemy.pool_size.recommended")));
    assert_contains(str_at(out, "pgbouncer.default_pool_size.reason"), "host.cpus");
    json_decref(out);
    json_decref(snap);
}

static void test_session_features(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    json_t *st = json_object_get(snap, "statements");
    json_array_append_new(st, statement(11, "SET statement_timeout = 0", 10, 1, 0, 0));
    json_array_append_new(st, statement(12, "SELECT pg_advisory_lock($1)", 10, 1, 0, 0));
    json_array_append_new(st, statement(13, "SET LOCAL work_mem = '1GB'", 10, 1, 0, 0));
    json_array_append_new(st, statement(14, "SELECT * FROM t WHERE a = $1", 10, 1, 0, 0));
    json_array_append_new(st, statement(15, "this is not sql", 10, 1, 0, 0));
    json_t *out = run(snap, NULL);
    assert_string_equal(str_at(out, "pgbouncer.pool_mode.recommended"), "session");
    const char *reason = str_at(out, "pgbouncer.pool_mode.reason");
    assert_contains(reason, "2 uses");
    assert_contains(reason, "SET in statement 11");
    assert_contains(reason, "advisory_lock in statement 12");
    assert_contains(reason, "SET LOCAL");
    json_t *f = at(out, "pgbouncer.session_features");
    assert_int_equal(json_array_size(f), 2);
    assert_int_equal(json_integer_value(at(out, "evidence.pools.statements_unparsed")), 1);
    assert_contains(str_at(out, "pgbouncer.ini"), "pool_mode = session");
    json_decref(out);
    json_decref(snap);
}

static void test_workload_profiles(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    json_t *st = json_object_get(snap, "statements");
    /* 80% of time in 2-second scans: data warehouse. */
    json_array_append_new(st, statement(1, "SELECT sum(x) FROM facts", 100, 200000, 0, 5e6));
    json_array_append_new(st, statement(2, "SELECT 1", 100000, 50000, 0, 0));
    json_t *out = run(snap, NULL);
    assert_string_equal(str_at(out, "workload.profile"), "dw");
    /* dw: maintenance_work_mem RAM/8, statistics 500, JIT left on. */
    assert_string_equal(str_at(out, "postgresql.memory.maintenance_work_mem.recommended"), "2GB");
    assert_string_equal(str_at(out, "postgresql.planner.default_statistics_target.recommended"),
                        "500");
    assert_string_equal(str_at(out, "postgresql.planner.jit.recommended"), "on");
    json_decref(out);

    /* Mostly short statements at 1000 calls/s: oltp, JIT off with the share. */
    json_array_clear(st);
    json_array_append_new(st, statement(3, "SELECT * FROM a WHERE id = $1", 3.6e6, 3.6e6, 0, 4));
    out = run(snap, NULL);
    assert_string_equal(str_at(out, "workload.profile"), "oltp");
    assert_string_equal(str_at(out, "postgresql.planner.jit.recommended"), "off");
    assert_contains(str_at(out, "postgresql.planner.jit.reason"), "100% of execution time");
    json_decref(out);

    /* Option wins; an unknown profile is an error naming it. */
    config_tuner_options_t opts = {.profile = "desktop"};
    out = run(snap, &opts);
    assert_string_equal(str_at(out, "postgresql.memory.shared_buffers.recommended"), "1GB");
    json_decref(out);
    opts.profile = "olap";
    json_t *res = NULL;
    err_t err;
    assert_int_equal(config_tuner_analyze(snap, &opts, NULL, NULL, &res, &err), -1);
    assert_null(res);
    assert_contains(err.msg, "olap");

    /* No statements at all: web, with a note. */
    json_array_clear(st);
    out = run(snap, NULL);
    assert_string_equal(str_at(out, "workload.profile"), "web");
    assert_true(notes_contain(out, "no pg_stat_statements data"));
    json_decref(out);
    json_decref(snap);
}

static void test_timescaledb(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    json_t *ts = json_pack(
        "{s:s, s:{s:s}, s:[{s:s, s:s, s:s, s:I, s:i, s:["
        "{s:s, s:s, s:s, s:I, s:I}, {s:s, s:s, s:s, s:I, s:I}]}]}",
        "version", "2.13.0", "settings", "timescaledb.max_background_workers", "8", "hypertables",
        "schema", "public", "name", "metrics", "time_column", "ts", "chunk_time_interval_us",
        (json_int_t)(7LL * 86400 * 1000000), "num_chunks", 2, "chunks", "name", "_hyper_1_1",
        "range_start", "2026-11-12T00:00:00Z", "range_end", "2026-11-19T00:00:00Z", "total_bytes",
        (json_int_t)(20 * GB), "index_bytes", (json_int_t)(8 * GB), "name", "_hyper_1_2",
        "range_start", "2026-11-19T00:00:00Z", "range_end", "2026-11-26T00:00:00Z", "total_bytes",
        (json_int_t)(20 * GB), "index_bytes", (json_int_t)(8 * GB));
    assert_non_null(ts);
    json_object_set_new(snap, "timescaledb", ts);
    json_t *out = run(snap, NULL);
    /* 8GB of indexes per 7-day chunk vs 25% of 16GB = 4GB: 3.5 days -> 3 days. */
    json_t *iv = json_array_get(at(out, "timescaledb.chunk_time_interval"), 0);
    assert_non_null(iv);
    assert_string_equal(json_string_value(json_object_get(iv, "current")), "7 days");
    assert_string_equal(json_string_value(json_object_get(iv, "recommended")), "3 days");
    assert_contains(str_at(out, "apply_script"),
                    "SELECT set_chunk_time_interval('public.metrics', INTERVAL '3 days');");
    assert_contains(str_at(out, "rollback_script"),
                    "SELECT set_chunk_time_interval('public.metrics', INTERVAL '7 days');");
    json_t *bgw = json_object_get(at(out, "timescaledb"), "timescaledb.max_background_workers");
    assert_non_null(bgw);
    assert_string_equal(json_string_value(json_object_get(bgw, "recommended")), "8");
    /* max_worker_processes: 8 TimescaleDB workers + 4 parallel + 3 = 15. */
    assert_string_equal(str_at(out, "postgresql.parallelism.max_worker_processes.recommended"),
                        "15");
    assert_contains(str_at(out, "postgresql.parallelism.max_worker_processes.reason"),
                    "timescaledb.max_background_workers 8");
    json_decref(out);
    json_decref(snap);
}

static void test_bad_input(void **state)
{
    (void)state;
    json_t *res = (json_t *)0x1;
    err_t err;
    json_t *arr = json_array();
    assert_int_equal(config_tuner_analyze(arr, NULL, NULL, NULL, &res, &err), -1);
    assert_null(res);
    assert_contains(err.msg, "not a map");
    json_decref(arr);
    assert_int_equal(config_tuner_analyze(NULL, NULL, NULL, NULL, &res, &err), -1);
    config_tuner_options_t opts = {.app_processes = -2};
    json_t *snap = base_snapshot();
    assert_int_equal(config_tuner_analyze(snap, &opts, NULL, NULL, &res, &err), -1);
    assert_contains(err.msg, "app_processes");

    /* Sections of the wrong type and a bare meta degrade to notes. */
    json_object_set_new(snap, "settings", json_string("oops"));
    json_object_set_new(snap, "tables", json_integer(3));
    json_object_set_new(snap, "statements", json_object());
    json_t *out = run(snap, NULL);
    assert_true(notes_contain(out, "no settings"));
    assert_true(notes_contain(out, "no tables"));
    assert_true(json_is_null(at(out, "postgresql.memory.shared_buffers.current")));
    assert_true(json_is_true(at(out, "postgresql.memory.shared_buffers.change")));
    /* Without a current value the rollback resets to the built-in value. */
    assert_contains(str_at(out, "rollback_script"), "ALTER SYSTEM RESET shared_buffers;");
    json_decref(out);
    json_decref(snap);

    json_t *bare = json_pack("{s:{s:i}}", "meta", "format_version", 1);
    out = run(bare, NULL);
    assert_true(notes_contain(out, "no host.memory_bytes"));
    assert_true(notes_contain(out, "no host.cpus"));
    assert_true(notes_contain(out, "no host.storage"));
    json_decref(out);
    json_decref(bare);
}

static void set_source(json_t *snap, const char *name, const char *source, const char *file)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(snap, "settings"), i,
                       row) if (!strcmp(json_string_value(json_object_get(row, "name")), name))
    {
        json_object_set_new(row, "source", json_string(source));
        json_object_set_new(row, "sourcefile", file ? json_string(file) : json_null());
    }
}

static void test_rollback_sources(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    /* From postgresql.conf: RESET brings that value back. */
    set_source(snap, "shared_buffers", "configuration file",
               "/etc/postgresql/15/main/postgresql.conf");
    /* From an earlier ALTER SYSTEM: RESET would lose it, so SET it back. */
    set_source(snap, "effective_cache_size", "configuration file",
               "/var/lib/postgresql/15/main/postgresql.auto.conf");
    /* File unknown (not a superuser): SET it back. */
    set_source(snap, "maintenance_work_mem", "configuration file", NULL);
    json_t *out = run(snap, NULL);
    const char *rollback = str_at(out, "rollback_script");
    assert_contains(rollback, "ALTER SYSTEM RESET shared_buffers;\n");
    assert_contains(rollback, "ALTER SYSTEM SET effective_cache_size = '4GB';\n");
    assert_contains(rollback, "ALTER SYSTEM SET maintenance_work_mem = '64MB';\n");
    json_decref(out);

    /* A row missing from pg_settings: current null, said in a note. */
    json_t *settings = json_object_get(snap, "settings");
    for (size_t i = 0; i < json_array_size(settings); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(settings, i), "name")), "jit"))
            json_array_remove(settings, i);
    out = run(snap, NULL);
    assert_true(json_is_null(at(out, "postgresql.planner.jit.current")));
    assert_true(notes_contain(out, "1 settings are missing from the snapshot's pg_settings (jit)"));
    assert_contains(str_at(out, "rollback_script"), "ALTER SYSTEM RESET jit;");
    json_decref(out);
    json_decref(snap);
}

/* Engines and session features read from application code by
 * sqla_engines.c. */
static void test_code_section(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    const char *db_py = "from sqlalchemy import create_engine, text\n"
                        "\n"
                        "engine = create_engine(\n"
                        "    DATABASE_URL, pool_size=10, max_overflow=20, pool_pre_ping=True\n"
                        ")\n"
                        "\n"
                        "def tenant(conn, schema):\n"
                        "    conn.execute(text(\"SET search_path TO app\"))\n"
                        "\n"
                        "def safe(conn):\n"
                        "    conn.execute(text(\"SET LOCAL statement_timeout = '5s'\"))\n";
    json_object_set_new(snap, "code",
                        json_pack("[{s:s, s:s, s:i}]", "path", "app/db.py", "content", db_py,
                                  "bytes", (int)strlen(db_py)));
    config_tuner_options_t opts = {.app_processes = 2};
    json_t *out = run(snap, &opts);
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.pool_size.current")), 10);
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.max_overflow.current")), 20);
    assert_true(json_is_true(at(out, "sqlalchemy.pool_pre_ping.current")));
    assert_true(json_is_false(at(out, "sqlalchemy.pool_pre_ping.change")));
    /* B = 8 over 2 processes: 4 each, overflow 4. */
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.pool_size.recommended")), 4);
    json_t *eng = json_array_get(at(out, "sqlalchemy.engines"), 0);
    assert_non_null(eng);
    assert_string_equal(json_string_value(json_object_get(eng, "file")), "app/db.py");
    assert_int_equal(json_integer_value(json_object_get(eng, "line")), 3);
    assert_string_equal(str_at(out, "evidence.pools.engines_source"),
                        "code (workers/config_tuner/sqla_engines)");
    /* The session SET (not the SET LOCAL) keeps PgBouncer in session mode. */
    assert_string_equal(str_at(out, "pgbouncer.pool_mode.recommended"), "session");
    assert_contains(str_at(out, "pgbouncer.pool_mode.reason"), "SET at app/db.py:8");
    assert_int_equal(json_array_size(at(out, "pgbouncer.session_features")), 1);
    assert_contains(str_at(out, "sqlalchemy.pool_size.reason"), "create_engine at app/db.py:3");
    json_decref(out);

    /* A pool size computed at run time is reported as such, not as 5. */
    const char *dyn_py = "import os\nfrom sqlalchemy import create_engine\n"
                         "engine = create_engine(URL, pool_size=int(os.environ['POOL']))\n";
    json_object_set_new(snap, "code",
                        json_pack("[{s:s, s:s, s:i}]", "path", "app/db.py", "content", dyn_py,
                                  "bytes", (int)strlen(dyn_py)));
    out = run(snap, &opts);
    assert_contains(str_at(out, "sqlalchemy.pool_size.current"), "dynamic");
    assert_int_equal(json_integer_value(at(out, "sqlalchemy.max_overflow.current")), 10);
    assert_string_equal(str_at(out, "pgbouncer.pool_mode.recommended"), "transaction");
    json_decref(out);
    json_decref(snap);
}

/* Statistics reset a minute ago: rates are not extrapolated. */
static void test_short_window(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    json_t *resets = json_object_get(json_object_get(snap, "meta"), "stats_reset");
    json_object_set_new(resets, "database", json_string("2026-11-26T11:59:00Z"));
    json_object_set_new(resets, "pg_stat_statements", json_string("2026-11-26 11:59:00+00"));
    json_t *bgw = json_object_get(snap, "bgwriter");
    json_object_set_new(bgw, "seconds_since_reset", json_real(60));
    json_object_set_new(json_object_get(bgw, "wal"), "stats_reset",
                        json_string("2026-11-26T11:59:00.000000Z"));
    json_object_set_new(json_object_get(bgw, "wal"), "wal_bytes", json_integer(10 * GB));
    /* 20k rows updated 3 times over in a minute, 1% dead now. */
    json_array_append_new(json_object_get(snap, "tables"),
                          table("public", "burst", 2e4, 200, 6e4, 0, NULL));
    json_t *out = run(snap, NULL);
    assert_true(notes_contain(out, "statistics cover only 60 s"));
    assert_string_equal(str_at(out, "postgresql.checkpoints.max_wal_size.method"), "pgtune");
    assert_contains(str_at(out, "postgresql.checkpoints.max_wal_size.reason"), "cover only 60 s");
    assert_int_equal(json_array_size(at(out, "per_table")), 0);
    assert_string_equal(str_at(out, "postgresql.autovacuum.autovacuum_vacuum_cost_limit.method"),
                        "rule");
    assert_true(json_is_null(at(out, "workload.calls_per_s")));
    assert_true(json_real_value(at(out, "evidence.stats_windows.statements_s")) == 60.0);
    json_decref(out);
    json_decref(snap);
}

/* Every leaf of a rich snapshot replaced, one at a time, by values of the
 * wrong type or absurd size: the agent answers (or refuses with a message)
 * and never crashes (run under ASan/UBSan by the sanitizer build). */
static json_t *rich_snapshot(void)
{
    json_t *snap = base_snapshot();
    json_array_append_new(json_object_get(snap, "statements"),
                          statement(1, "SELECT * FROM t ORDER BY a", 10, 500, 3200, 100));
    json_array_append_new(json_object_get(snap, "statements"),
                          statement(2, "SET search_path TO x", 10, 1, 0, 0));
    json_array_append_new(json_object_get(snap, "tables"),
                          table("public", "big", 5e6, 1e5, 8e5, 2e5,
                                json_pack("[s]", "autovacuum_vacuum_threshold=5")));
    json_object_set_new(snap, "activity",
                        json_pack("{s:[{s:s, s:s, s:i}]}", "by_application", "application_name",
                                  "web", "state", "idle", "count", 7));
    json_object_set_new(snap, "pgbouncer",
                        json_pack("{s:s, s:s}", "pool_mode", "session", "default_pool_size", "20"));
    json_object_set_new(snap, "sqlalchemy",
                        json_pack("{s:[{s:s, s:i, s:s, s:{s:i}, s:[s]}]}", "engines", "file",
                                  "a.py", "line", 1, "url_expr", "postgresql+asyncpg://x",
                                  "options", "pool_size", 3, "dynamic", "max_overflow"));
    json_object_set_new(snap, "timescaledb",
                        json_pack("{s:{s:s}, s:[{s:s, s:s, s:I, s:[{s:s, s:s, s:I}]}]}", "settings",
                                  "timescaledb.max_background_workers", "8", "hypertables",
                                  "schema", "public", "name", "m", "chunk_time_interval_us",
                                  (json_int_t)86400000000LL, "chunks", "name", "c1", "range_end",
                                  "2026-11-26T00:00:00Z", "index_bytes", (json_int_t)(1 * GB)));
    return snap;
}

typedef struct {
    json_t *root;
    int runs;
} mutate_ctx_t;

static void run_mutated(mutate_ctx_t *m)
{
    json_t *out = NULL;
    err_t err = {{0}};
    int rc = config_tuner_analyze(m->root, NULL, NULL, NULL, &out, &err);
    if (rc == 0) {
        assert_non_null(out);
        assert_non_null(json_object_get(out, "apply_script"));
        json_decref(out);
    } else {
        assert_null(out);
        assert_true(err.msg[0] != '\0');
    }
    m->runs++;
}

static void mutate_leaves(mutate_ctx_t *m, json_t *node)
{
    json_t *replacements[] = {
        json_string("x"),     json_null(),        json_integer(-1),
        json_real(1e300),     json_real(-1e300),  json_array(),
        json_object(),        json_true(),        json_integer(0),
        json_string("1e300"), json_string("nan"), json_string("-99999999999999999999")};
    size_t nrep = sizeof replacements / sizeof replacements[0];
    if (json_is_object(node)) {
        const char *k;
        json_t *v;
        void *tmp;
        json_object_foreach_safe(node, tmp, k, v)
        {
            json_t *orig = json_incref(v);
            if (json_is_object(orig) || json_is_array(orig))
                mutate_leaves(m, orig);
            for (size_t r = 0; r < nrep; r++) {
                json_object_set(node, k, replacements[r]);
                run_mutated(m);
            }
            json_object_set(node, k, orig);
            json_decref(orig);
        }
    } else if (json_is_array(node)) {
        for (size_t i = 0; i < json_array_size(node); i++) {
            json_t *orig = json_incref(json_array_get(node, i));
            if (json_is_object(orig) || json_is_array(orig))
                mutate_leaves(m, orig);
            for (size_t r = 0; r < nrep; r++) {
                json_array_set(node, i, replacements[r]);
                run_mutated(m);
            }
            json_array_set(node, i, orig);
            json_decref(orig);
        }
    }
    for (size_t r = 0; r < nrep; r++)
        json_decref(replacements[r]);
}

static void test_mutated_snapshots(void **state)
{
    (void)state;
    json_t *snap = rich_snapshot();
    /* The unmutated snapshot exercises every section. */
    json_t *out = run(snap, NULL);
    assert_int_equal(json_array_size(at(out, "per_table")), 1);
    assert_contains(str_at(out, "pgbouncer.pool_mode.reason"), "SET in statement 2");
    json_decref(out);
    mutate_ctx_t m = {.root = snap};
    mutate_leaves(&m, snap);
    assert_true(m.runs > 1000);
    json_decref(snap);
}

/* A short window in which a write burst requested checkpoints (the demo's
 * nightly import): sized from the burst, no rate extrapolated. */
static void test_checkpoint_burst(void **state)
{
    (void)state;
    json_t *snap = base_snapshot();
    json_t *resets = json_object_get(json_object_get(snap, "meta"), "stats_reset");
    json_object_set_new(resets, "database", json_string("2026-11-26T11:59:13Z"));
    json_t *bgw = json_object_get(snap, "bgwriter");
    json_object_set_new(bgw, "seconds_since_reset", json_real(47));
    json_object_set_new(bgw, "checkpoints_timed", json_integer(0));
    json_object_set_new(bgw, "checkpoints_req", json_integer(4));
    json_object_set_new(json_object_get(bgw, "wal"), "stats_reset",
                        json_string("2026-11-26T11:59:13Z"));
    json_object_set_new(json_object_get(bgw, "wal"), "wal_bytes", json_integer(283 * MB));
    json_t *settings = json_object_get(snap, "settings");
    size_t i;
    json_t *row;
    json_array_foreach(
        settings, i,
        row) if (!strcmp(json_string_value(json_object_get(row, "name")), "max_wal_size"))
        json_object_set_new(row, "setting", json_string("128"));
    /* A queryid near 2^63 survives into the reasons. */
    json_array_append_new(json_object_get(snap, "statements"),
                          statement(-9123456789012345678LL, "SELECT * FROM t ORDER BY x", 1000,
                                    40000, 1000 * 3200, 10));
    /* RAM as /proc reports it, not a whole number of MB. */
    json_object_set_new(json_object_get(snap, "host"), "memory_bytes",
                        json_integer(24683656LL * 1024));
    json_t *out = run(snap, NULL);
    /* 283MB x 1.9 x 1.5 = 807MB -> 1GB (256MB steps below 1GB). */
    assert_string_equal(str_at(out, "postgresql.checkpoints.max_wal_size.current"), "128MB");
    assert_string_equal(str_at(out, "postgresql.checkpoints.max_wal_size.recommended"), "1GB");
    assert_string_equal(str_at(out, "postgresql.checkpoints.max_wal_size.method"), "measured");
    const char *reason = str_at(out, "postgresql.checkpoints.max_wal_size.reason");
    assert_contains(reason, "4 requested checkpoints while 283MB of WAL was written in the 47 s");
    assert_contains(reason, "807MB");
    /* min_wal_size follows PGTune's 1/4 ratio of the new max, not dw's 4GB. */
    assert_string_equal(str_at(out, "postgresql.checkpoints.min_wal_size.recommended"), "256MB");
    assert_string_equal(str_at(out, "postgresql.checkpoints.min_wal_size.method"), "rule");
    assert_contains(str_at(out, "postgresql.memory.work_mem.reason"),
                    "queryid -9123456789012345678");
    /* 24683656kB / 4 = 6170914kB, rounded down to shared_buffers' 8kB unit. */
    assert_string_equal(str_at(out, "postgresql.memory.shared_buffers.recommended"), "6170912kB");
    assert_contains(str_at(out, "postgresql.memory.shared_buffers.reason"), "(23.5GB)");
    json_decref(out);
    json_decref(snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_and_scripts),    cmocka_unit_test(test_work_mem_from_spills),
        cmocka_unit_test(test_checkpoints),          cmocka_unit_test(test_no_host_memory),
        cmocka_unit_test(test_autovacuum_per_table), cmocka_unit_test(test_pool_sizing),
        cmocka_unit_test(test_session_features),     cmocka_unit_test(test_workload_profiles),
        cmocka_unit_test(test_timescaledb),          cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_rollback_sources),     cmocka_unit_test(test_code_section),
        cmocka_unit_test(test_short_window),         cmocka_unit_test(test_mutated_snapshots),
        cmocka_unit_test(test_checkpoint_burst),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
