/*
 * planprint.c - generic-plan shape fingerprints (planprint.h).
 */
#include "coordinator/collect/planprint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/pgconn.h"
#include "common/pgmark.h"
#include "common/strbuf.h"
#include "common/whatif.h"

void planprint_opts_init(planprint_opts_t *o)
{
    o->max_statements = 20;
    o->timeout_ms = 500;
}

/* Adds the string s and a field separator to the 64-bit FNV-1a hash h. */
static void fnv(uint64_t *h, const char *s)
{
    for (; s && *s; s++) {
        *h ^= (unsigned char)*s;
        *h *= 1099511628211ULL;
    }
    *h ^= 0x1f; /* field separator */
    *h *= 1099511628211ULL;
}

/* The fields that make a plan's shape; costs and estimates are left out
 * so the same plan on more rows keeps its hash. */
static const char *const SHAPE_FIELDS[] = {
    "Node Type", "Parent Relationship", "Join Type",  "Strategy", "Partial Mode", "Scan Direction",
    "Schema",    "Relation Name",       "Index Name", "CTE Name", "Subplan Name", "Command",
    NULL,
};

/* Hashes one plan node's shape (SHAPE_FIELDS, no costs or rows) and its children depth first into
 * h, and its text form into txt. */
static void walk(const json_t *node, uint64_t *h, strbuf_t *txt, int depth)
{
    if (!json_is_object(node) || depth > 64)
        return;
    for (const char *const *f = SHAPE_FIELDS; *f; f++) {
        const char *v = json_string_value(json_object_get(node, *f));
        fnv(h, v ? v : "");
    }
    const char *type = json_string_value(json_object_get(node, "Node Type"));
    const char *rel = json_string_value(json_object_get(node, "Relation Name"));
    const char *idx = json_string_value(json_object_get(node, "Index Name"));
    const char *sch = json_string_value(json_object_get(node, "Schema"));
    strbuf_printf(txt, "%s", type ? type : "?");
    if (idx)
        strbuf_printf(txt, " %s", idx);
    else if (rel)
        strbuf_printf(txt, " %s%s%s", sch ? sch : "", sch ? "." : "", rel);
    const json_t *kids = json_object_get(node, "Plans");
    if (json_array_size(kids) > 0) {
        strbuf_add(txt, "(");
        size_t i;
        const json_t *k;
        json_array_foreach(kids, i, k)
        {
            if (i)
                strbuf_add(txt, ", ");
            fnv(h, "(");
            walk(k, h, txt, depth + 1);
            fnv(h, ")");
        }
        strbuf_add(txt, ")");
    }
}

int planprint_shape(const char *explain_json, uint64_t *hash, char *shape, size_t len, err_t *err)
{
    json_error_t je;
    json_t *doc = json_loads(explain_json, 0, &je);
    if (!doc)
        return err_set(err, "plan: not JSON (%s at %d)", je.text, je.position);
    const json_t *plan = json_object_get(json_array_get(doc, 0), "Plan");
    if (!json_is_object(plan)) {
        json_decref(doc);
        return err_set(err, "plan: no [0].Plan in the EXPLAIN output");
    }
    uint64_t h = 14695981039346656037ULL;
    strbuf_t txt = {0};
    walk(plan, &h, &txt, 0);
    char *t = strbuf_take(&txt);
    if (shape && len) {
        snprintf(shape, len, "%s", t ? t : "");
        if (t && strlen(t) >= len && len > 4)
            memcpy(shape + len - 4, "...", 4);
    }
    free(t);
    json_decref(doc);
    *hash = h;
    return 0;
}

/* Runs one command (pgconn marks it); the caller PQclear()s the result. */
static PGresult *run(pgconn_t *conn, const char *sql)
{
    return pgconn_exec(conn, sql);
}

static int ok(PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Plannable statement kinds: pg_stat_statements also keeps utility
 * statements (SET, BEGIN, VACUUM ...) that have no plan. */
static int plannable(const char *q)
{
    while (q && (isspace((unsigned char)*q) || *q == '('))
        q++;
    static const char *const kw[] = {"select", "with",   "insert", "update",
                                     "delete", "values", "table",  NULL};
    for (size_t i = 0; q && kw[i]; i++)
        if (strncasecmp(q, kw[i], strlen(kw[i])) == 0 && !isalnum((unsigned char)q[strlen(kw[i])]))
            return 1;
    return 0;
}

static int cmp_time(const void *a, const void *b)
{
    double x = json_number_value(json_object_get(*(json_t *const *)a, "total_exec_time"));
    double y = json_number_value(json_object_get(*(json_t *const *)b, "total_exec_time"));
    return x < y ? 1 : x > y ? -1 : 0;
}

/* One statement: 1 planned, 0 skipped, -1 connection lost. */
static int one(pgconn_t *conn, json_t *row, int timeout_ms)
{
    const char *q = json_string_value(json_object_get(row, "query"));
    if (!q || !plannable(q) || strstr(q, PGOPT_SQL_MARK))
        return 0;
    char *fixed = whatif_fix_typed_params(q);
    int result = 0;
    char cmd[128];
    PGresult *r = run(conn, "SAVEPOINT pgopt_plan");
    int have_sp = ok(r);
    PQclear(r);
    if (!have_sp) {
        free(fixed);
        return pgconn_broken(conn) ? -1 : 0;
    }
    snprintf(cmd, sizeof cmd, "SET LOCAL statement_timeout = %d",
             timeout_ms > 0 ? timeout_ms : 500);
    r = run(conn, cmd);
    int good = ok(r);
    PQclear(r);
    if (good) {
        r = run(conn, "SET LOCAL plan_cache_mode = force_generic_plan");
        good = ok(r);
        PQclear(r);
    }
    /* The collector's session reads catalogs with search_path = pg_catalog;
     * the application's texts resolve names with the server's default. */
    if (good) {
        r = run(conn, "SET LOCAL search_path TO DEFAULT");
        good = ok(r);
        PQclear(r);
    }
    int prepared = 0;
    if (good) {
        strbuf_t b = {0};
        strbuf_printf(&b, "PREPARE pgopt_planprint AS %s", fixed);
        char *s = strbuf_take(&b);
        r = run(conn, s ? s : "SELECT");
        free(s);
        good = prepared = ok(r);
        PQclear(r);
    }
    long nparams = 0;
    if (good) {
        r = run(conn, "SELECT cardinality(parameter_types) FROM pg_prepared_statements "
                      "WHERE name = 'pgopt_planprint'");
        good = ok(r) && PQntuples(r) == 1;
        if (good)
            nparams = strtol(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    if (good && nparams >= 0 && nparams < 1000) {
        strbuf_t b = {0};
        strbuf_add(&b, "EXPLAIN (FORMAT JSON) EXECUTE pgopt_planprint");
        for (long i = 0; i < nparams; i++)
            strbuf_add(&b, i ? ", NULL" : "(NULL");
        if (nparams > 0)
            strbuf_add(&b, ")");
        char *s = strbuf_take(&b);
        r = run(conn, s ? s : "SELECT");
        free(s);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
            uint64_t h;
            char shape[256];
            if (planprint_shape(PQgetvalue(r, 0, 0), &h, shape, sizeof shape, NULL) == 0) {
                char hex[24];
                snprintf(hex, sizeof hex, "%016llx", (unsigned long long)h);
                json_object_set_new(row, "plan_hash", json_string(hex));
                json_object_set_new(row, "plan_shape", json_string(shape));
                result = 1;
            }
        }
        PQclear(r);
    }
    /* The savepoint undoes the SET LOCALs and any error; the prepared
     * statement is not transactional and is dropped by name. */
    r = run(conn, "ROLLBACK TO SAVEPOINT pgopt_plan");
    int restored = ok(r);
    PQclear(r);
    if (restored) {
        r = run(conn, "RELEASE SAVEPOINT pgopt_plan");
        PQclear(r);
    }
    if (prepared) {
        r = run(conn, "DEALLOCATE pgopt_planprint");
        PQclear(r);
    }
    free(fixed);
    if (!restored || pgconn_broken(conn))
        return -1;
    return result;
}

int planprint_statements(pgconn_t *conn, json_t *statements, const planprint_opts_t *o,
                         size_t *done, size_t *skipped, err_t *err)
{
    *done = *skipped = 0;
    size_t n = json_array_size(statements);
    if (n == 0 || !o || o->max_statements == 0)
        return 0;
    json_t **rows = xmalloc(n * sizeof *rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = json_array_get(statements, i);
    qsort(rows, n, sizeof *rows, cmp_time);
    int rc = 0;
    for (size_t i = 0; i < n && *done + *skipped < o->max_statements; i++) {
        const char *q = json_string_value(json_object_get(rows[i], "query"));
        if (!q || !plannable(q) || strstr(q, PGOPT_SQL_MARK))
            continue; /* no plan to take: not counted against the budget */
        int r = one(conn, rows[i], o->timeout_ms);
        if (r < 0) {
            rc = err_set(err, "plan fingerprints: %s",
                         pgconn_broken(conn) ? pgconn_error(conn)
                                             : "could not restore the transaction");
            break;
        }
        if (r > 0)
            (*done)++;
        else
            (*skipped)++;
    }
    free(rows);
    return rc;
}
