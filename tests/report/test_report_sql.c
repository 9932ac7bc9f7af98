/*
 * test_report_sql.c - apply.sql and rollback.sql against a PostgreSQL of
 * their own (scripts/pg-sandbox.sh in a temporary directory: ALTER SYSTEM
 * must never touch the shared test server).
 *
 * The shop schema (data/shop.sql, smaller) and its workload run there; the
 * real coordinator and agents analyse it live; the scripts are written by
 * report_write_sql_path and run by psql exactly as a user would:
 *   - apply.sql succeeds; every recommended index exists and is valid, every
 *     index it drops is gone, every ALTER SYSTEM value is in
 *     postgresql.auto.conf and a reloadable one is in effect;
 *   - rollback.sql succeeds; index definitions, pg_settings values and
 *     table storage parameters are exactly what they were before apply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coordinator/report/report.h"

static char g_dir[] = "/tmp/pgopt-report-sql-XXXXXX";
static char g_host[4096], g_port[32];
static const char *g_src, *g_bin;
static const char *const PGBIN = "/usr/lib/postgresql/15/bin";

static char *run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a shell command; returns its standard output, fails the test on a
 * non-zero exit (stderr is kept in g_dir/last.err and shown). */
static char *run(const char *fmt, ...)
{
    char cmd[16384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    char full[17000];
    snprintf(full, sizeof full, "(%s) 2>'%s/last.err'", cmd, g_dir);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        fwrite(buf, 1, n, m);
    fclose(m);
    int rc = pclose(p);
    if (rc != 0) {
        char errpath[4200], err[8192] = "";
        snprintf(errpath, sizeof errpath, "%s/last.err", g_dir);
        FILE *e = fopen(errpath, "r");
        if (e) {
            size_t k = fread(err, 1, sizeof err - 1, e);
            err[k] = '\0';
            fclose(e);
        }
        fail_msg("command failed (%d): %s\n%s\n%s", rc, cmd, out, err);
    }
    return out;
}

static char *psql(const char *sql)
{
    return run("%s/psql -X -q -At -v ON_ERROR_STOP=1 -h '%s' -p %s -U postgres -d shop -c \"%s\"",
               PGBIN, g_host, g_port, sql);
}

static const char *const INDEXES_SQL =
    "SELECT string_agg(c.relname || ' ' || i.indisvalid || ' ' || pg_get_indexdef(c.oid), "
    "E'\\n' ORDER BY c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'";
static const char *const SETTINGS_SQL =
    "SELECT string_agg(name || '=' || setting, E'\\n' ORDER BY name) FROM pg_settings";
static const char *const RELOPTIONS_SQL =
    "SELECT string_agg(relname || '=' || coalesce(array_to_string(reloptions, ','), ''), "
    "E'\\n' ORDER BY relname) FROM pg_class WHERE relkind = 'r' AND relnamespace = "
    "'public'::regnamespace";

static int setup(void **state)
{
    (void)state;
    g_src = getenv("PGOPT_SOURCE_DIR");
    g_bin = getenv("PGOPT_BIN_DIR");
    if (!g_src || !g_bin || !mkdtemp(g_dir))
        return -1;
    /* as root the server runs as postgres, which must reach the directory */
    if (chmod(g_dir, 0755) != 0)
        return -1;
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s/scripts/pg-sandbox.sh' start '%s/pg' >'%s/sandbox.log' 2>&1",
             g_src, g_dir, g_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "report_sql: could not start a scratch PostgreSQL (see %s/sandbox.log)\n",
                g_dir);
        return -1;
    }
    char envpath[4200];
    snprintf(envpath, sizeof envpath, "%s/pg/env", g_dir);
    FILE *f = fopen(envpath, "r");
    if (!f)
        return -1;
    char line[4200];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!strncmp(line, "PGHOST=", 7))
            snprintf(g_host, sizeof g_host, "%s", line + 7);
        if (!strncmp(line, "PGPORT=", 7))
            snprintf(g_port, sizeof g_port, "%s", line + 7);
    }
    fclose(f);
    return g_host[0] && g_port[0] ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "'%s/scripts/pg-sandbox.sh' stop '%s/pg' >/dev/null 2>&1; rm -rf '%s'", g_src, g_dir,
             g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_apply_then_rollback(void **state)
{
    (void)state;
    free(run("%s/psql -X -q -h '%s' -p %s -U postgres -d postgres -c 'CREATE DATABASE shop'", PGBIN,
             g_host, g_port));
    free(run("%s/psql -X -q -v ON_ERROR_STOP=1 -h '%s' -p %s -U postgres -d shop -v customers=5000 "
             "-v orders=40000 -v events=20000 -f '%s/tests/report/data/shop.sql' >/dev/null",
             PGBIN, g_host, g_port, g_src));
    free(run("%s/pgbench -n -h '%s' -p %s -U postgres -D customers=5000 -c 2 -t 150 "
             "-f '%s/tests/report/data/workload-oltp.sql' shop >/dev/null",
             PGBIN, g_host, g_port, g_src));
    free(run("%s/pgbench -n -h '%s' -p %s -U postgres -D customers=5000 -c 1 -t 10 "
             "-f '%s/tests/report/data/workload-report.sql' shop >/dev/null",
             PGBIN, g_host, g_port, g_src));

    /* the real analysis: coordinator + the four agents, locally started */
    char p3path[4200];
    snprintf(p3path, sizeof p3path, "%s/phase3.json", g_dir);
    free(run("'%s/pgopt-coordinator' --dsn 'host=%s port=%s user=postgres dbname=shop' --cpus 2 "
             "--memory 8GB --storage ssd -o '%s'",
             g_bin, g_host, g_port, p3path));
    json_error_t je;
    json_t *p3 = json_load_file(p3path, 0, &je);
    assert_non_null(p3);
    const json_t *ia = json_object_get(p3, "index_advisor");
    const json_t *recs = json_object_get(ia, "recommendations");
    const json_t *dups = json_object_get(ia, "duplicate_indexes");
    /* the planted problems must be found, or the scripts test nothing */
    assert_true(json_array_size(recs) >= 1);
    assert_true(json_array_size(dups) >= 1);
    assert_non_null(strstr(
        json_string_value(json_object_get(json_object_get(p3, "config_tuner"), "apply_script")),
        "ALTER SYSTEM SET"));

    char sqldir[4200], apply[4096], rollback[4096];
    snprintf(sqldir, sizeof sqldir, "%s/sql/", g_dir);
    err_t err;
    if (report_write_sql_path(p3, sqldir, apply, rollback, &err) != 0)
        fail_msg("%s", err.msg);

    char *idx_before = psql(INDEXES_SQL);
    char *set_before = psql(SETTINGS_SQL);
    char *rel_before = psql(RELOPTIONS_SQL);

    free(run("%s/psql -X -q -h '%s' -p %s -U postgres -d shop -f '%s' >/dev/null", PGBIN, g_host,
             g_port, apply));
    char *idx_after = psql(INDEXES_SQL);
    size_t i;
    const json_t *r;
    json_array_foreach(recs, i, r)
    {
        /* "CREATE INDEX CONCURRENTLY <name> ON ..." */
        const char *create = json_string_value(json_object_get(r, "create_statement"));
        const char *name = strstr(create, "CONCURRENTLY ") + 13;
        char want[256];
        snprintf(want, sizeof want, "%.*s true ", (int)strcspn(name, " "), name);
        if (!strstr(idx_after, want))
            fail_msg("after apply.sql, %s is missing or invalid:\n%s", want, idx_after);
    }
    json_array_foreach(dups, i, r)
    {
        const char *q = json_string_value(json_object_get(r, "unneeded_index"));
        char gone[256];
        snprintf(gone, sizeof gone, "\n%s ", strchr(q, '.') + 1);
        char *hay = NULL;
        assert_true(asprintf(&hay, "\n%s", idx_after) > 0);
        if (strstr(hay, gone))
            fail_msg("after apply.sql, %s is still there", q);
        free(hay);
    }
    char *auto_conf =
        psql("SELECT string_agg(name || '=' || setting, ',' ORDER BY seqno) FROM pg_file_settings "
             "WHERE sourcefile LIKE '%postgresql.auto.conf'");
    assert_non_null(strstr(auto_conf, "shared_buffers="));
    char *rpc = psql("SHOW random_page_cost");
    assert_string_equal(rpc, "1.1\n"); /* reloaded: in effect without a restart */
    free(rpc);
    char *pending = psql("SELECT string_agg(name, ',' ORDER BY name) FROM pg_settings WHERE "
                         "pending_restart");
    assert_non_null(strstr(pending, "shared_buffers"));
    free(pending);

    free(run("%s/psql -X -q -h '%s' -p %s -U postgres -d shop -f '%s' >/dev/null", PGBIN, g_host,
             g_port, rollback));
    char *idx_back = psql(INDEXES_SQL);
    char *set_back = psql(SETTINGS_SQL);
    char *rel_back = psql(RELOPTIONS_SQL);
    assert_string_equal(idx_back, idx_before);
    assert_string_equal(set_back, set_before);
    assert_string_equal(rel_back, rel_before);
    /* Settings still waiting for a restart may only be ones the scripts
     * changed and that need one. (PostgreSQL flags wal_buffers after its
     * ALTER SYSTEM RESET: its default -1 is auto-tuned to the running
     * value, and the reload compares the raw -1.) */
    pending = psql("SELECT coalesce(string_agg(name, ',' ORDER BY name), '') FROM pg_settings "
                   "WHERE pending_restart");
    const json_t *restart =
        json_object_get(json_object_get(p3, "config_tuner"), "restart_required");
    for (char *tok = strtok(pending, ",\n"); tok; tok = strtok(NULL, ",\n")) {
        int listed = 0;
        const json_t *v;
        json_array_foreach(restart, i, v)
        {
            listed |= !strcmp(json_string_value(v), tok);
        }
        if (!listed)
            fail_msg("after rollback.sql, %s waits for a restart but the scripts did not "
                     "change it",
                     tok);
        fprintf(stderr, "note: after rollback, %s reports pending_restart\n", tok);
    }
    free(pending);

    free(idx_before);
    free(set_before);
    free(rel_before);
    free(idx_after);
    free(auto_conf);
    free(idx_back);
    free(set_back);
    free(rel_back);
    json_decref(p3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apply_then_rollback),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
