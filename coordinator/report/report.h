/*
 * report.h - phase3_output for people: a terminal report, a self-contained
 * HTML report with charts, and SQL scripts (apply.sql and rollback.sql).
 *
 * The JSON stays the contract for machines; these renderers read it (and,
 * when the caller has it, a summary of the snapshot) and never invent a
 * value: what an agent did not measure is printed as "no data" or with the
 * agent's own note saying why.
 *
 *   text  80 columns, colour only when asked (a tty without NO_COLOR);
 *         summary, then per agent the top recommendations ordered by
 *         priority and gain, each with one or two lines of evidence and the
 *         command or code to apply.
 *   html  one file, no network: inline CSS, inline JS (sortable tables),
 *         inline SVG charts (load by hour, statement clusters, growth
 *         forecast, index impact vs storage, config before/after).
 *   sql   apply.sql and rollback.sql for psql (report_sql.c).
 *   json  phase3_output as is (jsonout, pretty).
 *
 * Implementation: report.c (dispatch, shared extraction), report_text.c,
 * report_html.c, report_sql.c, report_cli.c (`pgopt-coordinator report`).
 */
#ifndef PGOPT_COORDINATOR_REPORT_H
#define PGOPT_COORDINATOR_REPORT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "common/error.h"

typedef enum {
    REPORT_JSON = 0,
    REPORT_TEXT,
    REPORT_HTML,
    REPORT_SQL,
} report_format_t;

typedef struct {
    int color; /* text: ANSI colours (see report_color_wanted) */
    int width; /* text: columns; 0 = 80 */
    int top;   /* text: recommendations shown per agent; 0 = 10, -1 = all */
    /* Summary of the analysed snapshot (report_snapshot_summary), or NULL
     * when the caller no longer has it: the summary then says so. */
    const json_t *snapshot_summary;
    const char *source;  /* what was analysed, as the user named it ("--dsn ...", a file) */
    int64_t total_ms;    /* whole run, collection included; < 0 unknown */
    int64_t collect_ms;  /* collection alone; < 0 when a saved snapshot was read */
    const char *version; /* program version for the footer; NULL = PGOPT_VERSION */
} report_opts_t;

/* Zeroes o, then sets the "unknown" values (total_ms = collect_ms = -1). */
void report_opts_init(report_opts_t *o);

/* "json" | "text" | "html" | "sql" -> fmt; -1 with err otherwise. */
int report_format_parse(const char *name, report_format_t *fmt, err_t *err);
const char *report_format_name(report_format_t fmt);

/* The format when the user gave none: from the output file's extension
 * (.json, .txt, .html/.htm, .sql; others json), else text when standard
 * output is a terminal and json when it is a pipe or a file (so scripts
 * that parse the output keep working). */
report_format_t report_format_default(const char *output_path, int stdout_is_tty);

/* 1 when ANSI colour belongs on out: a terminal, NO_COLOR unset or empty,
 * TERM not "dumb". */
int report_color_wanted(FILE *out);

/* A small document summarising the snapshot for the report's header:
 * database, server_version, collected_at, collection_ms, counts of
 * statements/tables/indexes/settings, history entries, host, extensions.
 * Call it before the snapshot is released. NULL only when snap is not an
 * object. Caller json_decref()s. */
json_t *report_snapshot_summary(const json_t *snap);

/* Renders phase3 in fmt on out. For REPORT_SQL this is apply.sql alone
 * (report_write_sql gives both scripts). o may be NULL (defaults).
 * -1 with err on a malformed document or an I/O error. */
int report_write(const json_t *phase3, report_format_t fmt, FILE *out, const report_opts_t *o,
                 err_t *err);

/* apply.sql to apply, rollback.sql to rollback (either may be NULL). */
int report_write_sql(const json_t *phase3, FILE *apply, FILE *rollback, err_t *err);

/* SQL scripts to a path: an existing directory (or a path ending in '/',
 * created) gets apply.sql and rollback.sql; any other path is apply's and
 * rollback goes next to it as <stem>.rollback.sql (next to a symlink's
 * target). A FIFO or character device gets apply.sql alone, in place, and no
 * rollback file. Every file goes through common/outfile (atomic, 0600). The
 * paths written go to apply_out and rollback_out (each at least 4096 bytes;
 * rollback_out empty when none) when not NULL. */
int report_write_sql_path(const json_t *phase3, const char *path, char *apply_out,
                          char *rollback_out, err_t *err);

/* Writes the report to path through common/outfile (a file replaced
 * atomically, mode 0600; a device or FIFO in place; a directory refused), or
 * to standard output when path is NULL or "-". REPORT_SQL to a path goes
 * through report_write_sql_path. */
int report_write_path(const json_t *phase3, report_format_t fmt, const char *path,
                      const report_opts_t *o, err_t *err);

#endif
