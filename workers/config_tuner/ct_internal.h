/*
 * ct_internal.h - shared state and helpers of the config tuner's parts
 * (config_tuner.c: host, workload, memory, checkpoints, parallelism,
 * planner; ct_vacuum.c: autovacuum; ct_pools.c: SQLAlchemy, PgBouncer,
 * TimescaleDB; ct_script.c: apply and rollback scripts; ct_util.c: settings,
 * units, JSON). Not a public interface.
 */
#ifndef PGOPT_CONFIG_TUNER_INTERNAL_H
#define PGOPT_CONFIG_TUNER_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "workers/config_tuner/config_tuner.h"
#include "workers/config_tuner/pgtune.h"

#define CT_KB                1024.0
#define CT_MB                (1024.0 * 1024.0)
#define CT_GB                (1024.0 * 1024.0 * 1024.0)
#define CT_MIN_RATE_WINDOW_S 3600.0
#define CT_BLCKSZ            8192.0 /* PostgreSQL block size: temp_blks_* and relpages count these */

typedef struct {
    const json_t *snap;
    config_tuner_options_t opts;
    progress_fn progress; /* the caller's beat (workers/agent.h); NULL: none */
    void *progress_user;
    int pg_major; /* from meta.server_version_num, 15 when absent */

    /* Host facts, each with where it came from (host.sources). */
    int have_memory;
    int64_t memory_bytes;
    const char *memory_source;
    int cpus; /* 0 = unknown */
    const char *cpus_source;
    pgtune_storage_t storage;
    const char *storage_name; /* as given in the snapshot */
    const char *storage_source;

    /* Time of collection and stats windows (seconds; 0 = unknown). */
    int have_collected_at;
    double collected_at;
    double tables_window_s; /* table and database counters */
    const char *tables_window_source;
    double statements_window_s;
    double wal_window_s;
    double bgwriter_window_s;
    /* Rates are extrapolated only from windows of at least
     * CT_MIN_RATE_WINDOW_S: a few seconds after a reset or a bulk load say
     * nothing about the steady workload. */
    int tables_rates_ok, statements_rates_ok, wal_rates_ok;

    pgtune_profile_t profile;
    int have_pgtune;
    pgtune_result_t pgt;
    int max_connections;              /* current, from settings (100 when absent) */
    int64_t rec_shared_buffers_bytes; /* recommended (or current) shared_buffers */
    int rec_max_worker_processes;
    int rec_max_parallel_workers;

    json_t *settings_by_name; /* name -> pg_settings row (borrowed rows) */
    json_t *result;
    json_t *notes;    /* array of strings */
    json_t *evidence; /* map */
    json_t *changes;  /* array of {name, value, current_sql|null, reset, restart} */
    json_t *per_table;
    json_t *missing_settings;    /* names ct_entry found no pg_settings row for */
    int cancelled;               /* a beat returned 1: stop, the result is dropped */
    struct sqla_scan *code_scan; /* the code section parsed once, for engines and features */
} ct_t;

/* A beat through progress (common/progress.h); 1 once cancelled. */
int ct_beat(ct_t *ct, const char *stage, int64_t done, int64_t total);

/* ---- ct_util.c ---- */

/* Adds a note (printf format). */
void ct_note(ct_t *ct, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Number fields of a JSON map, accepting integers and reals. Return 1 when
 * present and numeric, else 0 (value untouched). */
int ct_num(const json_t *obj, const char *key, double *value);
int ct_int(const json_t *obj, const char *key, int64_t *value);
const char *ct_str(const json_t *obj, const char *key);

/* Snapshot numbers are untrusted: ct_num and ct_setting_value accept only
 * finite values within +-CT_MAX_NUMBER (ct_int also any JSON integer, e.g.
 * a queryid), so later arithmetic and casts stay defined. */
#define CT_MAX_NUMBER 1e18

/* v rounded toward zero and clamped to [lo, hi]; NaN gives lo. */
int ct_clamp_int(double v, int lo, int hi);

/* ISO-8601 ("2026-11-26T16:30:01.123Z", "+00:00" offsets, space instead of
 * T) to seconds since the epoch; 0 when parsed, -1 otherwise. */
int ct_parse_time(const char *text, double *epoch);

/* The pg_settings row of name, or NULL. */
const json_t *ct_setting_row(const ct_t *ct, const char *name);

/* Current value in base units (bytes for memory, milliseconds for time, the
 * number itself otherwise). 1 when known and numeric, 0 otherwise. */
int ct_setting_value(const ct_t *ct, const char *name, double *value);

/* Current value as PostgreSQL would show it ("128MB", "5min", "on");
 * returns 0 and writes "" when the row is missing. */
int ct_setting_human(const ct_t *ct, const char *name, char *buf, size_t len);

/* Formats bytes / milliseconds with the largest exact unit. */
void ct_format_bytes(double bytes, char *buf, size_t len);
void ct_format_ms(double ms, char *buf, size_t len);
/* Formats a double compactly ("1.1", "0.005", "200"). */
void ct_format_number(double v, char *buf, size_t len);

/* Parses a value in PostgreSQL's syntax for the setting's kind ("4GB",
 * "30s", "0.9", "on") into base units. 1 when numeric, 0 otherwise. */
int ct_parse_value(const ct_t *ct, const char *name, const char *text, double *value);

/* The documentation link for a setting (runtime-config page and anchor). */
void ct_doc_url(const ct_t *ct, const char *name, char *buf, size_t len);

/* 1 when the setting needs a restart (pg_settings.context = postmaster),
 * from the snapshot's row or, when absent, from PostgreSQL 15's catalog. */
int ct_restart_required(const ct_t *ct, const char *name);

/* pg_settings.unit (or PostgreSQL 15's unit when the row is missing); NULL
 * for unitless settings. */
const char *ct_setting_unit(const ct_t *ct, const char *name);

/* Adds a setting entry named name to group. recommended may be NULL (not
 * enough data: the reason says what is missing). change is decided by
 * comparing current and recommended in base units (or text, case
 * insensitively); a change is recorded for the scripts. Returns the entry
 * (borrowed) so callers can add fields. */
json_t *ct_entry(ct_t *ct, json_t *group, const char *name, const char *recommended,
                 const char *method, const char *reason);

/* Identifier quoting for generated SQL (quote_ident rules). */
void ct_quote_ident(const char *ident, char *buf, size_t len);
/* Literal quoting ('...' with doubled quotes). */
void ct_quote_literal(const char *text, char *buf, size_t len);

/* malloc()ed printf, never NULL (out of memory aborts: common/alloc.h).
 * Free with ct_free_str, which is free(): it stays as the name the
 * callers already use. */
char *ct_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ct_free_str(char *s);

/* ---- parts ---- */
void ct_autovacuum(ct_t *ct, json_t *group);
void ct_sqlalchemy_pgbouncer(ct_t *ct);
void ct_timescaledb(ct_t *ct);
/* Sets result.apply_script and result.rollback_script from the changes. */
void ct_scripts(ct_t *ct);

#endif
