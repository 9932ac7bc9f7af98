/*
 * collect.h - the snapshot collector: connects to a live PostgreSQL with
 * libpq and builds the snapshot document of docs/SNAPSHOT.md (meta, host,
 * settings, tables, columns, indexes, constraints, statements, qualstats,
 * database, bgwriter, activity, timescaledb, code, target).
 *
 * Read-only by construction: one transaction BEGIN ISOLATION LEVEL
 * REPEATABLE READ READ ONLY (so every section sees the same catalog
 * snapshot), SET LOCAL statement_timeout / lock_timeout, application_name
 * "pgopt-collector", and ROLLBACK at the end. Nothing is created on the
 * target, not even a temporary table or an extension.
 *
 * One query per section (no per-table round trips), each under its own
 * SAVEPOINT: a query the role may not run (permission denied, a missing view
 * or extension, a lock timeout) becomes a string in meta.notes and the
 * collection goes on. Failures that make the whole snapshot meaningless end
 * it with one line in err: bad connection string, refused connection,
 * authentication failure, statement_timeout reached, server gone, and a
 * server or network that stops answering: statement_timeout cannot end a
 * wait the server never hears about, so every wait of the collection is
 * bounded on the client side by collect_timeout_ms (common/pgconn.h), after
 * which the connection is abandoned and the error says so.
 */
#ifndef PGOPT_COORDINATOR_COLLECT_H
#define PGOPT_COORDINATOR_COLLECT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define COLLECT_MAX_CODE_GLOBS 32

typedef struct {
    const char *conninfo;       /* libpq conninfo or URI; NULL or "" = PG* environment variables */
    int cpus;                   /* --cpus; 0 = probe (local server) or unknown */
    int64_t memory_bytes;       /* --memory; 0 = probe or unknown */
    const char *storage;        /* hdd|ssd|nvme|san|network or NULL = probe or unknown */
    const char *cloud;          /* "PROVIDER:INSTANCE_CLASS[:REGION]" or NULL */
    const char *code_dir;       /* --code DIR or NULL */
    size_t code_max_bytes;      /* total budget for --code files, default 8 MiB */
    size_t code_max_file_bytes; /* per file, default 1 MiB */
    /* --code-include / --code-exclude globs (coordinator/collect/codedir.h) */
    const char *code_include[COLLECT_MAX_CODE_GLOBS];
    size_t ncode_include;
    const char *code_exclude[COLLECT_MAX_CODE_GLOBS];
    size_t ncode_exclude;
    int statement_timeout_ms;   /* per query, default 30000; 0 = none */
    int lock_timeout_ms;        /* per lock wait, default 5000; 0 = none */
    int include_target_dsn;     /* add target {dsn} (never with a password) */
    int64_t collect_timeout_ms; /* whole collection, every libpq wait included; default 5 min;
                                   0 = none */
} collect_opts_t;

#define COLLECT_DEFAULT_TIMEOUT_MS ((int64_t)300000)
#define COLLECT_MAX_TIMEOUT_MS     ((int64_t)7 * 24 * 3600 * 1000) /* a week */

/* Defaults as documented above; conninfo NULL. */
void collect_opts_init(collect_opts_t *o);

/* Collects a snapshot; *snapshot is a new tree (caller json_decref()s).
 * Returns -1 with one line in err on the fatal failures listed on top. */
int collect_snapshot(const collect_opts_t *o, json_t **snapshot, err_t *err);

/* The conninfo with any password removed, as "key=value ..." (values quoted
 * when needed), for messages and logs. -1 with err when it does not parse. */
int collect_redact_conninfo(const char *conninfo, char *out, size_t len, err_t *err);

#endif
