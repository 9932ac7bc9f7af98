/*
 * report_internal.h - what the report renderers (report_text.c,
 * report_html.c, report_sql.c) share: a growable string, JSON getters that
 * tolerate missing fields, number formatting, and the agents' outputs
 * flattened into one list of recommendations ordered by priority and gain.
 *
 * Private to coordinator/report*.c; the public API is report.h.
 */
#ifndef PGOPT_COORDINATOR_REPORT_INTERNAL_H
#define PGOPT_COORDINATOR_REPORT_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "coordinator/report/report.h"

#include "common/strbuf.h"

/* malloc()ed printf (xvasprintf: never NULL, common/alloc.h). */
char *r_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- JSON getters --------------------------------------------------------- */

/* The string at key, or NULL when absent or not a string. */
const char *rj_str(const json_t *obj, const char *key);
/* 1 and *out when key holds a number (integer or real), else 0. */
int rj_num(const json_t *obj, const char *key, double *out);
/* obj["a"]["b"]... along a dotted path ("evidence.peak_hours"); NULL if absent. */
const json_t *rj_path(const json_t *obj, const char *dotted);

/* ---- formatting ---------------------------------------------------------- */

/* "850 ms", "3.2 s", "4.1 min", "2.5 h" */
void r_fmt_ms(double ms, char out[32]);
/* "512 B", "3.2 MB", "1.5 GB" (binary units, as PostgreSQL prints them) */
void r_fmt_bytes(double bytes, char out[32]);
/* "87%", "0.7%", "<0.1%" for a share in 0..1 */
void r_fmt_share(double share, char out[32]);
/* The index advisor's workload in time (evaluation.workload_time_ms and its
 * estimate with the chosen set) as one line; false when either is missing. */
bool r_fmt_workload_time(const json_t *evaluation, char *out, size_t size);

/* ---- recommendations -------------------------------------------------- */

typedef struct {
    const char *agent;  /* one of AGENTS (proto/agents.h) */
    char id[40];        /* the agent's id ("idx-001") or one made from the kind */
    int priority;       /* 1..3 from "P1".."P3"; 0 when the agent gives none */
    double gain;        /* ordering key within a priority: measured or estimated
                           time saved in ms, else the speed-up factor; < 0 none */
    char *kind;         /* "create index", "drop index", "rewrite", "setting", ... */
    char *title;        /* one line: what */
    char *evidence;     /* one or two sentences: why, with the numbers */
    char *apply;        /* the command or code to apply (may be multi-line), or NULL */
    bool apply_is_code; /* application source: printed line for line, never re-wrapped */
    char *gain_text;    /* the agent's own words ("164.0x faster"), or NULL */
    char *safety;       /* ORM rewrites: how far the rewrite is shown safe, and the
                           imports its code needs (one line of text), or NULL */
    char *diff;         /* ORM rewrites: the change as a unified diff against the
                           original lines (coordinator/report/textdiff.h), or NULL */
} ritem_t;

typedef struct {
    ritem_t *items;
    size_t n, cap;
} ritems_t;

/* Every recommendation of one agent's section, sorted by priority (P1
 * first, none last) and gain (largest first). The section may be NULL or
 * malformed: unknown shapes give fewer items, never an error. */
void ritems_collect(const json_t *section, const char *agent, ritems_t *out);
void ritems_free(ritems_t *list);

/* The agent's notes array (strings), or NULL. */
const json_t *r_notes(const json_t *section);

/* Counts: statements/tables/... from the snapshot summary, -1 when absent. */
long long r_summary_count(const json_t *summary, const char *key);

/* Per-format writers (report.c dispatches). */
int report_text_write(const json_t *phase3, FILE *out, const report_opts_t *o, err_t *err);
int report_html_write(const json_t *phase3, FILE *out, const report_opts_t *o, err_t *err);

#endif
