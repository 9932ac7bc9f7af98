/* whatif.c - see whatif.h. */
#include "common/whatif.h"

#include <ctype.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/pgconn.h"
#include "common/pgmark.h"
#include "common/progress.h"
#include "common/sqlparse.h"

struct whatif {
    pgconn_t *pg; /* every wait bounded (common/pgconn.h) */
    PGconn *conn; /* pgconn_pq(pg), for PQescapeLiteral and status */
    err_t err;
    int has_hypopg;
    char hypopg_version[32];
    char hypopg_schema_q[140]; /* quoted schema of hypopg's functions */
    int server_version;
    /* 1: plan_cache_mode = force_generic_plan is set for the session, so
     * an EXPLAIN EXECUTE needs no transaction of its own to set it */
    int generic_session;
    int generation;
    /* hypothetical indexes alive now (created minus dropped since the
     * last reset) and how many may be: hypopg's fake OID range (see
     * whatif.h), at most WHATIF_MAX_HYPO */
    int64_t live, live_limit, created_total;
    int64_t explains, cache_hits;
    unsigned prepare_seq;
    json_t *cache;       /* cache_key -> cost */
    json_t *param_types; /* sql text -> array of type names */
    json_t *declared;    /* fixed sql text -> "(type, ...)" declared at PREPARE */
};

static int fail(whatif_t *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Formats an error message into w->err. Always returns -1, for "return
 * fail(w, ...)". */
static int fail(whatif_t *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err.msg, sizeof w->err.msg, fmt, ap);
    va_end(ap);
    return -1;
}

/* The server's message without its trailing newline. */
static const char *pq_message(const whatif_t *w, const PGresult *r)
{
    static _Thread_local char buf[400];
    const char *m = r ? PQresultErrorMessage(r) : NULL;
    if (!m || !*m)
        m = pgconn_error(w->pg);
    snprintf(buf, sizeof buf, "%s", m ? m : "unknown error");
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = 0;
    return buf;
}

/* nparams 0 runs sql as a simple query (several statements allowed). pgconn
 * marks every statement with PGOPT_SQL_MARK (common/pgmark.h), so that the
 * collector can leave pgopt's own what-if traffic out of the workload. */
static PGresult *run_marked(pgconn_t *conn, int nparams, const char *const *params, const char *sql)
{
    PGresult *r = nparams ? pgconn_exec_params(conn, sql, nparams, params) : pgconn_exec(conn, sql);
    /* Each round trip is progress: at 20-35 ms a selection makes hundreds
     * of them, seconds on end (common/progress.h). */
    progress_alive();
    return r;
}

/* Runs a command that returns no rows; on failure inside a transaction block
 * the block is rolled back so the session stays usable. */
static int exec_cmd(whatif_t *w, const char *what, const char *sql)
{
    PGresult *r = run_marked(w->pg, 0, NULL, sql);
    int ok = r && (PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK);
    if (!ok)
        fail(w, "%s: %s", what, pq_message(w, r));
    PQclear(r);
    if (!ok && PQtransactionStatus(w->conn) == PQTRANS_INERROR) {
        PGresult *rb = run_marked(w->pg, 0, NULL, "ROLLBACK");
        PQclear(rb);
    }
    return ok ? 0 : -1;
}

int whatif_open(const char *conninfo, int statement_timeout_ms, whatif_t **out, err_t *err)
{
    if (!out)
        return err_set(err, "whatif_open: no output pointer");
    *out = NULL;
    whatif_t *w = xcalloc(1, sizeof *w);
    w->cache = json_object();
    w->param_types = json_object();
    w->declared = json_object();
    /* Read-only and bounded from the first statement on: the options travel
     * in the startup packet, so not even the session setup can write. */
    char options[160];
    snprintf(options, sizeof options,
             "-c default_transaction_read_only=on -c statement_timeout=%d -c lock_timeout=1000",
             statement_timeout_ms > 0 ? statement_timeout_ms : 5000);
    const char *keys[] = {"dbname", "options", "application_name", NULL};
    const char *vals[] = {conninfo ? conninfo : "", options, "pgopt-whatif", NULL};
    /* The server ends a slow statement at statement_timeout; a server or
     * network that stops answering is given up on this much later (and at
     * once when the job is cancelled: the runtime's stop hook). */
    int stmt_ms = statement_timeout_ms > 0 ? statement_timeout_ms : 5000;
    pgconn_bounds_t b = {.query_bound_ms = (int64_t)stmt_ms + WHATIF_NO_ANSWER_MARGIN_MS};
    err_t cerr = {{0}};
    if (pgconn_open(keys, vals, &b, &w->pg, &cerr) != 0) {
        err_set(err, "what-if session: cannot connect: %s", cerr.msg);
        whatif_destroy(&w);
        return -1;
    }
    w->conn = pgconn_pq(w->pg);
    w->server_version = PQserverVersion(w->conn);
    PGresult *r = run_marked(w->pg, 0, NULL, "SHOW default_transaction_read_only");
    int ro = r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
             strcmp(PQgetvalue(r, 0, 0), "on") == 0;
    PQclear(r);
    if (!ro) {
        err_set(err, "what-if session: the server did not accept default_transaction_read_only=on "
                     "(a pooler may drop startup options); refusing to run what-if analysis");
        whatif_destroy(&w);
        return -1;
    }
    /* Every prepared statement of this session is EXPLAINed as a generic
     * plan: set once, it lets an EXPLAIN be one round trip instead of six
     * (explain_text) - most of the time of a what-if call on a loaded
     * machine or a server a network away. A server that refuses it gets
     * SET LOCAL per EXPLAIN as before. */
    r = run_marked(w->pg, 0, NULL, "SET plan_cache_mode = force_generic_plan");
    w->generic_session = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    r = run_marked(w->pg, 0, NULL,
                   "SELECT e.extversion, quote_ident(n.nspname) FROM pg_catalog.pg_extension e "
                   "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace "
                   "WHERE e.extname = 'hypopg'");
    if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
        w->has_hypopg = 1;
        snprintf(w->hypopg_version, sizeof w->hypopg_version, "%s", PQgetvalue(r, 0, 0));
        snprintf(w->hypopg_schema_q, sizeof w->hypopg_schema_q, "%s", PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    w->live_limit = WHATIF_MAX_HYPO;
    if (w->has_hypopg) {
        /* hypopg's fake OIDs are those above the highest pg_class OID below
         * FirstNormalObjectId (16384), the computation of its
         * hypo_get_min_fake_oid(): 2828 on a fresh PostgreSQL 15 cluster */
        r = run_marked(w->pg, 0, NULL,
                       "SELECT 16383 - max(oid)::int8 FROM pg_catalog.pg_class WHERE oid < 16384");
        if (r && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
            !PQgetisnull(r, 0, 0)) {
            long long range = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            if (range < w->live_limit)
                w->live_limit = range > 1 ? range : 1;
        }
        PQclear(r);
    }
    *out = w;
    return 0;
}

void whatif_destroy(whatif_t **w)
{
    if (!w || !*w)
        return;
    pgconn_destroy(&(*w)->pg);
    json_decref((*w)->cache);
    json_decref((*w)->param_types);
    json_decref((*w)->declared);
    free(*w);
    *w = NULL;
}

const char *whatif_error(const whatif_t *w)
{
    return w ? w->err.msg : "no what-if session";
}

int whatif_has_hypopg(const whatif_t *w)
{
    return w && w->has_hypopg;
}

const char *whatif_hypopg_version(const whatif_t *w)
{
    return w && w->has_hypopg ? w->hypopg_version : NULL;
}

int whatif_server_version(const whatif_t *w)
{
    return w ? w->server_version : 0;
}

int whatif_generation(const whatif_t *w)
{
    return w ? w->generation : 0;
}

int64_t whatif_explain_count(const whatif_t *w)
{
    return w ? w->explains : 0;
}

int64_t whatif_cache_hits(const whatif_t *w)
{
    return w ? w->cache_hits : 0;
}

int64_t whatif_created_count(const whatif_t *w)
{
    return w ? w->created_total : 0;
}

int64_t whatif_live_count(const whatif_t *w)
{
    return w ? w->live : 0;
}

int64_t whatif_live_limit(const whatif_t *w)
{
    return w ? w->live_limit : 0;
}

int whatif_reset(whatif_t *w)
{
    if (!w || !w->has_hypopg)
        return w ? fail(w, "hypopg is not installed") : -1;
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT %s.hypopg_reset()", w->hypopg_schema_q);
    if (exec_cmd(w, "hypopg_reset", sql) != 0)
        return -1;
    w->live = 0;
    w->generation++;
    return 0;
}

int whatif_index_create(whatif_t *w, const char *create_sql, unsigned *oid, int64_t *size)
{
    if (!w || !create_sql || !oid)
        return w ? fail(w, "whatif_index_create: missing argument") : -1;
    return whatif_index_create_many(w, &create_sql, 1, oid, size);
}

int whatif_index_drop(whatif_t *w, unsigned oid)
{
    if (!w || !w->has_hypopg)
        return w ? fail(w, "hypopg is not installed") : -1;
    return whatif_index_drop_many(w, &oid, 1);
}

int whatif_index_create_many(whatif_t *w, const char *const *create_sql, size_t n, unsigned *oids,
                             int64_t *sizes)
{
    if (!w || (n && (!create_sql || !oids)))
        return w ? fail(w, "whatif_index_create_many: missing argument") : -1;
    if (!w->has_hypopg)
        return fail(w, "hypopg is not installed in the target database");
    if (n == 0)
        return 0;
    if ((int64_t)n > w->live_limit)
        return fail(w, "whatif_index_create_many: %zu indexes at once (at most %lld)", n,
                    (long long)w->live_limit);
    if (w->live + (int64_t)n > w->live_limit && whatif_reset(w) != 0)
        return -1;
    /* one text[] parameter: {"ddl", ...} with each element quoted */
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += 2 * strlen(create_sql[i]) + 4;
    char *arr = xmalloc(len);
    size_t o = 0;
    arr[o++] = '{';
    for (size_t i = 0; i < n; i++) {
        if (i)
            arr[o++] = ',';
        arr[o++] = '"';
        for (const char *p = create_sql[i]; *p; p++) {
            if (*p == '"' || *p == '\\')
                arr[o++] = '\\';
            arr[o++] = *p;
        }
        arr[o++] = '"';
    }
    arr[o++] = '}';
    arr[o] = 0;
    char sql[600];
    snprintf(sql, sizeof sql,
             "SELECT h.indexrelid, %s.hypopg_relation_size(h.indexrelid) "
             "FROM unnest($1::text[]) WITH ORDINALITY AS u(ddl, i) "
             "CROSS JOIN LATERAL %s.hypopg_create_index(u.ddl) h ORDER BY u.i",
             w->hypopg_schema_q, w->hypopg_schema_q);
    const char *params[1] = {arr};
    PGresult *r = run_marked(w->pg, 1, params, sql);
    free(arr);
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || (size_t)PQntuples(r) != n) {
        if (n == 1) {
            fail(w, "hypopg_create_index(%s): %s", create_sql[0], pq_message(w, r));
            PQclear(r);
            return -1;
        }
        fail(w, "hypopg_create_index (%zu indexes, the first %s): %s", n, create_sql[0],
             pq_message(w, r));
        PQclear(r);
        /* the ones created before the failing one exist, unknown to the
         * caller: none may stay in its plans */
        err_t keep = w->err;
        whatif_reset(w);
        w->err = keep;
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        oids[i] = (unsigned)strtoul(PQgetvalue(r, (int)i, 0), NULL, 10);
        if (sizes)
            sizes[i] = strtoll(PQgetvalue(r, (int)i, 1), NULL, 10);
    }
    PQclear(r);
    w->live += (int64_t)n;
    w->created_total += (int64_t)n;
    return 0;
}

int whatif_index_drop_many(whatif_t *w, const unsigned *oids, size_t n)
{
    if (!w || !w->has_hypopg)
        return w ? fail(w, "hypopg is not installed") : -1;
    if (n == 0)
        return 0;
    if (!oids)
        return fail(w, "whatif_index_drop_many: missing argument");
    char *arr = xmalloc(n * 12 + 3);
    size_t o = 0;
    arr[o++] = '{';
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(arr + o, 13, "%s%u", i ? "," : "", oids[i]);
    arr[o++] = '}';
    arr[o] = 0;
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT %s.hypopg_drop_index(o) FROM unnest($1::oid[]) o",
             w->hypopg_schema_q);
    const char *params[1] = {arr};
    PGresult *r = run_marked(w->pg, 1, params, sql);
    free(arr);
    int ok = r && PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        fail(w, "hypopg_drop_index (%zu indexes): %s", n, pq_message(w, r));
    /* hypopg_drop_index answers false for an OID it does not hold */
    for (int i = 0; ok && i < PQntuples(r); i++)
        if (strcmp(PQgetvalue(r, i, 0), "t") == 0 && w->live > 0)
            w->live--;
    PQclear(r);
    return ok ? 0 : -1;
}

/* ---- parameterized texts ------------------------------------------------ */

char *whatif_fix_typed_params(const char *sql)
{
    static const char *const types[] = {"interval", "date",    "timestamptz", "timestamp", "timetz",
                                        "time",     "numeric", "inet",        "cidr",      "uuid",
                                        "json",     "jsonb",   "bytea",       NULL};
    size_t len = strlen(sql);
    /* each rewrite adds "::" and drops a space: at most len/3 rewrites */
    char *out = xmalloc(len * 2 + 16);
    size_t o = 0;
    int quote = 0; /* inside '...' or "..." */
    for (size_t i = 0; i < len;) {
        char c = sql[i];
        if (quote) {
            out[o++] = c;
            if (c == quote)
                quote = 0;
            i++;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            out[o++] = c;
            i++;
            continue;
        }
        int at_word = (i == 0 || !(isalnum((unsigned char)sql[i - 1]) || sql[i - 1] == '_' ||
                                   sql[i - 1] == '.' || sql[i - 1] == '$'));
        int done = 0;
        /* "extract($1 FROM col)": pg_stat_statements replaced the field
         * name, which the grammar does not take as a parameter. 'epoch' is
         * a field of every source type extract() accepts, and the plan does
         * not depend on the field. */
        if (at_word && strncasecmp(sql + i, "extract", 7) == 0) {
            size_t k = i + 7;
            while (k < len && isspace((unsigned char)sql[k]))
                k++;
            if (k < len && sql[k] == '(') {
                size_t d = k + 1;
                while (d < len && isspace((unsigned char)sql[d]))
                    d++;
                size_t e = d + 1;
                while (e < len && isdigit((unsigned char)sql[e]))
                    e++;
                size_t f = e;
                while (f < len && isspace((unsigned char)sql[f]))
                    f++;
                if (d < len && sql[d] == '$' && e > d + 1 && f > e &&
                    strncasecmp(sql + f, "from", 4) == 0 && f + 4 < len &&
                    !isalnum((unsigned char)sql[f + 4]) && sql[f + 4] != '_') {
                    memcpy(out + o, sql + i, d - i);
                    o += d - i;
                    memcpy(out + o, "'epoch'", 7);
                    o += 7;
                    i = e;
                    continue;
                }
            }
        }
        for (int t = 0; at_word && types[t] && !done; t++) {
            size_t tl = strlen(types[t]);
            if (strncasecmp(sql + i, types[t], tl) != 0)
                continue;
            size_t j = i + tl;
            /* "timestamp with time zone $1" is rare in normalized texts; only
             * the plain keyword followed by blanks and $n is rewritten. */
            size_t k = j;
            while (k < len && (sql[k] == ' ' || sql[k] == '\t' || sql[k] == '\n'))
                k++;
            if (k == j || k >= len || sql[k] != '$' || !isdigit((unsigned char)sql[k + 1]))
                continue;
            size_t e = k + 1;
            while (e < len && isdigit((unsigned char)sql[e]))
                e++;
            memcpy(out + o, sql + k, e - k);
            o += e - k;
            out[o++] = ':';
            out[o++] = ':';
            memcpy(out + o, types[t], tl);
            o += tl;
            i = e;
            done = 1;
        }
        if (!done)
            out[o++] = sql[i++];
    }
    out[o] = 0;
    return out;
}

typedef struct {
    int number;
    int location;
} param_loc_t;

typedef struct {
    param_loc_t *locs;
    size_t n, cap;
    int max_number;
} param_scan_t;

/* sqlparse_walk callback: records each $n of the statement with its byte
 * location, and the highest n, into the param_scan_t user. */
static int collect_params(const ProtobufCMessage *node, int depth, void *user)
{
    (void)depth;
    if (node->descriptor != &pg_query__param_ref__descriptor)
        return 0;
    const PgQuery__ParamRef *p = (const PgQuery__ParamRef *)node;
    param_scan_t *s = user;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        s->locs = xreallocarray(s->locs, cap, sizeof *s->locs);
        s->cap = cap;
    }
    s->locs[s->n].number = p->number;
    s->locs[s->n].location = p->location;
    s->n++;
    if (p->number > s->max_number)
        s->max_number = p->number;
    return 0;
}

/* Finds every $n of a text (through the real parse tree, so "$1" inside a
 * string literal is not a parameter). */
static int scan_params(whatif_t *w, const char *sql, param_scan_t *s)
{
    memset(s, 0, sizeof *s);
    sqlparse_t *p = NULL;
    err_t e;
    if (sqlparse_parse(sql, &p, &e) != 0)
        return fail(w, "cannot parse statement: %s", e.msg);
    int rc = 0;
    for (size_t i = 0; i < sqlparse_statement_count(p); i++) {
        const PgQuery__RawStmt *st = sqlparse_statement(p, i);
        if (st->stmt)
            sqlparse_walk((const ProtobufCMessage *)st->stmt, collect_params, s);
    }
    if (sqlparse_statement_count(p) != 1)
        rc = fail(w, "expected one statement, found %zu", sqlparse_statement_count(p));
    sqlparse_destroy(&p);
    return rc;
}

/* PREPARE name [(types)] AS sql in the what-if session; -1 with w's error
 * when the server refuses it. */
static int prepare(whatif_t *w, const char *name, const char *types_decl, const char *sql)
{
    size_t len = strlen(sql) + strlen(name) + (types_decl ? strlen(types_decl) : 0) + 32;
    char *cmd = xmalloc(len);
    snprintf(cmd, len, "PREPARE %s%s AS %s", name, types_decl ? types_decl : "", sql);
    int rc = exec_cmd(w, "PREPARE", cmd);
    free(cmd);
    return rc;
}

static void deallocate(whatif_t *w, const char *name)
{
    char cmd[80];
    snprintf(cmd, sizeof cmd, "DEALLOCATE %s", name);
    PGresult *r = run_marked(w->pg, 0, NULL, cmd);
    PQclear(r);
}

/* Types of a prepared statement's parameters, from pg_prepared_statements. */
static json_t *read_param_types(whatif_t *w, const char *name)
{
    const char *params[1] = {name};
    PGresult *r = run_marked(w->pg, 1, params,
                             "SELECT t FROM pg_catalog.pg_prepared_statements p, "
                             "unnest(p.parameter_types::text[]) WITH ORDINALITY u(t, i) "
                             "WHERE p.name = $1 ORDER BY i");
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
        fail(w, "reading parameter types: %s", pq_message(w, r));
        PQclear(r);
        return NULL;
    }
    json_t *a = json_array();
    for (int i = 0; i < PQntuples(r); i++)
        json_array_append_new(a, json_string(PQgetvalue(r, i, 0)));
    PQclear(r);
    return a;
}

/* Parameter types for sql (cached per text). Borrowed reference. */
static json_t *param_types_of(whatif_t *w, const char *sql)
{
    json_t *t = json_object_get(w->param_types, sql);
    if (t)
        return t;
    char name[40];
    snprintf(name, sizeof name, "pgopt_whatif_%u", ++w->prepare_seq);
    if (prepare(w, name, json_string_value(json_object_get(w->declared, sql)), sql) != 0)
        return NULL;
    t = read_param_types(w, name);
    deallocate(w, name);
    if (!t)
        return NULL;
    json_object_set_new(w->param_types, sql, t);
    return t;
}

int whatif_param_types(whatif_t *w, const char *sql, size_t *nparams, char ***types)
{
    if (!w || !sql || !nparams || !types)
        return w ? fail(w, "whatif_param_types: missing argument") : -1;
    *nparams = 0;
    *types = NULL;
    char *fixed = whatif_fix_typed_params(sql);
    json_t *t = param_types_of(w, fixed);
    free(fixed);
    if (!t)
        return -1;
    size_t n = json_array_size(t);
    if (n == 0)
        return 0;
    char **out = xcalloc(n, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(json_string_value(json_array_get(t, i)));
    *nparams = n;
    *types = out;
    return 0;
}

int whatif_declare_param_types(whatif_t *w, const char *sql, const char *const *types, size_t n)
{
    if (!w || !sql || (n && !types))
        return w ? fail(w, "whatif_declare_param_types: missing argument") : -1;
    char *fixed = whatif_fix_typed_params(sql);
    size_t len = 3;
    for (size_t i = 0; i < n; i++)
        len += strlen(types[i] ? types[i] : "unknown") + 2;
    char *decl = xmalloc(len);
    size_t d = 0;
    decl[d++] = '(';
    for (size_t i = 0; i < n; i++)
        d += (size_t)snprintf(decl + d, len - d, "%s%s", i ? ", " : "",
                              types[i] ? types[i] : "unknown");
    snprintf(decl + d, len - d, ")");
    if (n)
        json_object_set_new(w->declared, fixed, json_string(decl));
    else
        json_object_del(w->declared, fixed);
    /* types read under another declaration are stale */
    json_object_del(w->param_types, fixed);
    free(decl);
    free(fixed);
    return 0;
}

void whatif_free_types(char **types, size_t n)
{
    if (!types)
        return;
    for (size_t i = 0; i < n; i++)
        free(types[i]);
    free(types);
}

static int cmp_loc(const void *a, const void *b)
{
    const param_loc_t *x = a, *y = b;
    return (x->location > y->location) - (x->location < y->location);
}

/* sql with the parameters that have values replaced by 'value'::type. */
static char *substitute(whatif_t *w, const char *sql, const param_scan_t *s, json_t *types,
                        const char *const *values, size_t nvalues)
{
    size_t len = strlen(sql);
    size_t cap = len + 1;
    for (size_t i = 0; i < nvalues; i++)
        if (values[i])
            cap += (strlen(values[i]) * 2 + 80) * (s->n + 1);
    char *out = xmalloc(cap);
    param_loc_t *locs = xmalloc((s->n + 1) * sizeof *locs);
    memcpy(locs, s->locs, s->n * sizeof *locs);
    qsort(locs, s->n, sizeof *locs, cmp_loc);
    size_t o = 0, at = 0;
    for (size_t i = 0; i < s->n; i++) {
        int num = locs[i].number;
        size_t loc = (size_t)locs[i].location;
        if (num < 1 || (size_t)num > nvalues || !values[num - 1] || loc < at || loc >= len ||
            sql[loc] != '$')
            continue;
        const char *type = json_string_value(json_array_get(types, (size_t)num - 1));
        if (!type)
            continue;
        memcpy(out + o, sql + at, loc - at);
        o += loc - at;
        char *lit = PQescapeLiteral(w->conn, values[num - 1], strlen(values[num - 1]));
        if (!lit) {
            free(out);
            free(locs);
            fail(w, "cannot quote a parameter value: %s", pq_message(w, NULL));
            return NULL;
        }
        o += (size_t)snprintf(out + o, cap - o, "(%s::%s)", lit, type);
        PQfreemem(lit);
        at = loc + 1;
        while (at < len && isdigit((unsigned char)sql[at]))
            at++;
    }
    memcpy(out + o, sql + at, len - at);
    o += len - at;
    out[o] = 0;
    free(locs);
    return out;
}

/* EXPLAIN (FORMAT JSON) of sql; *json_text malloc()ed. */
static int explain_text(whatif_t *w, const char *sql, const char *const *values, size_t nvalues,
                        char **json_text)
{
    *json_text = NULL;
    char *fixed = whatif_fix_typed_params(sql);
    param_scan_t s;
    if (scan_params(w, fixed, &s) != 0) {
        free(fixed);
        return -1;
    }
    int rc = -1;
    char *cmd = NULL, *subst = NULL;
    char name[40] = "";
    PGresult *r = NULL;
    if (s.n == 0) {
        size_t len = strlen(fixed) + 32;
        cmd = xmalloc(len);
        snprintf(cmd, len, "EXPLAIN (FORMAT JSON) %s", fixed);
        r = run_marked(w->pg, 0, NULL, cmd);
    } else {
        json_t *types = param_types_of(w, fixed);
        if (!types)
            goto out;
        size_t ntypes = json_array_size(types);
        /* Declared types for every parameter so a text where some $n were
         * replaced by literals still prepares with the same numbering. */
        size_t dlen = 8;
        for (size_t i = 0; i < ntypes; i++)
            dlen += strlen(json_string_value(json_array_get(types, i))) + 2;
        char *decl = xmalloc(dlen);
        size_t d = 0;
        decl[d++] = '(';
        for (size_t i = 0; i < ntypes; i++)
            d += (size_t)snprintf(decl + d, dlen - d, "%s%s", i ? ", " : "",
                                  json_string_value(json_array_get(types, i)));
        snprintf(decl + d, dlen - d, ")");
        subst = values ? substitute(w, fixed, &s, types, values, nvalues) : xstrdup(fixed);
        if (!subst) {
            free(decl);
            goto out;
        }
        snprintf(name, sizeof name, "pgopt_whatif_%u", ++w->prepare_seq);
        /* EXECUTE name(NULL, ...): a generic plan never looks at them */
        size_t elen = strlen(name) + ntypes * 6 + 64;
        char *exec = xmalloc(elen);
        size_t c = (size_t)snprintf(exec, elen, "EXPLAIN (FORMAT JSON) EXECUTE %s", name);
        for (size_t i = 0; i < ntypes; i++)
            c += (size_t)snprintf(exec + c, elen - c, "%sNULL", i ? ", " : "(");
        if (ntypes)
            snprintf(exec + c, elen - c, ")");
        if (w->generic_session) {
            /* one round trip: the statements of one text run in order and
             * the last one's result (the plan) comes back, or the first
             * error; DEALLOCATE ALL first removes the statement of the
             * previous call (the session prepares no other that lasts) */
            size_t len = strlen(subst) + strlen(decl) + strlen(exec) + strlen(name) + 64;
            cmd = xmalloc(len);
            snprintf(cmd, len, "DEALLOCATE ALL; PREPARE %s%s AS %s; %s", name, ntypes ? decl : "",
                     subst, exec);
            free(decl);
            free(exec);
            r = run_marked(w->pg, 0, NULL, cmd);
            name[0] = 0; /* the next call's DEALLOCATE ALL, or the session's end */
        } else {
            int prc = prepare(w, name, ntypes ? decl : NULL, subst);
            free(decl);
            if (prc != 0) {
                free(exec);
                name[0] = 0;
                goto out;
            }
            cmd = exec;
            if (exec_cmd(w, "BEGIN", "BEGIN READ ONLY") != 0)
                goto out;
            if (exec_cmd(w, "plan_cache_mode", "SET LOCAL plan_cache_mode = force_generic_plan") !=
                0)
                goto out;
            r = run_marked(w->pg, 0, NULL, cmd);
        }
    }
    w->explains++;
    if (!r || PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) < 1) {
        fail(w, "EXPLAIN: %s", pq_message(w, r));
        goto out;
    }
    *json_text = xstrdup(PQgetvalue(r, 0, 0));
    rc = 0;
out:
    PQclear(r);
    if (PQtransactionStatus(w->conn) != PQTRANS_IDLE) {
        PGresult *rb = run_marked(w->pg, 0, NULL, "ROLLBACK");
        PQclear(rb);
    }
    if (name[0])
        deallocate(w, name);
    free(cmd);
    free(subst);
    free(fixed);
    free(s.locs);
    return rc;
}

int whatif_explain(whatif_t *w, const char *sql, const char *const *values, size_t nvalues,
                   char **plan_json)
{
    if (!w || !sql || !plan_json)
        return w ? fail(w, "whatif_explain: missing argument") : -1;
    return explain_text(w, sql, values, nvalues, plan_json);
}

/* Appends to *oids the OID of every hypothetical index the plan node and
 * its children name: hypopg names them "<OID>btree_table_cols" (EXPLAIN's
 * "Index Name" of index, index-only and bitmap index scans; subplans and
 * InitPlans are children too). */
static void plan_hypo_oids(const json_t *node, unsigned **oids, size_t *n, size_t *cap)
{
    const char *name = json_string_value(json_object_get(node, "Index Name"));
    if (name && name[0] == '<' && isdigit((unsigned char)name[1])) {
        char *end = NULL;
        unsigned long v = strtoul(name + 1, &end, 10);
        if (end && *end == '>') {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 8;
                *oids = xreallocarray(*oids, *cap, sizeof **oids);
            }
            (*oids)[(*n)++] = (unsigned)v;
        }
    }
    size_t i;
    const json_t *child;
    json_array_foreach(json_object_get(node, "Plans"), i, child)
        plan_hypo_oids(child, oids, n, cap);
}

int whatif_cost_plan(whatif_t *w, const char *sql, const char *const *values, size_t nvalues,
                     double *cost, unsigned **hypo_oids, size_t *nhypo)
{
    if (!w || !sql || !cost)
        return w ? fail(w, "whatif_cost: missing argument") : -1;
    if (hypo_oids) {
        *hypo_oids = NULL;
        *nhypo = 0;
    }
    char *text = NULL;
    if (explain_text(w, sql, values, nvalues, &text) != 0)
        return -1;
    json_error_t je;
    json_t *doc = json_loads(text, 0, &je);
    free(text);
    json_t *plan = json_object_get(json_array_get(doc, 0), "Plan");
    json_t *tc = json_object_get(plan, "Total Cost");
    if (!json_is_number(tc)) {
        json_decref(doc);
        return fail(w, "EXPLAIN output has no Plan.\"Total Cost\"");
    }
    *cost = json_number_value(tc);
    if (hypo_oids) {
        size_t cap = 0;
        plan_hypo_oids(plan, hypo_oids, nhypo, &cap);
    }
    json_decref(doc);
    return 0;
}

int whatif_cost(whatif_t *w, const char *sql, const char *const *values, size_t nvalues,
                const char *cache_key, double *cost)
{
    if (!w || !sql || !cost)
        return w ? fail(w, "whatif_cost: missing argument") : -1;
    if (cache_key) {
        json_t *c = json_object_get(w->cache, cache_key);
        if (c) {
            *cost = json_real_value(c);
            w->cache_hits++;
            return 0;
        }
    }
    if (whatif_cost_plan(w, sql, values, nvalues, cost, NULL, NULL) != 0)
        return -1;
    if (cache_key)
        json_object_set_new(w->cache, cache_key, json_real(*cost));
    return 0;
}
