/* collect.c - see collect.h. The SQL of every section is here, next to the
 * code that shapes its rows; pgjson.c turns rows into JSON by column type,
 * so each query's casts are the section's schema (docs/SNAPSHOT.md). */
#include "coordinator/collect/collect.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/pgconn.h"
#include "common/pgmark.h"
#include "common/provider.h"
#include "common/strbuf.h"
#include "coordinator/collect/codedir.h"
#include "coordinator/collect/host.h"
#include "coordinator/collect/pgjson.h"
#include "coordinator/collect/planprint.h"
#include "coordinator/collect/redact.h"

#ifndef PGOPT_VERSION
#define PGOPT_VERSION "0.1.0"
#endif

#define APPLICATION_NAME "pgopt-collector"

/* User schemas only: system catalogs, TOAST, other sessions' temporary
 * schemas and TimescaleDB's own catalogs are not the application's data
 * (TimescaleDB chunks in _timescaledb_internal are, and stay). */
#define USER_SCHEMAS                                                                               \
    "n.nspname NOT IN ('pg_catalog', 'information_schema', '_timescaledb_catalog', "               \
    "'_timescaledb_config', '_timescaledb_cache', '_timescaledb_functions', "                      \
    "'timescaledb_information', 'timescaledb_experimental') "                                      \
    "AND n.nspname !~ '^pg_(toast|temp_)'"

typedef struct {
    pgconn_t *pg; /* every wait bounded by --collect-timeout (common/pgconn.h) */
    PGconn *conn; /* pgconn_pq(pg): for PQhost, PQescapeIdentifier and the like */
    const collect_opts_t *opts;
    json_t *doc;
    json_t *meta;
    json_t *notes;
    json_t *host;
    json_t *section_ms;
    json_t *settings; /* rows, kept to look settings up */
    json_t *extensions;
    pgjson_stats_t stats;
    int server_version_num;
    int backend_pid;
    int server_loopback;
    char database[256];
    char role[256];
    char *locked_oids;   /* "{oid,...}": relations another session holds ACCESS EXCLUSIVE */
    char *locked_names;  /* "schema.name, ..." of those, for the note */
    int64_t deadline_at; /* clock_mono_ms() end of --collect-timeout; 0 = none */
    err_t *err;
} collector_t;

static void note(collector_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a note (meta.notes) saying what could not be collected and why. */
static void note(collector_t *c, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_array_append_new(c->notes, pgjson_string(buf, strlen(buf), NULL));
}

/* libpq messages end in newlines and may carry "\tHINT"-like continuation
 * lines; the collector's errors and notes are one line. Copies the first
 * line of msg, without a leading "ERROR:  "/"FATAL:  ". */
static void one_line(const char *msg, char *out, size_t len)
{
    if (!msg)
        msg = "";
    while (*msg == ' ' || *msg == '\n')
        msg++;
    static const char *const prefixes[] = {"ERROR:  ", "FATAL:  ", "PANIC:  "};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(msg, prefixes[i], strlen(prefixes[i])) == 0)
            msg += strlen(prefixes[i]);
    size_t n = strcspn(msg, "\n");
    if (n >= len)
        n = len - 1;
    memcpy(out, msg, n);
    out[n] = '\0';
}

/* ---- queries ---- */

typedef enum { Q_OK = 0, Q_SOFT = 1, Q_FATAL = -1 } qstatus_t;

/* Sets the collection's error for a query on `what` that failed: a lost connection, a statement
 * timeout (with its setting) or the server's message. Returns Q_FATAL. */
static qstatus_t fatal_from(collector_t *c, const char *what, PGresult *res)
{
    char primary[400];
    if (!res && pgconn_timed_out(c->pg))
        return err_set(c->err, "collecting %s: %s", what, pgconn_error(c->pg));
    const char *p = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    one_line(p ? p : pgconn_error(c->pg), primary, sizeof primary);
    if (PQstatus(c->conn) == CONNECTION_BAD || (!res && pgconn_broken(c->pg))) {
        if (primary[0] && strstr(primary, "server closed the connection") == NULL)
            err_set(c->err, "collecting %s: server closed the connection unexpectedly (%s)", what,
                    primary);
        else
            err_set(c->err, "collecting %s: server closed the connection unexpectedly", what);
    } else if (strstr(primary, "statement timeout")) {
        err_set(c->err, "collecting %s: %s (statement_timeout=%dms)", what, primary,
                c->opts->statement_timeout_ms);
    } else {
        err_set(c->err, "collecting %s: %s", what, primary);
    }
    return Q_FATAL;
}

/* pgconn marks every statement (common/pgmark.h). */
static qstatus_t exec_simple(collector_t *c, const char *what, const char *sql)
{
    PGresult *r = pgconn_exec(c->pg, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fatal_from(c, what, r);
        PQclear(r);
        return Q_FATAL;
    }
    PQclear(r);
    return Q_OK;
}

/* Runs sql under a fresh savepoint. Q_OK: *res holds the rows. Q_SOFT: the
 * failure became a note (prefixed with `what`) and the transaction is usable
 * again. Q_FATAL: err is set. */
static qstatus_t query(collector_t *c, const char *what, const char *sql, int nparams,
                       const char *const *params, PGresult **res)
{
    *res = NULL;
    if (exec_simple(c, what, "SAVEPOINT pgopt_section") != Q_OK)
        return Q_FATAL;
    PGresult *r = pgconn_exec_params(c->pg, sql, nparams, params);
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
        *res = r;
        return Q_OK;
    }
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    /* 57014 query_canceled (statement timeout, pg_cancel_backend) and class
     * 57P (operator intervention: shutdown, termination) end the collection;
     * so does a lost connection. */
    if (!r || pgconn_broken(c->pg) || !state || strcmp(state, "57014") == 0 ||
        strncmp(state, "57P", 3) == 0) {
        fatal_from(c, what, r);
        PQclear(r);
        return Q_FATAL;
    }
    char primary[400];
    const char *p = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    one_line(p ? p : PQresultErrorMessage(r), primary, sizeof primary);
    if (strcmp(state, "55P03") == 0)
        note(c, "%s: %s (lock_timeout=%dms): another session holds a conflicting lock", what,
             primary, c->opts->lock_timeout_ms);
    else if (strcmp(state, "42501") == 0)
        note(c, "%s: %s (role %s)", what, primary, c->role);
    else
        note(c, "%s: %s (SQLSTATE %s)", what, primary, state);
    PQclear(r);
    if (exec_simple(c, what, "ROLLBACK TO SAVEPOINT pgopt_section") != Q_OK)
        return Q_FATAL;
    return Q_SOFT;
}

/* Runs a query and converts all rows; on Q_OK *rows is the array. */
static qstatus_t query_rows(collector_t *c, const char *what, const char *sql, int nparams,
                            const char *const *params, json_t **rows)
{
    *rows = NULL;
    PGresult *r;
    qstatus_t st = query(c, what, sql, nparams, params, &r);
    if (st != Q_OK)
        return st;
    err_t e;
    if (pgjson_rows(r, rows, &c->stats, &e) != 0) {
        note(c, "%s: %s", what, e.msg);
        PQclear(r);
        return Q_SOFT;
    }
    PQclear(r);
    return Q_OK;
}

/* The same for a query that returns exactly one row; Q_SOFT with a note when
 * it returns none. */
static qstatus_t query_row(collector_t *c, const char *what, const char *sql, json_t **row)
{
    *row = NULL;
    PGresult *r;
    qstatus_t st = query(c, what, sql, 0, NULL, &r);
    if (st != Q_OK)
        return st;
    if (PQntuples(r) != 1) {
        note(c, "%s: expected one row, got %d", what, PQntuples(r));
        PQclear(r);
        return Q_SOFT;
    }
    err_t e;
    if (pgjson_row(r, 0, row, &c->stats, &e) != 0) {
        note(c, "%s: %s", what, e.msg);
        PQclear(r);
        return Q_SOFT;
    }
    PQclear(r);
    return Q_OK;
}

/* Times a section into meta.section_ms. */
#define TIMED(c, name, call)                                                                       \
    do {                                                                                           \
        double t0_ = clock_mono_ms_precise();                                                      \
        qstatus_t st_ = (call);                                                                    \
        json_object_set_new((c)->section_ms, (name), json_real(clock_mono_ms_precise() - t0_));    \
        if (st_ == Q_FATAL)                                                                        \
            return -1;                                                                             \
    } while (0)

/* Roles and functions only managed services create (common/provider.h):
 * pg_roles and pg_proc are readable by every role. */
static qstatus_t collect_provider_markers(collector_t *c)
{
    strbuf_t roles = {0}, funcs = {0};
    for (size_t i = 0; PROVIDER_MARKER_ROLES[i]; i++)
        strbuf_printf(&roles, "%s%s", i ? "," : "", PROVIDER_MARKER_ROLES[i]);
    for (size_t i = 0; PROVIDER_MARKER_FUNCTIONS[i]; i++)
        strbuf_printf(&funcs, "%s%s", i ? "," : "", PROVIDER_MARKER_FUNCTIONS[i]);
    char *r = strbuf_take(&roles), *f = strbuf_take(&funcs);
    const char *params[2] = {r ? r : "", f ? f : ""};
    json_t *rows;
    qstatus_t st = query_rows(c, "meta.provider_markers",
                              "SELECT 'role' AS kind, rolname::text AS name FROM pg_roles "
                              "WHERE rolname = ANY (string_to_array($1, ',')) "
                              "UNION SELECT 'function', proname::text FROM pg_proc "
                              "WHERE proname = ANY (string_to_array($2, ',')) ORDER BY 1, 2",
                              2, params, &rows);
    free(r);
    free(f);
    if (st == Q_OK)
        json_object_set_new(c->meta, "provider_markers", rows);
    return st;
}

static json_t *settings_row(json_t *rows, const char *name);

static const char *setting(collector_t *c, const char *name)
{
    return json_string_value(json_object_get(settings_row(c->settings, name), "setting"));
}

/* The installed extension's {name, version, schema} or NULL. */
static json_t *extension(collector_t *c, const char *name)
{
    size_t i;
    json_t *row;
    json_array_foreach(c->extensions, i, row)
    {
        const char *n = json_string_value(json_object_get(row, "name"));
        if (n && strcmp(n, name) == 0)
            return row;
    }
    return NULL;
}

/* "1.10" -> 110, "2.0.4" -> 200: major * 100 + minor. */
static int ext_version(json_t *ext)
{
    const char *v = json_string_value(json_object_get(ext, "version"));
    int major = 0, minor = 0;
    if (v)
        sscanf(v, "%d.%d", &major, &minor);
    return major * 100 + minor;
}

/* A schema name quoted for SQL (the extension's schema). */
static char *quoted_schema(collector_t *c, json_t *ext)
{
    const char *s = json_string_value(json_object_get(ext, "schema"));
    return PQescapeIdentifier(c->conn, s ? s : "public", strlen(s ? s : "public"));
}

static void set_stats_reset(collector_t *c, const char *key, json_t *value)
{
    if (!value || json_is_null(value))
        return;
    json_t *sr = json_object_get(c->meta, "stats_reset");
    json_object_set(sr, key, value);
}

/* ---- sections ---- */

/* meta: server version, database, collection time, role, recovery state, start time. Q_FATAL when
 * the query fails. */
static qstatus_t collect_server(collector_t *c)
{
    json_t *row;
    qstatus_t st = query_row(
        c, "server info",
        "SELECT current_setting('server_version_num')::int AS server_version_num, "
        "current_setting('server_version') AS server_version, current_database() AS database, "
        "transaction_timestamp() AS collected_at, pg_postmaster_start_time() AS "
        "server_started_at, pg_backend_pid() AS backend_pid, "
        "current_user AS role, pg_is_in_recovery() AS in_recovery, "
        "(inet_server_addr() IS NULL OR inet_server_addr() <<= '127.0.0.0/8'::inet "
        " OR inet_server_addr() = '::1'::inet) AS server_loopback",
        &row);
    if (st == Q_SOFT) {
        /* Nothing works without these: the note says why. */
        json_t *last = json_array_get(c->notes, json_array_size(c->notes) - 1);
        err_set(c->err, "collecting %s", last ? json_string_value(last) : "server info");
        return Q_FATAL;
    }
    if (st != Q_OK)
        return st;
    c->server_version_num = (int)json_integer_value(json_object_get(row, "server_version_num"));
    c->backend_pid = (int)json_integer_value(json_object_get(row, "backend_pid"));
    c->server_loopback = json_is_true(json_object_get(row, "server_loopback"));
    snprintf(c->database, sizeof c->database, "%s",
             json_string_value(json_object_get(row, "database")));
    snprintf(c->role, sizeof c->role, "%s", json_string_value(json_object_get(row, "role")));
    json_object_set(c->meta, "collected_at", json_object_get(row, "collected_at"));
    json_object_set(c->meta, "server_started_at", json_object_get(row, "server_started_at"));
    json_object_set(c->meta, "server_version_num", json_object_get(row, "server_version_num"));
    json_object_set(c->meta, "server_version", json_object_get(row, "server_version"));
    json_object_set(c->meta, "database", json_object_get(row, "database"));
    json_object_set(c->meta, "role", json_object_get(row, "role"));
    json_object_set(c->meta, "in_recovery", json_object_get(row, "in_recovery"));
    json_decref(row);

    /* pg_control_system() is superuser-only unless granted explicitly. */
    st = query_row(c, "meta.system_identifier",
                   "SELECT system_identifier::text AS system_identifier FROM pg_control_system()",
                   &row);
    if (st == Q_OK) {
        json_object_set(c->meta, "system_identifier", json_object_get(row, "system_identifier"));
        json_decref(row);
    }
    return st == Q_FATAL ? Q_FATAL : Q_OK;
}

/* meta.extensions: the installed extensions with version and schema (what later sections may use).
 * Q_FATAL when the query fails. */
static qstatus_t collect_extensions(collector_t *c)
{
    json_t *rows;
    qstatus_t st = query_rows(c, "meta.extensions",
                              "SELECT e.extname AS name, e.extversion AS version, "
                              "n.nspname AS schema FROM pg_extension e "
                              "JOIN pg_namespace n ON n.oid = e.extnamespace ORDER BY 1",
                              0, NULL, &rows);
    if (st == Q_OK) {
        json_object_set_new(c->meta, "extensions", rows);
        c->extensions = rows;
    }
    return st;
}

/* The row of pg_settings called name in rows, or NULL. */
static json_t *settings_row(json_t *rows, const char *name)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *n = json_string_value(json_object_get(row, "name"));
        if (n && strcmp(n, name) == 0)
            return row;
    }
    return NULL;
}

/* Runs first in the transaction, before the collector changes any setting
 * of its session. */
static qstatus_t collect_settings(collector_t *c)
{
    json_t *rows;
    qstatus_t st = query_rows(c, "settings",
                              "SELECT name, setting, unit, vartype, source, context, boot_val, "
                              "reset_val, pending_restart, min_val, max_val "
                              "FROM pg_catalog.pg_settings ORDER BY name",
                              0, NULL, &rows);
    if (st != Q_OK)
        return st;
    /* BEGIN ISOLATION LEVEL ... READ ONLY changed these two for this
     * transaction only; the server's values are the defaults. */
    static const char *const pairs[][2] = {
        {"transaction_isolation", "default_transaction_isolation"},
        {"transaction_read_only", "default_transaction_read_only"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        json_t *ours = settings_row(rows, pairs[i][0]);
        json_t *def = settings_row(rows, pairs[i][1]);
        if (ours && def) {
            json_object_set(ours, "setting", json_object_get(def, "setting"));
            json_object_set(ours, "source", json_object_get(def, "source"));
        }
    }
    json_object_set_new(c->doc, "settings", rows);
    c->settings = rows;
    return Q_OK;
}

static int host_is_local_name(const char *h)
{
    return !h || !*h || h[0] == '/' || h[0] == '@' || strcmp(h, "localhost") == 0 ||
           strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0;
}

/* host: CPUs, memory and storage from the flags, else probed on this machine when the database is
 * local (coordinator/collect/host.h), and the cloud flag; what is unknown gets a note. Never
 * fails. */
static void collect_host(collector_t *c)
{
    const collect_opts_t *o = c->opts;
    json_t *host = c->host;
    if (o->cpus > 0)
        host_set(host, "cpus", json_integer(o->cpus), "flag");
    if (o->memory_bytes > 0)
        host_set(host, "memory_bytes", json_integer(o->memory_bytes), "flag");
    if (o->storage && *o->storage)
        host_set(host, "storage", json_string(o->storage), "flag");
    if (o->cloud && *o->cloud) {
        json_t *cloud;
        if (host_parse_cloud(o->cloud, &cloud, NULL) == 0)
            host_set(host, "cloud", cloud, "flag");
    }
    int need = !json_object_get(host, "cpus") || !json_object_get(host, "memory_bytes") ||
               !json_object_get(host, "storage");
    if (!need)
        return;

    const char *h = PQhost(c->conn);
    if (!host_is_local_name(h) || !c->server_loopback) {
        note(c,
             "host: the server is not on this machine (connected to %s); cpus, memory_bytes "
             "and storage are known only from --cpus, --memory and --storage",
             h ? h : "?");
        return;
    }
    host_roots_t roots = {"/proc", "/sys"};
    /* Read the server backend's own /proc entry: its CPU affinity and
     * cgroup may differ from the collector's. If it is not visible, the
     * server lives in another PID namespace (a container): its limits are
     * unknown from here. */
    char path[64], comm[64] = "";
    snprintf(path, sizeof path, "/proc/%d/comm", c->backend_pid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(comm, sizeof comm, f))
            comm[0] = '\0';
        fclose(f);
    }
    if (strncmp(comm, "postgres", 8) == 0) {
        host_probe_cpus_memory(&roots, (pid_t)c->backend_pid, host, c->notes);
    } else if (!json_object_get(host, "cpus") || !json_object_get(host, "memory_bytes")) {
        note(c,
             "host: the server's backend process %d is not visible in /proc here (another "
             "PID namespace or container); pass --cpus and --memory",
             c->backend_pid);
    }
    if (!json_object_get(host, "storage")) {
        const char *datadir = setting(c, "data_directory");
        if (!datadir)
            note(c,
                 "host.storage unknown: data_directory is visible only to superusers and "
                 "members of pg_read_all_settings (role %s); pass --storage",
                 c->role);
        else
            host_probe_storage(&roots, datadir, host, c->notes);
    }
}

/* Relations another session holds ACCESS EXCLUSIVE (ALTER TABLE, VACUUM
 * FULL, REINDEX, a migration's LOCK TABLE): the size functions,
 * pg_get_indexdef and pg_get_expr would wait for them until lock_timeout
 * and lose the whole section. They are left out of those calls instead
 * (their sizes and definitions become null, `locked` is true). A lock
 * taken after this query can still make a section wait; lock_timeout then
 * turns that into a note. */
static qstatus_t find_locked(collector_t *c)
{
    PGresult *r;
    qstatus_t st = query(c, "locked relations",
                         "SELECT COALESCE(array_agg(DISTINCT l.relation), '{}')::text, "
                         "string_agg(DISTINCT format('%s.%s', n.nspname, k.relname), ', ') "
                         "FROM pg_locks l JOIN pg_class k ON k.oid = l.relation "
                         "JOIN pg_namespace n ON n.oid = k.relnamespace "
                         "WHERE l.locktype = 'relation' AND l.mode = 'AccessExclusiveLock' "
                         "AND l.granted AND l.pid IS DISTINCT FROM pg_backend_pid() "
                         "AND l.database = (SELECT oid FROM pg_database "
                         "                  WHERE datname = current_database())",
                         0, NULL, &r);
    if (st != Q_OK) {
        c->locked_oids = xstrdup("{}");
        return st == Q_FATAL ? Q_FATAL : Q_OK;
    }
    c->locked_oids = xstrdup(PQgetvalue(r, 0, 0));
    if (!PQgetisnull(r, 0, 1)) {
        c->locked_names = xstrdup(PQgetvalue(r, 0, 1));
        note(c,
             "tables, columns, indexes: sizes, definitions and defaults of relations another "
             "session holds ACCESS EXCLUSIVE are null (locked: true): %s",
             c->locked_names);
    }
    PQclear(r);
    return Q_OK;
}

/* tables: every user table with size, statistics and vacuum counters (sizes skipped for tables
 * locked against us). Q_FATAL when the query fails. */
static qstatus_t collect_tables(collector_t *c)
{
    json_t *rows;
    qstatus_t st = query_rows(
        c, "tables",
        "SELECT n.nspname AS schema, c.relname AS name, c.oid::int8 AS oid, "
        "c.relkind::text AS kind, c.reltuples::float8 AS reltuples, c.relpages::int8 AS relpages, "
        "CASE WHEN NOT locked THEN pg_total_relation_size(c.oid) END AS total_bytes, "
        "CASE WHEN NOT locked THEN pg_relation_size(c.oid) END AS table_bytes, "
        "CASE WHEN NOT locked THEN pg_indexes_size(c.oid) END AS index_bytes, "
        "CASE WHEN c.reltoastrelid = 0 THEN 0 WHEN NOT locked "
        "  THEN pg_total_relation_size(c.reltoastrelid) END AS toast_bytes, locked, "
        "s.seq_scan, s.seq_tup_read, s.idx_scan, s.idx_tup_fetch, s.n_tup_ins, s.n_tup_upd, "
        "s.n_tup_del, s.n_tup_hot_upd, s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze, "
        "s.n_ins_since_vacuum, s.vacuum_count, s.autovacuum_count, s.analyze_count, "
        "s.autoanalyze_count, s.last_vacuum, s.last_autovacuum, s.last_analyze, "
        "s.last_autoanalyze, io.heap_blks_read, io.heap_blks_hit, io.idx_blks_read, "
        "io.idx_blks_hit, io.toast_blks_read, io.toast_blks_hit, c.reloptions, "
        "CASE c.relreplident WHEN 'd' THEN 'default' WHEN 'n' THEN 'nothing' "
        "  WHEN 'f' THEN 'full' WHEN 'i' THEN 'index' END AS replica_identity, "
        "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p') "
        "  AS has_primary_key, "
        "c.relispartition AS is_partition, "
        "(SELECT pn.nspname || '.' || pc.relname FROM pg_inherits i "
        "  JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = "
        "  pc.relnamespace WHERE i.inhrelid = c.oid AND c.relispartition LIMIT 1) AS parent "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "CROSS JOIN LATERAL (SELECT (c.oid = ANY ($1::oid[]) OR c.reltoastrelid = ANY ($1::oid[]) "
        "  OR EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = c.oid "
        "             AND x.indexrelid = ANY ($1::oid[]))) AS locked) lk "
        "LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid "
        "LEFT JOIN pg_statio_all_tables io ON io.relid = c.oid "
        "WHERE c.relkind IN ('r', 'p', 'm') AND " USER_SCHEMAS " ORDER BY 1, 2",
        1, (const char *const[]){c->locked_oids}, &rows);
    if (st == Q_OK)
        json_object_set_new(c->doc, "tables", rows);
    return st;
}

/* columns: pg_stats per column (null fraction, distinct values, most common values, histogram,
 * correlation). Q_FATAL when the query fails. */
static qstatus_t collect_columns(collector_t *c)
{
    /* pg_stats: most_common_vals and histogram_bounds are anyarray, whose
     * text form is the array literal of the column's type: pgjson reads it
     * as an array of strings, each element's text exactly as PostgreSQL
     * prints it. The float4 statistics stay float4 so they print (and
     * parse) as their shortest decimal (0.1, not 0.10000000149011612). A
     * partitioned table has only inherited statistics; a plain table's own
     * are the non-inherited ones. pg_stats hides rows of columns the role
     * may not SELECT (and of tables under row security): stats_visible says
     * which null statistics mean "not visible" rather than "not analyzed". */
    json_t *rows;
    qstatus_t st =
        query_rows(c, "columns",
                   "SELECT n.nspname AS schema, c.relname AS \"table\", a.attname AS name, "
                   "a.attnum::int8 AS attnum, format_type(a.atttypid, a.atttypmod) AS type, "
                   "a.attnotnull AS not_null, CASE WHEN NOT a.attrelid = ANY ($1::oid[]) "
                   "  THEN pg_get_expr(d.adbin, d.adrelid, true) END AS \"default\", "
                   "s.null_frac, s.avg_width::float4 AS avg_width, s.n_distinct, "
                   "s.correlation, s.most_common_vals, s.most_common_freqs, "
                   "s.histogram_bounds, "
                   "(has_column_privilege(c.oid, a.attnum, 'SELECT') AND "
                   " NOT (c.relrowsecurity AND row_security_active(c.oid))) AS stats_visible "
                   "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
                   "JOIN pg_namespace n ON n.oid = c.relnamespace "
                   "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
                   "LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname "
                   "  AND s.attname = a.attname AND s.inherited = (c.relkind = 'p') "
                   "WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'm') "
                   "AND " USER_SCHEMAS " ORDER BY 1, 2, a.attnum",
                   1, (const char *const[]){c->locked_oids}, &rows);
    if (st != Q_OK)
        return st;
    size_t i, hidden = 0;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        if (json_is_false(json_object_get(row, "stats_visible")))
            hidden++;
    }
    if (hidden > 0)
        note(c,
             "columns: pg_stats hides statistics of %zu columns from role %s (no SELECT "
             "privilege or row security): their stats fields are null; grant SELECT or "
             "pg_read_all_data",
             hidden, c->role);
    json_object_set_new(c->doc, "columns", rows);
    return Q_OK;
}

/* indexes: definitions, key and INCLUDE columns, predicate, validity, size and usage counters.
 * Q_FATAL when the query fails. */
static qstatus_t collect_indexes(collector_t *c)
{
    /* Key columns are 1..indnkeyatts, INCLUDE columns the rest up to
     * indnatts. indkey holds 0 for an expression: its text comes from
     * pg_get_indexdef(oid, k, true); a plain column is named by attname,
     * unquoted, so it compares equal to columns[].name. pg_get_indexdef
     * and pg_get_expr lock the table: not called for locked relations. */
    json_t *rows;
    qstatus_t st = query_rows(
        c, "indexes",
        "SELECT n.nspname AS schema, t.relname AS \"table\", ic.relname AS name, "
        "ic.oid::int8 AS oid, "
        "CASE WHEN NOT locked THEN pg_get_indexdef(i.indexrelid) END AS definition, "
        "am.amname AS method, "
        "ARRAY(SELECT CASE WHEN i.indkey[k - 1] <> 0 THEN (SELECT a.attname::text "
        "  FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]) "
        "  WHEN NOT locked THEN pg_get_indexdef(i.indexrelid, k, true) END "
        "  FROM generate_series(1, i.indnkeyatts) k ORDER BY k)::text[] AS columns, "
        "ARRAY(SELECT CASE WHEN i.indkey[k - 1] <> 0 THEN (SELECT a.attname::text "
        "  FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[k - 1]) "
        "  WHEN NOT locked THEN pg_get_indexdef(i.indexrelid, k, true) END "
        "  FROM generate_series(i.indnkeyatts + 1, i.indnatts) k ORDER BY k)::text[] AS include, "
        "CASE WHEN NOT locked THEN pg_get_expr(i.indpred, i.indrelid, true) END AS predicate, "
        "i.indisunique AS is_unique, i.indisprimary AS is_primary, i.indisvalid AS is_valid, "
        "i.indisready AS is_ready, i.indisexclusion AS is_exclusion, "
        "(con.oid IS NOT NULL) AS backs_constraint, i.indisreplident AS is_replica_identity, "
        "con.conname AS \"constraint\", s.idx_scan, s.idx_tup_read, s.idx_tup_fetch, "
        "CASE WHEN NOT locked THEN pg_relation_size(i.indexrelid) END AS size_bytes, locked "
        "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
        "CROSS JOIN LATERAL (SELECT (i.indexrelid = ANY ($1::oid[]) "
        "  OR i.indrelid = ANY ($1::oid[])) AS locked) lk "
        "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
        "JOIN pg_am am ON am.oid = ic.relam "
        "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid "
        "  AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x') "
        "LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = i.indexrelid "
        "WHERE t.relkind IN ('r', 'p', 'm') AND " USER_SCHEMAS " ORDER BY 1, 2, 3",
        1, (const char *const[]){c->locked_oids}, &rows);
    if (st == Q_OK)
        json_object_set_new(c->doc, "indexes", rows);
    return st;
}

/* constraints: primary keys, unique, foreign keys and checks with their columns. Q_FATAL when the
 * query fails. */
static qstatus_t collect_constraints(collector_t *c)
{
    json_t *rows;
    qstatus_t st = query_rows(
        c, "constraints",
        "SELECT n.nspname AS schema, t.relname AS \"table\", k.conname AS name, "
        "k.contype::text AS type, pg_get_constraintdef(k.oid, true) AS definition, "
        "ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(attnum, ord) "
        "  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.attnum "
        "  ORDER BY u.ord)::text[] AS columns, "
        "rn.nspname AS ref_schema, rt.relname AS ref_table, "
        "CASE WHEN k.contype = 'f' THEN ARRAY(SELECT a.attname::text "
        "  FROM unnest(k.confkey) WITH ORDINALITY u(attnum, ord) "
        "  JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.attnum "
        "  ORDER BY u.ord)::text[] END AS ref_columns, "
        "k.convalidated AS validated, k.condeferrable AS deferrable, "
        "CASE WHEN k.contype = 'f' THEN k.confupdtype::text END AS on_update, "
        "CASE WHEN k.contype = 'f' THEN k.confdeltype::text END AS on_delete "
        "FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace "
        "LEFT JOIN pg_class rt ON rt.oid = k.confrelid "
        "LEFT JOIN pg_namespace rn ON rn.oid = rt.relnamespace "
        "WHERE t.relkind IN ('r', 'p', 'm') AND " USER_SCHEMAS " ORDER BY 1, 2, 3",
        0, NULL, &rows);
    if (st == Q_OK)
        json_object_set_new(c->doc, "constraints", rows);
    return st;
}

/* The note for a section whose extension is missing: CREATE EXTENSION when its library is
 * preloaded, else also the preload step. */
static void missing_extension_note(collector_t *c, const char *section, const char *ext)
{
    const char *preload = setting(c, "shared_preload_libraries");
    if (preload && strstr(preload, ext))
        note(c,
             "%s: extension %s is not installed in database \"%s\" (the library is already in "
             "shared_preload_libraries): run \"CREATE EXTENSION %s\" in that database",
             section, ext, c->database, ext);
    else
        note(c,
             "%s: extension %s is not installed in database \"%s\"; to enable it add %s to "
             "shared_preload_libraries, restart the server, then run \"CREATE EXTENSION %s\" "
             "in that database",
             section, ext, c->database, ext, ext);
}

/* Plan fingerprints of the top statements by time (coordinator/collect/planprint.h):
 * what the history compares to tell a plan change. */
static qstatus_t collect_plans(collector_t *c)
{
    json_t *st = json_object_get(c->doc, "statements");
    if (!json_is_array(st) || json_array_size(st) == 0)
        return Q_OK;
    planprint_opts_t po;
    planprint_opts_init(&po);
    size_t done = 0, skipped = 0;
    err_t e;
    if (planprint_statements(c->pg, st, &po, &done, &skipped, &e) != 0) {
        err_set(c->err, "collecting %s", e.msg);
        return Q_FATAL;
    }
    json_object_set_new(c->meta, "plan_fingerprints",
                        json_pack("{s:I, s:I, s:I, s:I}", "fingerprinted", (json_int_t)done,
                                  "not_planned", (json_int_t)skipped, "max_statements",
                                  (json_int_t)po.max_statements, "timeout_ms",
                                  (json_int_t)po.timeout_ms));
    return Q_OK;
}

/* statements: pg_stat_statements (texts, calls, times, I/O), or a note saying why there are none.
 * Q_FATAL when the query fails. */
static qstatus_t collect_statements(collector_t *c)
{
    json_t *ext = extension(c, "pg_stat_statements");
    if (!ext) {
        if (c->extensions)
            missing_extension_note(c, "statements", "pg_stat_statements");
        return Q_OK;
    }
    int v = ext_version(ext);
    char *schema = quoted_schema(c, ext);
    if (!schema)
        return Q_OK;
    /* Column names changed over the extension's versions: 1.8 split
     * total_time into plan and exec time and added WAL counters, 1.9 added
     * toplevel, 1.11 renamed blk_read_time to shared_blk_read_time. */
    const char *times = v >= 108 ? "s.total_exec_time, s.mean_exec_time, s.min_exec_time, "
                                   "s.max_exec_time, s.stddev_exec_time, s.total_plan_time, "
                                   "s.plans, "
                                 : "s.total_time AS total_exec_time, s.mean_time AS "
                                   "mean_exec_time, s.min_time AS min_exec_time, s.max_time AS "
                                   "max_exec_time, s.stddev_time AS stddev_exec_time, ";
    const char *io = v >= 111 ? "s.shared_blk_read_time AS blk_read_time, "
                                "s.shared_blk_write_time AS blk_write_time, "
                              : "s.blk_read_time, s.blk_write_time, ";
    char sql[4096];
    snprintf(sql, sizeof sql,
             "SELECT s.queryid, s.userid::int8 AS userid, s.dbid::int8 AS dbid, %s s.query, "
             "s.calls, s.rows, %s %s %s %s"
             "s.shared_blks_hit, s.shared_blks_read, s.shared_blks_dirtied, "
             "s.shared_blks_written, s.local_blks_hit, s.local_blks_read, "
             "s.local_blks_dirtied, s.local_blks_written, s.temp_blks_read, s.temp_blks_written "
             "FROM %s.pg_stat_statements s "
             "WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
             "AND s.query NOT LIKE '%s' "
             "ORDER BY s.total_%s DESC, s.queryid",
             v >= 109 ? "s.toplevel," : "", times, io,
             v >= 108 ? "s.wal_records, s.wal_fpi, s.wal_bytes::int8 AS wal_bytes, " : "",
             v >= 110 ? "s.temp_blk_read_time, s.temp_blk_write_time, " : "", schema,
             PGOPT_SQL_MARK_LIKE, v >= 108 ? "exec_time" : "time");
    json_t *rows;
    qstatus_t st = query_rows(c, "statements", sql, 0, NULL, &rows);
    if (st == Q_OK) {
        /* Entries of other roles show a NULL queryid and
         * "<insufficient privilege>" without pg_read_all_stats: nothing to
         * analyse there, so they are counted and dropped. */
        json_t *kept = json_array();
        size_t i, hidden = 0;
        json_t *row;
        json_array_foreach(rows, i, row)
        {
            if (json_is_null(json_object_get(row, "queryid")))
                hidden++;
            else
                json_array_append(kept, row);
        }
        json_decref(rows);
        if (hidden > 0)
            note(c,
                 "statements: %zu pg_stat_statements entries of other roles are hidden from "
                 "role %s (grant pg_read_all_stats or pg_monitor)",
                 hidden, c->role);
        json_object_set_new(c->doc, "statements", kept);
    }
    if (st == Q_FATAL || v < 109) {
        PQfreemem(schema);
        return st;
    }
    snprintf(sql, sizeof sql, "SELECT dealloc, stats_reset FROM %s.pg_stat_statements_info",
             schema);
    PQfreemem(schema);
    json_t *info;
    qstatus_t st2 = query_row(c, "statements (pg_stat_statements_info)", sql, &info);
    if (st2 == Q_OK) {
        set_stats_reset(c, "pg_stat_statements", json_object_get(info, "stats_reset"));
        json_int_t dealloc = json_integer_value(json_object_get(info, "dealloc"));
        if (dealloc > 0) {
            const char *max = setting(c, "pg_stat_statements.max");
            note(c,
                 "statements: pg_stat_statements evicted the least-executed entries %lld times "
                 "since its last reset (pg_stat_statements.max=%s): rare statements are "
                 "missing",
                 (long long)dealloc, max ? max : "?");
        }
        json_decref(info);
    }
    return st2 == Q_FATAL ? Q_FATAL : st;
}

/* qualstats: the predicates pg_qualstats recorded (optional extension; a note when absent).
 * Q_FATAL when the query fails. */
static qstatus_t collect_qualstats(collector_t *c)
{
    json_t *ext = extension(c, "pg_qualstats");
    if (!ext) {
        if (c->extensions)
            note(c,
                 "qualstats: extension pg_qualstats is not installed in database \"%s\" "
                 "(optional: it records which predicates queries filter on)",
                 c->database);
        return Q_OK;
    }
    if (ext_version(ext) < 200) {
        note(c, "qualstats: pg_qualstats %s is older than 2.0 and not supported",
             json_string_value(json_object_get(ext, "version")));
        return Q_OK;
    }
    char *schema = quoted_schema(c, ext);
    if (!schema)
        return Q_OK;
    char sql[3072];
    snprintf(sql, sizeof sql,
             "SELECT q.queryid, ln.nspname AS schema, lc.relname AS \"table\", "
             "la.attname AS \"column\", q.opno::int8 AS opno, o.oprname::text AS operator, "
             "q.qualnodeid, q.qualid, q.uniquequalnodeid, q.occurences, q.execution_count, "
             "q.nbfiltered, q.constant_position, q.eval_type::text AS eval_type, "
             "rn.nspname AS ref_schema, rc.relname AS ref_table, ra.attname AS ref_column, "
             "q.mean_err_estimate_ratio, q.mean_err_estimate_num, q.constvalue::text AS "
             "constvalue "
             "FROM %s.pg_qualstats q "
             "LEFT JOIN pg_class lc ON lc.oid = q.lrelid "
             "LEFT JOIN pg_namespace ln ON ln.oid = lc.relnamespace "
             "LEFT JOIN pg_attribute la ON la.attrelid = q.lrelid AND la.attnum = q.lattnum "
             "LEFT JOIN pg_class rc ON rc.oid = q.rrelid "
             "LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace "
             "LEFT JOIN pg_attribute ra ON ra.attrelid = q.rrelid AND ra.attnum = q.rattnum "
             "LEFT JOIN pg_operator o ON o.oid = q.opno "
             "WHERE q.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
             "ORDER BY q.execution_count DESC, q.qualnodeid",
             schema);
    PQfreemem(schema);
    json_t *rows;
    qstatus_t st = query_rows(c, "qualstats", sql, 0, NULL, &rows);
    if (st == Q_OK)
        json_object_set_new(c->doc, "qualstats", rows);
    return st;
}

/* database: pg_stat_database counters and size of this database. Q_FATAL when the query fails. */
static qstatus_t collect_database(collector_t *c)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT d.datname AS name, pg_database_size(d.oid) AS size_bytes, "
             "s.numbackends::int8 AS numbackends, s.xact_commit, s.xact_rollback, s.blks_read, "
             "s.blks_hit, s.tup_returned, s.tup_fetched, s.tup_inserted, s.tup_updated, "
             "s.tup_deleted, s.conflicts, s.temp_files, s.temp_bytes, s.deadlocks, "
             "s.blk_read_time, s.blk_write_time, %s s.stats_reset, "
             "age(d.datfrozenxid)::int8 AS age_datfrozenxid, "
             "mxid_age(d.datminmxid)::int8 AS age_datminmxid, "
             "pg_encoding_to_char(d.encoding) AS encoding, d.datcollate AS collate "
             "FROM pg_database d JOIN pg_stat_database s ON s.datid = d.oid "
             "WHERE d.datname = current_database()",
             c->server_version_num >= 140000
                 ? "s.session_time, s.active_time, s.idle_in_transaction_time, s.sessions, "
                   "s.sessions_abandoned, s.sessions_fatal, s.sessions_killed, "
                 : "");
    json_t *row;
    qstatus_t st = query_row(c, "database", sql, &row);
    if (st == Q_OK) {
        set_stats_reset(c, "database", json_object_get(row, "stats_reset"));
        json_object_set_new(c->doc, "database", row);
    }
    return st;
}

/* bgwriter: checkpoint and buffer-write counters (pg_stat_bgwriter, or its PostgreSQL 17
 * successors under the same names). Q_FATAL when the query fails. */
static qstatus_t collect_bgwriter(collector_t *c)
{
    /* PostgreSQL 17 moved the checkpointer's counters to
     * pg_stat_checkpointer and backend writes to pg_stat_io; the field
     * names of the snapshot stay those of pg_stat_bgwriter. */
    const char *sql =
        c->server_version_num >= 170000
            ? "SELECT k.num_timed AS checkpoints_timed, k.num_requested AS checkpoints_req, "
              "k.write_time AS checkpoint_write_time, k.sync_time AS checkpoint_sync_time, "
              "k.buffers_written AS buffers_checkpoint, b.buffers_clean, b.maxwritten_clean, "
              "b.buffers_alloc, b.stats_reset, k.stats_reset AS checkpointer_stats_reset, "
              "extract(epoch FROM now() - b.stats_reset)::float8 AS seconds_since_reset "
              "FROM pg_stat_checkpointer k, pg_stat_bgwriter b"
            : "SELECT checkpoints_timed, checkpoints_req, checkpoint_write_time, "
              "checkpoint_sync_time, buffers_checkpoint, buffers_clean, maxwritten_clean, "
              "buffers_backend, buffers_backend_fsync, buffers_alloc, stats_reset, "
              "extract(epoch FROM now() - stats_reset)::float8 AS seconds_since_reset "
              "FROM pg_stat_bgwriter";
    json_t *row;
    qstatus_t st = query_row(c, "bgwriter", sql, &row);
    if (st == Q_FATAL)
        return st;
    json_t *bg = st == Q_OK ? row : json_object();
    set_stats_reset(c, "bgwriter", json_object_get(bg, "stats_reset"));
    json_object_set_new(c->doc, "bgwriter", bg);
    if (c->server_version_num < 140000) {
        note(c, "bgwriter.wal: pg_stat_wal exists from PostgreSQL 14 on");
        return Q_OK;
    }
    st = query_row(c, "bgwriter.wal",
                   "SELECT wal_records, wal_fpi, wal_bytes::int8 AS wal_bytes, wal_buffers_full, "
                   "wal_write, wal_sync, wal_write_time, wal_sync_time, stats_reset, "
                   "extract(epoch FROM now() - stats_reset)::float8 AS seconds_since_reset "
                   "FROM pg_stat_wal",
                   &row);
    if (st == Q_OK) {
        set_stats_reset(c, "wal", json_object_get(row, "stats_reset"));
        json_object_set_new(bg, "wal", row);
    }
    return st;
}

/* activity: sessions by state, waits and locks held or awaited in this database, without the
 * collector's own backend. Q_FATAL when a query fails. */
static qstatus_t collect_activity(collector_t *c)
{
    /* The collector's own backend is left out everywhere: the snapshot
     * describes the workload, not its observer. */
    json_t *act = json_object();
    json_object_set_new(c->doc, "activity", act);
    json_t *row;
    qstatus_t st = query_row(
        c, "activity",
        "SELECT count(*) FILTER (WHERE backend_type = 'client backend') AS total, "
        "current_setting('max_connections')::int8 AS max_connections, "
        "current_setting('superuser_reserved_connections')::int8 AS "
        "superuser_reserved_connections, "
        "(max(GREATEST(0, extract(epoch FROM clock_timestamp() - xact_start))) "
        "  FILTER (WHERE backend_type = 'client backend'))::float8 AS longest_transaction_s, "
        "(max(GREATEST(0, extract(epoch FROM clock_timestamp() - query_start))) "
        "  FILTER (WHERE backend_type = 'client backend' AND state = 'active'))::float8 "
        "  AS longest_query_s, "
        "count(*) FILTER (WHERE backend_type = 'client backend' AND state IS NULL) "
        "  AS not_visible "
        "FROM pg_stat_activity WHERE pid <> pg_backend_pid()",
        &row);
    if (st == Q_FATAL)
        return st;
    if (st == Q_OK) {
        json_int_t hidden = json_integer_value(json_object_get(row, "not_visible"));
        if (hidden > 0)
            note(c,
                 "activity: the state of %lld sessions of other roles is not visible to role "
                 "%s (counted as \"unknown\"; grant pg_read_all_stats or pg_monitor)",
                 (long long)hidden, c->role);
        json_object_del(row, "not_visible");
        json_object_update(act, row);
        json_decref(row);
    }

    json_t *rows;
    st = query_rows(c, "activity.by_state",
                    "SELECT COALESCE(state, 'unknown') AS state, count(*) AS count "
                    "FROM pg_stat_activity WHERE backend_type = 'client backend' "
                    "AND pid <> pg_backend_pid() GROUP BY 1 ORDER BY 1",
                    0, NULL, &rows);
    if (st == Q_FATAL)
        return st;
    if (st == Q_OK) {
        json_t *by_state = json_object();
        size_t i;
        json_array_foreach(rows, i, row)
            json_object_set(by_state, json_string_value(json_object_get(row, "state")),
                            json_object_get(row, "count"));
        json_decref(rows);
        json_object_set_new(act, "by_state", by_state);
    }

    static const struct {
        const char *key;
        const char *sql;
    } lists[] = {
        {"by_application",
         "SELECT application_name, COALESCE(state, 'unknown') AS state, count(*) AS count "
         "FROM pg_stat_activity WHERE backend_type = 'client backend' "
         "AND pid <> pg_backend_pid() GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"},
        /* An idle session always "waits" for its client: not a wait. */
        {"waiting", "SELECT wait_event_type, wait_event, count(*) AS count FROM pg_stat_activity "
                    "WHERE wait_event IS NOT NULL AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend' AND state IS DISTINCT FROM 'idle' "
                    "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"},
        /* The same for this database only: what attribution compares (the
         * cluster-wide list also counts other databases' lock waits). */
        {"waiting_here", "SELECT wait_event_type, wait_event, count(*) AS count FROM "
                         "pg_stat_activity WHERE wait_event IS NOT NULL "
                         "AND pid <> pg_backend_pid() AND datname = current_database() "
                         "AND backend_type = 'client backend' AND state IS DISTINCT FROM 'idle' "
                         "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2"},
        {"locks", "SELECT mode, granted, count(*) AS count FROM pg_locks "
                  "WHERE pid IS DISTINCT FROM pg_backend_pid() GROUP BY 1, 2 ORDER BY 1, 2"},
        {"replication",
         "SELECT application_name, client_addr::text AS client_addr, state, sync_state, "
         "extract(epoch FROM write_lag)::float8 AS write_lag_s, "
         "extract(epoch FROM flush_lag)::float8 AS flush_lag_s, "
         "extract(epoch FROM replay_lag)::float8 AS replay_lag_s "
         "FROM pg_stat_replication ORDER BY 1, 2"},
        {"replication_slots",
         "SELECT slot_name::text AS slot_name, slot_type, active, "
         "CASE WHEN pg_is_in_recovery() THEN NULL ELSE "
         "  pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::int8 END AS retained_bytes "
         "FROM pg_replication_slots ORDER BY 1"},
    };
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
        char what[64];
        snprintf(what, sizeof what, "activity.%s", lists[k].key);
        st = query_rows(c, what, lists[k].sql, 0, NULL, &rows);
        if (st == Q_FATAL)
            return st;
        if (st == Q_OK)
            json_object_set_new(act, lists[k].key, rows);
    }
    return Q_OK;
}

/* timescaledb: hypertables, chunks, compression and jobs when the extension (2.0 or later) is
 * installed. Q_FATAL when a query fails. */
static qstatus_t collect_timescaledb(collector_t *c)
{
    json_t *ext = extension(c, "timescaledb");
    if (!ext)
        return Q_OK; /* not a TimescaleDB database: nothing to say */
    if (ext_version(ext) < 200) {
        note(c, "timescaledb: version %s is older than 2.0 and not supported",
             json_string_value(json_object_get(ext, "version")));
        return Q_OK;
    }
    char *schema = quoted_schema(c, ext);
    if (!schema)
        return Q_OK;
    json_t *ts = json_object();
    json_object_set(ts, "version", json_object_get(ext, "version"));
    json_object_set_new(c->doc, "timescaledb", ts);

    /* Sizes come from the informational functions, called once per
     * hypertable (not once per chunk). */
    char sql[4096];
    snprintf(sql, sizeof sql,
             "SELECT h.hypertable_schema::text AS schema, h.hypertable_name::text AS name, "
             "d.column_name::text AS time_column, "
             "(extract(epoch FROM d.time_interval) * 1000000)::int8 AS chunk_time_interval_us, "
             "d.integer_interval::int8 AS chunk_integer_interval, "
             "h.num_chunks::int8 AS num_chunks, h.compression_enabled, "
             "sz.total_bytes::int8 AS total_bytes, sz.index_bytes::int8 AS index_bytes "
             "FROM timescaledb_information.hypertables h "
             "LEFT JOIN timescaledb_information.dimensions d "
             "  ON d.hypertable_schema = h.hypertable_schema "
             "  AND d.hypertable_name = h.hypertable_name AND d.dimension_number = 1 "
             "LEFT JOIN LATERAL %s.hypertable_detailed_size(format('%%I.%%I', "
             "  h.hypertable_schema, h.hypertable_name)::regclass) sz ON true "
             "ORDER BY 1, 2",
             schema);
    json_t *hypertables;
    qstatus_t st = query_rows(c, "timescaledb.hypertables", sql, 0, NULL, &hypertables);
    if (st != Q_OK) {
        PQfreemem(schema);
        return st;
    }
    json_object_set_new(ts, "hypertables", hypertables);

    snprintf(sql, sizeof sql,
             "WITH sizes AS (SELECT s.* FROM timescaledb_information.hypertables h, "
             "  LATERAL %s.chunks_detailed_size(format('%%I.%%I', h.hypertable_schema, "
             "  h.hypertable_name)::regclass) s) "
             "SELECT c.hypertable_schema::text AS hypertable_schema, "
             "c.hypertable_name::text AS hypertable_name, c.chunk_schema::text AS schema, "
             "c.chunk_name::text AS name, c.range_start, c.range_end, "
             "c.range_start_integer::int8 AS range_start_integer, "
             "c.range_end_integer::int8 AS range_end_integer, c.is_compressed, "
             "s.total_bytes::int8 AS total_bytes, s.index_bytes::int8 AS index_bytes "
             "FROM timescaledb_information.chunks c LEFT JOIN sizes s "
             "  ON s.chunk_schema = c.chunk_schema AND s.chunk_name = c.chunk_name "
             "ORDER BY 1, 2, c.range_start, c.range_start_integer, 4",
             schema);
    PQfreemem(schema);
    json_t *chunks;
    st = query_rows(c, "timescaledb.chunks", sql, 0, NULL, &chunks);
    if (st == Q_FATAL)
        return st;
    if (st == Q_OK) {
        /* Nest each chunk under its hypertable. Both lists are sorted by
         * (schema, name), so one merge pass suffices. */
        size_t h = 0, i;
        json_t *chunk;
        size_t nh = json_array_size(hypertables);
        for (size_t k = 0; k < nh; k++)
            json_object_set_new(json_array_get(hypertables, k), "chunks", json_array());
        json_array_foreach(chunks, i, chunk)
        {
            const char *cs = json_string_value(json_object_get(chunk, "hypertable_schema"));
            const char *cn = json_string_value(json_object_get(chunk, "hypertable_name"));
            while (h < nh) {
                json_t *ht = json_array_get(hypertables, h);
                const char *hs = json_string_value(json_object_get(ht, "schema"));
                const char *hn = json_string_value(json_object_get(ht, "name"));
                if (cs && cn && hs && hn && strcmp(cs, hs) == 0 && strcmp(cn, hn) == 0) {
                    json_object_del(chunk, "hypertable_schema");
                    json_object_del(chunk, "hypertable_name");
                    json_array_append(json_object_get(ht, "chunks"), chunk);
                    break;
                }
                h++;
            }
            if (h == nh)
                break;
        }
        json_decref(chunks);
    }
    json_t *rows;
    st = query_rows(c, "timescaledb.settings",
                    "SELECT name, setting FROM pg_settings WHERE name LIKE 'timescaledb.%' "
                    "ORDER BY name",
                    0, NULL, &rows);
    if (st == Q_OK) {
        json_t *settings = json_object();
        size_t i;
        json_t *row;
        json_array_foreach(rows, i, row)
            json_object_set(settings, json_string_value(json_object_get(row, "name")),
                            json_object_get(row, "setting"));
        json_decref(rows);
        json_object_set_new(ts, "settings", settings);
    }
    return st == Q_FATAL ? Q_FATAL : Q_OK;
}

/* ---- connection ---- */

/* Appends key='value' (quoted for conninfo syntax) to buf. */
static void append_kv(char *buf, size_t len, const char *key, const char *val)
{
    size_t o = strlen(buf);
    if (o + 1 >= len)
        return;
    int plain = *val != '\0';
    for (const char *p = val; *p; p++)
        if (*p == ' ' || *p == '\'' || *p == '\\' || *p == '\t' || *p == '\n')
            plain = 0;
    o += (size_t)snprintf(buf + o, len - o, "%s%s=", o ? " " : "", key);
    if (o >= len)
        return;
    if (plain) {
        snprintf(buf + o, len - o, "%s", val);
        return;
    }
    buf[o++] = '\'';
    for (const char *p = val; *p && o + 3 < len; p++) {
        if (*p == '\'' || *p == '\\')
            buf[o++] = '\\';
        buf[o++] = *p;
    }
    if (o + 1 < len)
        buf[o++] = '\'';
    buf[o] = '\0';
}

int collect_redact_conninfo(const char *conninfo, char *out, size_t len, err_t *err)
{
    if (len == 0)
        return err_set(err, "redacting a connection string: no room");
    out[0] = '\0';
    if (!conninfo || !*conninfo)
        return 0;
    char *errmsg = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &errmsg);
    if (!opts) {
        char line[400];
        one_line(errmsg ? errmsg : "out of memory", line, sizeof line);
        PQfreemem(errmsg);
        return err_set(err, "bad connection string: %s", line);
    }
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (o->val && strcmp(o->keyword, "password") != 0)
            append_kv(out, len, o->keyword, o->val);
    PQconninfoFree(opts);
    return 0;
}

/* libpq's connection failure text, one line per attempted address with
 * the "connection to server at ... failed: " prefix (the caller already
 * names host and port) and hint lines dropped. */
static void connect_reason(const char *msg, char *out, size_t len)
{
    out[0] = '\0';
    size_t o = 0;
    const char *p = msg ? msg : "";
    while (*p) {
        size_t n = strcspn(p, "\n");
        if (n > 0 && p[0] != '\t' && p[0] != ' ') {
            char line[512];
            snprintf(line, sizeof line, "%.*s", (int)n, p);
            const char *reason = line;
            const char *f = strstr(line, " failed: ");
            if (strncmp(line, "connection to server", 20) == 0 && f)
                reason = f + strlen(" failed: ");
            char clean[512];
            one_line(reason, clean, sizeof clean);
            if (clean[0] && (o == 0 || !strstr(out, clean))) {
                o += (size_t)snprintf(out + o, len > o ? len - o : 0, "%s%s", o ? "; " : "", clean);
                if (o >= len)
                    break;
            }
        }
        p += n;
        if (*p == '\n')
            p++;
    }
    if (!out[0])
        snprintf(out, len, "unknown error");
}

/* Connects with the conninfo (refusing one that cannot be parsed) under the collection's deadline.
 * -1 with the error set, naming the server when the connection fails. */
static int connect_db(collector_t *c)
{
    const char *ci = c->opts->conninfo;
    if (ci && *ci) {
        char *errmsg = NULL;
        PQconninfoOption *parsed = PQconninfoParse(ci, &errmsg);
        if (!parsed) {
            char line[400];
            one_line(errmsg ? errmsg : "out of memory", line, sizeof line);
            PQfreemem(errmsg);
            return err_set(c->err, "bad connection string: %s", line);
        }
        PQconninfoFree(parsed);
    }
    /* Later keywords win over the expanded dbname string: the collector
     * always names itself and always talks UTF-8 (the snapshot is UTF-8).
     * connect_timeout comes first so that the user's own value wins. */
    const char *const keys[] = {"dbname", "application_name", "client_encoding", NULL};
    const char *const vals[] = {ci && *ci ? ci : NULL, APPLICATION_NAME, "UTF8", NULL};
    char what[64];
    snprintf(what, sizeof what, "(--collect-timeout %lld ms)",
             (long long)c->opts->collect_timeout_ms);
    pgconn_bounds_t b = {.deadline_at = c->deadline_at, .what = what};
    err_t cerr = {{0}};
    int rc = pgconn_open(keys, vals, &b, &c->pg, &cerr);
    c->conn = pgconn_pq(c->pg);
    if (rc != 0 && !c->conn)
        return err_set(c->err, "connecting: %s", cerr.msg);
    if (rc != 0) {
        char reason[400];
        if (pgconn_timed_out(c->pg))
            snprintf(reason, sizeof reason, "%s", cerr.msg);
        else
            connect_reason(PQerrorMessage(c->conn), reason, sizeof reason);
        const char *h = PQhost(c->conn), *p = PQport(c->conn), *d = PQdb(c->conn),
                   *u = PQuser(c->conn);
        return err_set(c->err, "connecting to host=%s port=%s dbname=%s user=%s: %s",
                       h && *h ? h : "(default)", p && *p ? p : "(default)", d ? d : "", u ? u : "",
                       reason);
    }
    PQsetNoticeProcessor(c->conn, NULL, NULL);
    return 0;
}

static int begin_transaction(collector_t *c)
{
    return exec_simple(c, "the read-only transaction",
                       "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") == Q_OK
               ? 0
               : -1;
}

/* Session settings for the collector's own queries. They run after the
 * settings section was read, so that section shows the server's values and
 * not these. */
static int set_session(collector_t *c)
{
    char sql[1024];
    /* jit off: the catalog queries of a large schema cross jit_above_cost
     * and would spend more time compiling than running. search_path is
     * pinned so that no user object can shadow a catalog function. */
    snprintf(sql, sizeof sql,
             /* pgconn marks every statement of the string (pg_stat_statements
              * records each separately): common/pgmark.h */
             "SET LOCAL statement_timeout = %d; "
             "SET LOCAL lock_timeout = %d; "
             "SET LOCAL search_path = pg_catalog, pg_temp; "
             "SET LOCAL TimeZone = 'UTC'; "
             "SET LOCAL DateStyle = 'ISO, YMD'; "
             "SET LOCAL IntervalStyle = 'postgres'; "
             "SET LOCAL extra_float_digits = 3; SET LOCAL jit = off",
             c->opts->statement_timeout_ms > 0 ? c->opts->statement_timeout_ms : 0,
             c->opts->lock_timeout_ms > 0 ? c->opts->lock_timeout_ms : 0);
    return exec_simple(c, "the read-only transaction", sql) == Q_OK ? 0 : -1;
}

/* target.dsn: how workers reach this database for what-if analysis (host, port, database, user of
 * the live connection; never a password). */
static void add_target(collector_t *c)
{
    char dsn[2048] = "";
    const char *h = PQhost(c->conn), *p = PQport(c->conn), *d = PQdb(c->conn), *u = PQuser(c->conn);
    if (h && *h)
        append_kv(dsn, sizeof dsn, "host", h);
    if (p && *p)
        append_kv(dsn, sizeof dsn, "port", p);
    if (d && *d)
        append_kv(dsn, sizeof dsn, "dbname", d);
    if (u && *u)
        append_kv(dsn, sizeof dsn, "user", u);
    /* TLS settings travel along; the password never does: a worker reads
     * its own from PGPASSWORD or ~/.pgpass. */
    PQconninfoOption *opts = PQconninfo(c->conn);
    static const char *const keep[] = {"sslmode", "sslrootcert", "sslcert",
                                       "sslkey",  "sslcrl",      "gssencmode"};
    int had_password = 0;
    for (PQconninfoOption *o = opts; o && o->keyword; o++) {
        if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
            had_password = 1;
        for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
            if (strcmp(o->keyword, keep[k]) == 0 && o->val && *o->val &&
                (!o->compiled || strcmp(o->val, o->compiled) != 0))
                append_kv(dsn, sizeof dsn, o->keyword, o->val);
    }
    PQconninfoFree(opts);
    json_t *target = json_object();
    json_object_set_new(target, "dsn", json_string(dsn));
    json_object_set_new(target, "password_omitted", json_boolean(had_password));
    json_object_set_new(c->doc, "target", target);
}

/* The collection options checked before connecting (storage kind, cloud flag, CPUs, memory). -1
 * with err. */
static int check_opts(const collect_opts_t *o, err_t *err)
{
    if (o->storage && *o->storage) {
        const char *canon;
        if (host_parse_storage(o->storage, &canon, err) != 0)
            return -1;
    }
    if (o->cloud && *o->cloud) {
        json_t *cloud;
        if (host_parse_cloud(o->cloud, &cloud, err) != 0)
            return -1;
        json_decref(cloud);
    }
    if (o->cpus < 0)
        return err_set(err, "--cpus %d: expected a positive integer", o->cpus);
    if (o->memory_bytes < 0)
        return err_set(err, "--memory: expected a positive size");
    return 0;
}

void collect_opts_init(collect_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->code_max_bytes = CODEDIR_DEFAULT_MAX_BYTES;
    o->code_max_file_bytes = CODEDIR_DEFAULT_MAX_FILE_BYTES;
    o->statement_timeout_ms = 30000;
    o->lock_timeout_ms = 5000;
    o->collect_timeout_ms = COLLECT_DEFAULT_TIMEOUT_MS;
}

/* The collection in order: connect, READ ONLY transaction, every section timed into
 * meta.section_ms, redaction before plans, ROLLBACK, target. -1 when a section fails fatally (the
 * error is set). */
static int run(collector_t *c)
{
    if (connect_db(c) != 0)
        return -1;
    if (begin_transaction(c) != 0)
        return -1;
    TIMED(c, "settings", collect_settings(c));
    if (set_session(c) != 0)
        return -1;
    TIMED(c, "server", collect_server(c));
    TIMED(c, "extensions", collect_extensions(c));
    TIMED(c, "provider_markers", collect_provider_markers(c));
    double t0 = clock_mono_ms_precise();
    collect_host(c);
    json_object_set_new(c->section_ms, "host", json_real(clock_mono_ms_precise() - t0));
    TIMED(c, "locked", find_locked(c));
    TIMED(c, "tables", collect_tables(c));
    TIMED(c, "columns", collect_columns(c));
    TIMED(c, "indexes", collect_indexes(c));
    TIMED(c, "constraints", collect_constraints(c));
    TIMED(c, "statements", collect_statements(c));
    /* Secrets out before anything else reads the texts (plans, saving,
     * publishing): coordinator/collect/redact.h. */
    redact_stats_t rs;
    redact_snapshot(c->doc, &rs);
    json_object_set_new(c->section_ms, "redaction", json_real(rs.ms));
    if (rs.literals) {
        char msg[400];
        redact_note(&rs, msg, sizeof msg);
        note(c, "%s", msg);
    }
    TIMED(c, "plans", collect_plans(c));
    TIMED(c, "qualstats", collect_qualstats(c));
    TIMED(c, "database", collect_database(c));
    TIMED(c, "bgwriter", collect_bgwriter(c));
    TIMED(c, "activity", collect_activity(c));
    TIMED(c, "timescaledb", collect_timescaledb(c));
    if (exec_simple(c, "the end of the transaction", "ROLLBACK") != Q_OK)
        return -1;
    if (c->opts->include_target_dsn)
        add_target(c);
    return 0;
}

int collect_snapshot(const collect_opts_t *o, json_t **snapshot, err_t *err)
{
    *snapshot = NULL;
    double t0 = clock_mono_ms_precise();
    if (check_opts(o, err) != 0)
        return -1;
    collector_t c = {.opts = o, .err = err};
    /* Counted from the start, code directory included: the bound is on the
     * whole command's wait, whatever stage freezes. */
    if (o->collect_timeout_ms > 0)
        c.deadline_at = clock_mono_ms() + o->collect_timeout_ms;
    c.doc = json_object();
    c.meta = json_object();
    c.notes = json_array();
    c.host = json_object();
    c.section_ms = json_object();
    json_t *skipped = json_array();
    json_object_set_new(c.doc, "meta", c.meta);
    json_object_set_new(c.meta, "format_version", json_integer(1));
    json_object_set_new(c.meta, "collector", json_string("pgopt-coordinator " PGOPT_VERSION));
    json_object_set_new(c.meta, "stats_reset", json_object());
    json_object_set_new(c.doc, "host", c.host);

    /* The code directory first: a wrong --code fails before connecting. */
    json_t *code = NULL;
    int rc = 0;
    if (o->code_dir && *o->code_dir) {
        double tc = clock_mono_ms_precise();
        codedir_opts_t co = {.max_total = o->code_max_bytes,
                             .max_file = o->code_max_file_bytes,
                             .include = o->code_include,
                             .ninclude = o->ncode_include,
                             .exclude = o->code_exclude,
                             .nexclude = o->ncode_exclude};
        rc = codedir_collect_opts(o->code_dir, &co, &code, skipped, err);
        json_object_set_new(c.section_ms, "code", json_real(clock_mono_ms_precise() - tc));
    }
    if (rc == 0)
        rc = run(&c);
    pgconn_destroy(&c.pg);
    c.conn = NULL;
    free(c.locked_oids);
    free(c.locked_names);
    if (rc != 0) {
        json_decref(code);
        json_decref(skipped);
        json_decref(c.notes);
        json_decref(c.section_ms);
        json_decref(c.doc);
        return -1;
    }
    if (code)
        json_object_set_new(c.doc, "code", code);
    /* target was added by run(); keep it last, after code. */
    json_t *target = json_incref(json_object_get(c.doc, "target"));
    if (target) {
        json_object_del(c.doc, "target");
        json_object_set_new(c.doc, "target", target);
    }
    if (c.stats.repaired_strings > 0)
        note(&c,
             "%zu strings were not valid UTF-8 (a SQL_ASCII database?) and had invalid bytes "
             "replaced by U+FFFD",
             c.stats.repaired_strings);
    if (json_object_size(json_object_get(c.meta, "stats_reset")) == 0)
        json_object_del(c.meta, "stats_reset");
    json_object_set_new(c.meta, "notes", c.notes);
    json_object_set_new(c.meta, "skipped_files", skipped);
    json_object_set_new(c.meta, "section_ms", c.section_ms);
    json_object_set_new(c.meta, "collection_ms", json_real(clock_mono_ms_precise() - t0));
    log_debug("snapshot collected", "ms=%.1f notes=%zu", clock_mono_ms_precise() - t0,
              json_array_size(c.notes));
    *snapshot = c.doc;
    return 0;
}
