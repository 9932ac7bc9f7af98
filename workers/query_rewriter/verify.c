/* verify.c - see verify.h. */
#include "workers/query_rewriter/verify.h"

#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/pgconn.h"
#include "common/pgmark.h"
#include "common/progress.h"
#include "common/whatif.h"

struct verify {
    pgconn_t *pg; /* every wait bounded (common/pgconn.h) */
    int timeout_ms;
    err_t err;
};

const char *verify_error(const verify_t *v)
{
    return v ? v->err.msg : "no verify session";
}

/* The error text of a failed result, or of the connection when the result has none. */
static const char *pq_msg(const pgconn_t *c, const PGresult *r)
{
    const char *m = r ? PQresultErrorMessage(r) : NULL;
    if (!m || !*m)
        m = pgconn_error(c);
    return m;
}

int verify_open(const char *conninfo, int statement_timeout_ms, verify_t **out, err_t *err)
{
    if (!out)
        return err_set(err, "verify_open: no output pointer");
    *out = NULL;
    verify_t *v = xcalloc(1, sizeof *v);
    v->timeout_ms = statement_timeout_ms > 0 ? statement_timeout_ms : 5000;
    char options[160];
    snprintf(options, sizeof options,
             "-c default_transaction_read_only=on -c statement_timeout=%d -c lock_timeout=1000",
             v->timeout_ms);
    const char *keys[] = {"dbname", "options", "application_name", NULL};
    const char *vals[] = {conninfo ? conninfo : "", options, "pgopt-verify", NULL};
    /* As in whatif: a silent server is given up on after statement_timeout
     * plus a margin, or when the calling job is cancelled. */
    pgconn_bounds_t b = {.query_bound_ms = (int64_t)v->timeout_ms + WHATIF_NO_ANSWER_MARGIN_MS};
    err_t cerr = {{0}};
    if (pgconn_open(keys, vals, &b, &v->pg, &cerr) != 0) {
        err_set(err, "verify session: cannot connect: %s", cerr.msg);
        verify_destroy(&v);
        return -1;
    }
    PGresult *r = pgconn_exec(v->pg, "SHOW default_transaction_read_only");
    int ro = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
             strcmp(PQgetvalue(r, 0, 0), "on") == 0;
    PQclear(r);
    if (!ro) {
        err_set(err, "verify session: the server did not accept default_transaction_read_only=on; "
                     "refusing to run statements");
        verify_destroy(&v);
        return -1;
    }
    *out = v;
    return 0;
}

/* Closes the session and frees v; safe on NULL and twice (nulls the pointer). */
void verify_destroy(verify_t **v)
{
    if (!v || !*v)
        return;
    pgconn_destroy(&(*v)->pg);
    free(*v);
    *v = NULL;
}

/* Every statement goes through pgconn, which marks it (common/pgmark.h). */
static int exec_ok(verify_t *v, const char *sql)
{
    progress_alive(); /* each round trip is progress (common/progress.h) */
    PGresult *r = pgconn_exec(v->pg, sql);
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        err_set(&v->err, "%s: %s", sql, pq_msg(v->pg, r));
    PQclear(r);
    return ok ? 0 : -1;
}

int verify_digest(verify_t *v, const char *sql, const char *const *values, size_t nvalues,
                  verify_digest_t *d)
{
    if (!v || !sql || !d)
        return -1;
    memset(d, 0, sizeof *d);
    char *fixed = whatif_fix_typed_params(sql);
    /* strip a trailing semicolon so the text can be a subquery */
    size_t len = strlen(fixed);
    while (len && (fixed[len - 1] == ';' || fixed[len - 1] == ' ' || fixed[len - 1] == '\n'))
        fixed[--len] = 0;
    size_t cap = len + 256;
    char *q = xmalloc(cap);
    snprintf(q, cap,
             "SELECT count(*), coalesce(sum(hashtextextended(r::text, 0)::numeric), 0), "
             "coalesce(sum(hashtextextended(r::text, 1)::numeric), 0) FROM (%s) AS r",
             fixed);
    free(fixed);
    char set[96];
    snprintf(set, sizeof set, "SET LOCAL statement_timeout = %d", v->timeout_ms);
    int rc = -1;
    if (exec_ok(v, "BEGIN READ ONLY") == 0 && exec_ok(v, set) == 0) {
        double t0 = clock_mono_ms_precise();
        PGresult *r = pgconn_exec_params(v->pg, q, (int)nvalues, values);
        d->ms = clock_mono_ms_precise() - t0;
        if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
            d->rows = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            snprintf(d->sum0, sizeof d->sum0, "%s", PQgetvalue(r, 0, 1));
            snprintf(d->sum1, sizeof d->sum1, "%s", PQgetvalue(r, 0, 2));
            rc = 0;
        } else {
            err_set(&v->err, "%s", pq_msg(v->pg, r));
        }
        PQclear(r);
    }
    PGresult *rb = pgconn_exec(v->pg, "ROLLBACK");
    PQclear(rb);
    free(q);
    return rc;
}

int verify_digest_equal(const verify_digest_t *a, const verify_digest_t *b)
{
    return a->rows == b->rows && strcmp(a->sum0, b->sum0) == 0 && strcmp(a->sum1, b->sum1) == 0;
}

int verify_set(verify_t *v, const char *name, const char *value)
{
    if (!v || !name || !value)
        return -1;
    const char *params[2] = {name, value};
    PGresult *r = pgconn_exec_params(v->pg, "SELECT set_config($1, $2, false)", 2, params);
    int ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        err_set(&v->err, "set %s: %s", name, pq_msg(v->pg, r));
    PQclear(r);
    return ok ? 0 : -1;
}
