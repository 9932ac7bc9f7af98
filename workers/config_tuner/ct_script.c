/*
 * ct_script.c - apply_script and rollback_script from the recorded changes.
 *
 * One statement per line, so a runner can execute them one at a time:
 * ALTER SYSTEM cannot run inside a transaction block, and a multi-statement
 * string sent in one simple-query message is one implicit transaction.
 * Values are always single-quoted literals ('512MB', '0.9', 'lz4'), which
 * PostgreSQL accepts for every setting type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "workers/config_tuner/ct_internal.h"

static void sb_line(strbuf_t *b, const char *s)
{
    strbuf_add(b, s);
    strbuf_add(b, "\n");
}

/* Appends a comment line (prefix, e.g. "--") naming the settings in restart that take effect only
 * after a server restart, or saying none does. */
static void restart_comment(strbuf_t *b, const json_t *restart, const char *prefix)
{
    char line[1024];
    size_t n = json_array_size(restart);
    if (n == 0) {
        snprintf(line, sizeof line, "%s none of these settings needs a server restart", prefix);
        sb_line(b, line);
        return;
    }
    size_t used = (size_t)snprintf(line, sizeof line,
                                   "%s settings that take effect only after a "
                                   "server restart:",
                                   prefix);
    size_t i;
    const json_t *v;
    json_array_foreach(restart, i, v)
    {
        int k =
            snprintf(line + used, sizeof line - used, "%s %s", i ? "," : "", json_string_value(v));
        if (k < 0 || (size_t)k >= sizeof line - used)
            break;
        used += (size_t)k;
    }
    sb_line(b, line);
}

/* Writes result.apply_script and rollback_script (ALTER SYSTEM for every recorded change, with the
 * previous values to roll back) and result.restart_required. Cannot fail (common/alloc.h). */
void ct_scripts(ct_t *ct)
{
    strbuf_t apply = {0}, rollback = {0};
    json_t *restart = json_array();
    size_t i;
    const json_t *c;
    json_array_foreach(ct->changes, i, c)
    {
        if (json_is_true(json_object_get(c, "restart")))
            json_array_append_new(restart, json_string(ct_str(c, "name")));
    }

    const char *when = ct_str(json_object_get(ct->snap, "meta"), "collected_at");
    const char *db = ct_str(json_object_get(ct->snap, "meta"), "database");
    char line[1200], lit[600];
    snprintf(line, sizeof line, "-- pgopt config_tuner: apply script for database %s (snapshot %s)",
             db ? db : "?", when ? when : "?");
    sb_line(&apply, line);
    sb_line(&apply, "-- Run one statement at a time (psql does); ALTER SYSTEM cannot run in a "
                    "transaction block.");
    restart_comment(&apply, restart, "--");
    snprintf(line, sizeof line,
             "-- pgopt config_tuner: rollback script for database %s "
             "(snapshot %s)",
             db ? db : "?", when ? when : "?");
    sb_line(&rollback, line);
    restart_comment(&rollback, restart, "--");

    json_array_foreach(ct->changes, i, c)
    {
        const char *name = ct_str(c, "name");
        ct_quote_literal(ct_str(c, "value"), lit, sizeof lit);
        snprintf(line, sizeof line, "ALTER SYSTEM SET %s = %s;", name, lit);
        sb_line(&apply, line);
        if (json_is_true(json_object_get(c, "reset")) || !ct_str(c, "current_sql")) {
            snprintf(line, sizeof line, "ALTER SYSTEM RESET %s;", name);
        } else {
            ct_quote_literal(ct_str(c, "current_sql"), lit, sizeof lit);
            snprintf(line, sizeof line, "ALTER SYSTEM SET %s = %s;", name, lit);
        }
        sb_line(&rollback, line);
    }
    const json_t *t;
    json_array_foreach(ct->per_table, i, t)
    {
        if (i == 0) {
            sb_line(&apply, "-- per-table autovacuum settings");
            sb_line(&rollback, "-- per-table autovacuum settings");
        }
        sb_line(&apply, ct_str(t, "apply"));
        sb_line(&rollback, ct_str(t, "rollback"));
    }
    const json_t *intervals =
        json_object_get(json_object_get(ct->result, "timescaledb"), "chunk_time_interval");
    int first = 1;
    json_array_foreach(intervals, i, t)
    {
        if (!ct_str(t, "apply"))
            continue;
        if (first) {
            sb_line(&apply, "-- TimescaleDB chunk intervals (apply to new chunks)");
            sb_line(&rollback, "-- TimescaleDB chunk intervals");
            first = 0;
        }
        sb_line(&apply, ct_str(t, "apply"));
        sb_line(&rollback, ct_str(t, "rollback"));
    }
    sb_line(&apply, "SELECT pg_reload_conf();");
    sb_line(&rollback, "SELECT pg_reload_conf();");
    if (json_array_size(restart)) {
        sb_line(&apply, "-- then restart the server (e.g. pg_ctl restart) for the settings "
                        "listed on top");
        sb_line(&rollback, "-- then restart the server for the settings listed on top");
    }
    json_object_set_new(ct->result, "apply_script", json_string(strbuf_str(&apply)));
    json_object_set_new(ct->result, "rollback_script", json_string(strbuf_str(&rollback)));
    json_object_set_new(ct->result, "restart_required", restart);
    strbuf_free(&apply);
    strbuf_free(&rollback);
}
