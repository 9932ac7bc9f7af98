/* query_rewriter.c - the driver: statements in, one fresh parse per rule,
 * deparse + re-parse check, gain (EXPLAIN through common/whatif, or pgopt's
 * own estimate), priority, optional verify, output in the seed's shape. */
#include "workers/query_rewriter/query_rewriter.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/jsonget.h"
#include "common/log.h"
#include "workers/query_rewriter/verify.h"
#include "common/whatif.h"
#include "workers/query_rewriter/qr_code.h"
#include "workers/query_rewriter/qr_internal.h"

/* The defaults: statement_timeout 5000 ms for EXPLAIN and verify sessions, at most 500 statements
 * examined, verify and offline off. */
void query_rewriter_options_init(query_rewriter_options_t *o)
{
    memset(o, 0, sizeof *o);
    o->statement_timeout_ms = 5000;
    o->max_statements = 500;
}

typedef struct {
    const json_t *snapshot;
    const query_rewriter_options_t *opts;
    progress_fn progress; /* the caller's beat (workers/agent.h); NULL: none */
    void *progress_user;
    qr_catalog_t cat;
    whatif_t *whatif;
    verify_t *verify;
    double total_time_ms;
    json_t *sql_rewrites, *rewrites, *notes;
    int next_id;
} run_t;

static void note(run_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a note (printf format) to the result. */
static void note(run_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    json_array_append_new(r->notes, json_string(s));
    free(s);
}

/* Values for the rewritten text's parameters from the original's. */
static void map_params(const qr_edit_t *e, char **orig, int norig, char **out, int *nout)
{
    if (e->nparams == 0) {
        for (int i = 0; i < norig; i++)
            out[i] = orig[i] ? xstrdup(orig[i]) : NULL;
        *nout = norig;
        return;
    }
    for (int k = 0; k < e->nparams; k++) {
        const qr_param_src_t *p = &e->params[k];
        out[k] = NULL;
        if (p->kind == QR_PARAM_SAME) {
            if (p->src >= 1 && p->src <= norig && orig[p->src - 1])
                out[k] = xstrdup(orig[p->src - 1]);
        } else if (p->kind == QR_PARAM_ARRAY) {
            size_t cap = 16, len = 0;
            char *a = xmalloc(cap);
            int ok = 1; /* 0 when a value of the range is missing */
            a[len++] = '{';
            for (int s = p->src; ok && s <= p->src_end; s++) {
                const char *v = s >= 1 && s <= norig ? orig[s - 1] : NULL;
                if (!v) {
                    ok = 0;
                    break;
                }
                size_t need = len + 2 * strlen(v) + 8;
                if (need > cap) {
                    cap = need * 2;
                    a = xrealloc(a, cap);
                }
                if (s > p->src)
                    a[len++] = ',';
                a[len++] = '"';
                for (const char *c = v; *c; c++) {
                    if (*c == '"' || *c == '\\')
                        a[len++] = '\\';
                    a[len++] = *c;
                }
                a[len++] = '"';
            }
            if (ok) {
                a[len++] = '}';
                a[len] = 0;
                out[k] = a;
            } else {
                free(a);
            }
        } else {
            out[k] = qr_column_value(p->column);
        }
    }
    *nout = e->nparams;
}

/* Frees the n parameter values in v and NULLs them. */
static void free_values(char **v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i]);
        v[i] = NULL;
    }
}

/* Whether each of the n parameter values is bound. */
static int all_bound(char **v, int n)
{
    for (int i = 0; i < n; i++)
        if (!v[i])
            return 0;
    return 1;
}

/* P1..P3 from the share of total execution time the rewrite saves (>= 5% P1, >= 0.5% P2), or, with
 * the gain unknown, from the statement's share of time (>= 10% P2); a conditional rewrite drops
 * one level. */
static const char *priority_for(double share_saved, double share_time, int gain_known,
                                int conditional)
{
    int level; /* 1..3 */
    if (gain_known)
        level = share_saved >= 0.05 ? 1 : share_saved >= 0.005 ? 2 : 3;
    else
        level = share_time >= 0.10 ? 2 : 3;
    if (conditional && level < 3)
        level++;
    return level == 1 ? "P1" : level == 2 ? "P2" : "P3";
}

/* A gain ratio as text ("12x", "1.8x"). */
static void format_gain(char *buf, size_t len, double g)
{
    if (g >= 10)
        snprintf(buf, len, "%.0fx", g);
    else
        snprintf(buf, len, "%.1fx", g);
}

/* whatif_cost, tried a second time when the first attempt hit the session's
 * lock or statement timeout: a DDL in progress or a burst of load on the
 * target is transient, and a rewrite without its costs loses its evidence. */
static int cost_once_more(whatif_t *w, const char *sql, const char *const *values, size_t n,
                          double *cost)
{
    if (whatif_cost(w, sql, values, n, NULL, cost) == 0)
        return 0;
    const char *e = whatif_error(w);
    if (!e || (!strstr(e, "lock timeout") && !strstr(e, "statement timeout")))
        return -1;
    log_warn("explain timed out, trying once more", "error=\"%s\"", e);
    return whatif_cost(w, sql, values, n, NULL, cost);
}

/* EXPLAIN costs of original and rewritten (or with the hypothetical index
 * for advice). Returns 1 when costs were obtained. */
static int explain_gain(run_t *r, qr_edit_t *e, const char *orig_sql, const char *new_sql,
                        json_t *ev, double *gain)
{
    if (!r->whatif)
        return 0;
    char *ov[QR_MAX_PARAMS] = {0}, *nv[QR_MAX_PARAMS] = {0};
    json_t *how = json_object();
    int no = qr_bind_params(&r->cat, orig_sql, ov, QR_MAX_PARAMS, how, 1);
    if (no > QR_MAX_PARAMS)
        no = QR_MAX_PARAMS;
    int nn = 0;
    map_params(e, ov, no, nv, &nn);
    double c0 = 0, c1 = 0;
    int ok = 0;
    if (e->hypo_index) {
        unsigned oid = 0;
        ok = cost_once_more(r->whatif, orig_sql, (const char *const *)ov, (size_t)no, &c0) == 0;
        if (ok && whatif_has_hypopg(r->whatif) &&
            whatif_index_create(r->whatif, e->hypo_index, &oid, NULL) == 0) {
            ok = cost_once_more(r->whatif, orig_sql, (const char *const *)ov, (size_t)no, &c1) == 0;
            whatif_index_drop(r->whatif, oid);
            json_object_set_new(ev, "hypothetical_index", json_string(e->hypo_index));
        } else {
            ok = 0;
        }
    } else if (new_sql) {
        ok = cost_once_more(r->whatif, orig_sql, (const char *const *)ov, (size_t)no, &c0) == 0 &&
             cost_once_more(r->whatif, new_sql, (const char *const *)nv, (size_t)nn, &c1) == 0;
    }
    if (!ok)
        json_object_set_new(ev, "explain_error", json_string(whatif_error(r->whatif)));
    if (ok && c1 > 0) {
        json_object_set_new(ev, "cost_original", json_real(c0));
        json_object_set_new(ev, "cost_rewritten", json_real(c1));
        json_object_set_new(ev, "parameter_values", json_incref(how));
        *gain = c0 / c1;
    }
    json_decref(how);
    free_values(ov, no);
    free_values(nv, nn);
    return ok && c1 > 0;
}

/* out's verify section: the original and the rewrite run read-only with the same pg_stats
 * parameter values and their row multisets compared (digests), or why that was not done (no
 * session, advice, not comparable, unbound parameter, an error running either text). */
static void run_verify(run_t *r, qr_edit_t *e, const char *orig_sql, const char *new_sql,
                       json_t *out)
{
    json_t *v = json_object();
    json_object_set_new(out, "verify", v);
    if (!r->verify) {
        json_object_set_new(v, "status", json_string("not run: no verify session (see notes)"));
        return;
    }
    if (e->advice_only || !new_sql) {
        json_object_set_new(
            v, "status",
            json_string("not applicable: advice, the query text is unchanged in meaning"));
        return;
    }
    if (e->not_verifiable) {
        char s[400];
        snprintf(s, sizeof s, "not comparable: %s", e->not_verifiable_reason);
        json_object_set_new(v, "status", json_string(s));
        return;
    }
    char *ov[QR_MAX_PARAMS] = {0}, *nv[QR_MAX_PARAMS] = {0};
    json_t *how = json_object();
    int no = qr_bind_params(&r->cat, orig_sql, ov, QR_MAX_PARAMS, how, 0);
    if (no > QR_MAX_PARAMS)
        no = QR_MAX_PARAMS;
    int nn = 0;
    map_params(e, ov, no, nv, &nn);
    json_object_set_new(v, "parameter_values", how);
    /* the values themselves, so anyone can rerun both texts */
    json_t *vo = json_array(), *vn = json_array();
    for (int i = 0; i < no; i++)
        json_array_append_new(vo, ov[i] ? json_string(ov[i]) : json_null());
    for (int i = 0; i < nn; i++)
        json_array_append_new(vn, nv[i] ? json_string(nv[i]) : json_null());
    json_object_set_new(v, "values_original", vo);
    json_object_set_new(v, "values_rewritten", vn);
    if (!all_bound(ov, no) || !all_bound(nv, nn)) {
        json_object_set_new(v, "status",
                            json_string("not run: a parameter has no value in pg_stats"));
    } else {
        verify_digest_t a, b;
        if (verify_digest(r->verify, orig_sql, (const char *const *)ov, (size_t)no, &a) != 0) {
            char s[600];
            snprintf(s, sizeof s, "error running the original: %s", verify_error(r->verify));
            json_object_set_new(v, "status", json_string(s));
        } else if (verify_digest(r->verify, new_sql, (const char *const *)nv, (size_t)nn, &b) !=
                   0) {
            char s[600];
            snprintf(s, sizeof s, "error running the rewrite: %s", verify_error(r->verify));
            json_object_set_new(v, "status", json_string(s));
        } else {
            int eq = verify_digest_equal(&a, &b);
            char s[300];
            if (eq)
                snprintf(s, sizeof s, "verified equal");
            else if (a.rows != b.rows)
                snprintf(s, sizeof s, "different: %lld rows vs %lld rows", (long long)a.rows,
                         (long long)b.rows);
            else
                snprintf(s, sizeof s, "different: same row count (%lld), different rows",
                         (long long)a.rows);
            json_object_set_new(v, "status", json_string(s));
            json_object_set_new(v, "rows", json_integer(a.rows));
            json_object_set_new(v, "ms_original", json_real(a.ms));
            json_object_set_new(v, "ms_rewritten", json_real(b.ms));
        }
    }
    free_values(ov, no);
    free_values(nv, nn);
}

/* Deparses the edited tree of p into *new_sql (the caller frees it) and
 * proves the text parses again with the parameter count the edit expects
 * (e->nparams, or the original's `before`). Returns 0 when it does, -1 when
 * the rewrite is dropped (a note says why; *new_sql may be set). */
static int deparse_checked(run_t *r, const qr_rule_t *rule, const qr_edit_t *e, sqlparse_t *p,
                           int before, char **new_sql)
{
    err_t derr;
    if (sqlparse_deparse(sqlparse_tree(p), new_sql, &derr) != 0) {
        note(r, "%s: the edited tree did not deparse (%s); rewrite dropped", rule->id, derr.msg);
        return -1;
    }
    sqlparse_t *again = NULL;
    if (sqlparse_parse(*new_sql, &again, &derr) != 0) {
        note(r, "%s: the deparsed text does not parse (%s); rewrite dropped", rule->id, derr.msg);
        free(*new_sql);
        *new_sql = NULL;
        return -1;
    }
    int after = qr_max_param((const ProtobufCMessage *)sqlparse_tree(again));
    sqlparse_destroy(&again);
    int expect = e->nparams ? e->nparams : before;
    if (after != expect) {
        note(r, "%s: the rewrite has %d parameters, expected %d; rewrite dropped", rule->id, after,
             expect);
        return -1;
    }
    return 0;
}

/* The rewrite's gain: EXPLAIN on the target when online, else the rule's
 * own estimate. Writes the method sentence (method, msize) and the gain
 * text for estimated_gain (gs, gsize); *gain is set when known. Returns 1
 * when the gain is known, 0 otherwise. */
static int rewrite_gain(run_t *r, qr_edit_t *e, const char *query, const char *new_sql, int online,
                        double *gain, char *method, size_t msize, char *gs, size_t gsize)
{
    int gain_known = 0;
    if (online && explain_gain(r, e, query, new_sql, e->evidence, gain)) {
        gain_known = 1;
        snprintf(method, msize,
                 e->hypo_index
                     ? "explain: planner cost without vs with the hypothetical index "
                       "(hypopg), generic plan with pg_stats values where known"
                     : "explain: planner cost of original vs rewritten, generic plan with "
                       "pg_stats values where known");
    } else if (e->own_gain > 0) {
        *gain = e->own_gain;
        gain_known = 1;
        snprintf(method, msize, "pgopt estimate: %s", e->own_method);
    } else {
        snprintf(method, msize, "%s%s", online ? "" : "target not reachable, ",
                 e->own_method[0] ? e->own_method : "not estimated");
    }
    if (gain_known) {
        format_gain(gs, gsize, *gain);
        if (*gain < 1.05)
            snprintf(gs + strlen(gs), gsize - strlen(gs), " (no gain on this database)");
    } else {
        snprintf(gs, gsize, "unknown: %s",
                 online ? "EXPLAIN could not cost both texts" : "no target to EXPLAIN on");
    }
    return gain_known;
}

/* The priority of the rewrite (out's "priority") from the share of total
 * time it saves, and the statement's figures in the evidence ev. */
static void rewrite_priority(const run_t *r, const qr_edit_t *e, const json_t *stmt, json_t *out,
                             json_t *ev, double gain, int gain_known)
{
    double total = jget_num_or(stmt, "total_exec_time", 0);
    double share_time = r->total_time_ms > 0 ? total / r->total_time_ms : 0;
    double saved = gain_known && gain > 1 ? total * (1 - 1 / gain) : 0;
    double share_saved = r->total_time_ms > 0 ? saved / r->total_time_ms : 0;
    json_object_set_new(out, "priority",
                        json_string(priority_for(share_saved, share_time,
                                                 gain_known && gain >= 1.05, e->safety[0] != 0)));
    json_object_set_new(ev, "calls", json_integer((json_int_t)jget_num_or(stmt, "calls", 0)));
    json_object_set_new(ev, "total_exec_time_ms", json_real(total));
    json_object_set_new(ev, "share_of_total_time", json_real(share_time));
    if (gain_known && gain > 1)
        json_object_set_new(ev, "time_saved_ms_estimate", json_real(saved));
}

/* Appends the seed's rewrites entry (type query_opt) for the sql_rewrites
 * entry out that is about to be appended: same gain and priority, the
 * changes joined into the explanation. */
static void append_rewrites_entry(run_t *r, const qr_edit_t *e, const char *query,
                                  const char *new_sql, const json_t *qid, json_t *out)
{
    json_t *rw = json_object();
    char id[32];
    snprintf(id, sizeof id, "qry-%03d", ++r->next_id);
    json_object_set_new(rw, "id", json_string(id));
    json_object_set_new(rw, "file", json_null());
    json_object_set_new(rw, "line", json_null());
    json_object_set_new(rw, "type", json_string("query_opt"));
    json_object_set_new(rw, "original", json_string(query));
    json_object_set_new(
        rw, "optimized",
        json_string(e->advice && e->advice_only && e->hypo_index ? e->advice : new_sql));
    size_t i;
    json_t *c;
    size_t elen = 0;
    json_array_foreach(e->changes, i, c) elen += strlen(json_string_value(c)) + 2;
    char *expl = xcalloc(1, elen + 1);
    json_array_foreach(e->changes, i, c)
    {
        if (i)
            strcat(expl, "; ");
        strcat(expl, json_string_value(c));
    }
    json_object_set_new(rw, "explanation", json_string(expl));
    free(expl);
    json_object_set(rw, "estimated_gain", json_object_get(out, "estimated_gain"));
    json_object_set(rw, "priority", json_object_get(out, "priority"));
    json_object_set_new(rw, "sql_rewrite",
                        json_integer((json_int_t)json_array_size(r->sql_rewrites)));
    if (json_is_integer(qid))
        json_object_set_new(rw, "queryid", json_integer(json_integer_value(qid)));
    json_array_append_new(r->rewrites, rw);
}

/* Applies one rule to one statement; appends its entry or a note. Returns
 * 1 when an entry was added, 0 when the rule did not apply (or withheld or
 * dropped its rewrite: a note says why), -1 when the rule failed (err). */
static int apply_rule(run_t *r, const qr_rule_t *rule, const json_t *stmt, const char *query,
                      int online, err_t *err)
{
    sqlparse_t *p = NULL;
    if (sqlparse_parse(query, &p, NULL) != 0)
        return 0;
    if (sqlparse_statement_count(p) != 1) {
        sqlparse_destroy(&p);
        return 0;
    }
    PgQuery__ParseResult *tree = sqlparse_tree_mutable(p);
    qr_edit_t e;
    memset(&e, 0, sizeof e);
    e.cat = &r->cat;
    e.snapshot = r->snapshot;
    e.stmt = stmt;
    e.query = query;
    e.parse = p;
    e.select =
        tree->stmts[0]->stmt && tree->stmts[0]->stmt->node_case == PG_QUERY__NODE__NODE_SELECT_STMT
            ? tree->stmts[0]->stmt->select_stmt
            : NULL;
    e.changes = json_array();
    e.evidence = json_object();
    int before = qr_max_param((const ProtobufCMessage *)tree);
    int rc = rule->apply(&e, err);
    const json_t *qid = json_object_get(stmt, "queryid");
    char *new_sql = NULL;
    if (rc <= 0)
        goto done;
    if (e.withheld[0]) {
        char qs[32] = "";
        if (json_is_integer(qid))
            snprintf(qs, sizeof qs, "%lld", (long long)json_integer_value(qid));
        note(r, "withheld %s for statement %s: %s", rule->id, qs[0] ? qs : "(text)", e.withheld);
        rc = 0;
        goto done;
    }
    /* deparse and prove the text parses again with the parameters it should have */
    if (deparse_checked(r, rule, &e, p, before, &new_sql) != 0) {
        rc = 0;
        goto done;
    }
    json_t *out = json_object();
    json_object_set_new(out, "original_query", json_string(query));
    json_object_set_new(out, "optimized_query", json_string(new_sql));
    json_object_set(out, "changes", e.changes);
    double gain = 0;
    char method[700], gs[300];
    json_t *ev = e.evidence;
    int gain_known =
        rewrite_gain(r, &e, query, new_sql, online, &gain, method, sizeof method, gs, sizeof gs);
    json_object_set_new(out, "estimated_gain", json_string(gs));
    if (json_is_integer(qid))
        json_object_set_new(out, "queryid", json_integer(json_integer_value(qid)));
    json_object_set_new(out, "rule", json_string(rule->id));
    char safety[900];
    if (e.safety[0])
        snprintf(safety, sizeof safety, "conditional: %s", e.safety);
    else
        snprintf(safety, sizeof safety, "proven");
    json_object_set_new(out, "safety", json_string(safety));
    json_object_set_new(out, "method", json_string(method));
    rewrite_priority(r, &e, stmt, out, ev, gain, gain_known);
    json_object_set(out, "evidence", ev);
    if (e.advice)
        json_object_set_new(out, "advice", json_string(e.advice));
    if (r->opts->verify)
        run_verify(r, &e, query, new_sql, out);
    /* the seed's rewrites entry of type query_opt for the same finding */
    append_rewrites_entry(r, &e, query, new_sql, qid, out);
    json_array_append_new(r->sql_rewrites, out);
    rc = 1;
done:
    free(new_sql);
    free(e.advice);
    free(e.hypo_index);
    json_decref(e.changes);
    json_decref(e.evidence);
    sqlparse_destroy(&p);
    return rc < 0 ? -1 : rc;
}

/* qsort order for statements: the most total execution time first. */
static int cmp_time(const void *a, const void *b)
{
    double x = jget_num_or(*(const json_t *const *)a, "total_exec_time", 0);
    double y = jget_num_or(*(const json_t *const *)b, "total_exec_time", 0);
    return (x < y) - (x > y);
}

/* Statements that are pgopt's own or catalog queries are not the workload. */
static int skip_statement(const char *q)
{
    return !q || strstr(q, "pg_catalog.") || strstr(q, "pg_stat_") || strstr(q, "hypopg");
}

/* Applies every rule to the statements with the most total time (at most max_statements),
 * reporting progress and noting skipped texts. Returns 0, or -1 with err set when cancelled or
 * a rule failed. */
static int run_all(run_t *r, int online, err_t *err)
{
    const json_t *stmts = json_object_get(r->snapshot, "statements");
    size_t n = json_array_size(stmts);
    const json_t **order = xcalloc(n, sizeof *order);
    for (size_t i = 0; i < n; i++) {
        order[i] = json_array_get(stmts, i);
        r->total_time_ms += jget_num_or(order[i], "total_exec_time", 0);
    }
    qsort(order, n, sizeof *order, cmp_time);
    size_t limit = r->opts->max_statements > 0 ? (size_t)r->opts->max_statements : 500;
    if (n > limit)
        note(r, "examined the %zu statements with the most total time of %zu", limit, n);
    size_t todo = n < limit ? n : limit;
    int parse_failures = 0;
    for (size_t i = 0; i < todo; i++) {
        if (r->progress && r->progress(r->progress_user, "rewrite", (int64_t)i, (int64_t)todo)) {
            free(order);
            return err_set(err, "cancelled");
        }
        const char *q = json_string_value(json_object_get(order[i], "query"));
        if (skip_statement(q))
            continue;
        char *fixed = whatif_fix_typed_params(q);
        sqlparse_t *p = NULL;
        if (sqlparse_parse(fixed, &p, NULL) != 0) {
            parse_failures++;
            free(fixed);
            continue;
        }
        sqlparse_destroy(&p);
        for (size_t k = 0; k < qr_nrules; k++)
            if (apply_rule(r, qr_rules[k], order[i], fixed, online, err) < 0) {
                free(fixed);
                free(order);
                return -1;
            }
        free(fixed);
    }
    if (parse_failures)
        note(r,
             "%d statement texts did not parse (truncated by track_activity_query_size, or not "
             "SQL) and were skipped",
             parse_failures);
    free(order);
    return 0;
}

/* A new result map with the seed's phase and agent fields. */
static json_t *new_result(void)
{
    json_t *o = json_object();
    json_object_set_new(o, "phase", json_string("OPTIMIZE"));
    json_object_set_new(o, "agent", json_string("query_rewriter"));
    return o;
}

int query_rewriter_analyze(const json_t *snapshot, const query_rewriter_options_t *opts,
                           progress_fn progress, void *progress_user, json_t **result, err_t *err)
{
    if (!result)
        return err_set(err, "query_rewriter_analyze: no output pointer");
    *result = NULL;
    if (!json_is_object(snapshot))
        return err_set(err, "query_rewriter: the snapshot is not a map");
    query_rewriter_options_t dflt;
    if (!opts) {
        query_rewriter_options_init(&dflt);
        opts = &dflt;
    }
    run_t r;
    memset(&r, 0, sizeof r);
    r.snapshot = snapshot;
    r.opts = opts;
    r.progress = progress;
    r.progress_user = progress_user;
    r.sql_rewrites = json_array();
    r.rewrites = json_array();
    r.notes = json_array();
    qr_catalog_load(snapshot, &r.cat);
    if (!json_is_array(json_object_get(snapshot, "statements")))
        note(&r, "the snapshot has no statements section (pg_stat_statements): nothing to rewrite");
    if (!json_is_array(json_object_get(snapshot, "constraints")))
        note(&r, "the snapshot has no constraints: rewrites that need NOT NULL or unique keys are "
                 "conditional or withheld");
    /* snapshot.options turns verify and offline on (docs/SNAPSHOT.md); a
     * caller's opts can turn them on too, never off. */
    const json_t *snap_opts = json_object_get(snapshot, "options");
    int verify = opts->verify || json_is_true(json_object_get(snap_opts, "verify"));
    query_rewriter_options_t eff = *opts;
    eff.verify = verify;
    eff.offline = opts->offline || json_is_true(json_object_get(snap_opts, "rewriter_offline"));
    r.opts = &eff;
    opts = &eff;
    const char *dsn =
        json_string_value(json_object_get(json_object_get(snapshot, "target"), "dsn"));
    int online = 0;
    if (opts->offline) {
        note(&r, "offline: gains are pgopt's own estimates, not EXPLAIN costs");
    } else if (!dsn) {
        note(&r,
             "no target.dsn in the snapshot: gains are pgopt's own estimates, not EXPLAIN costs");
    } else {
        err_t werr;
        if (whatif_open(dsn, opts->statement_timeout_ms, &r.whatif, &werr) != 0)
            note(&r, "target not reachable (%s): gains are pgopt's own estimates", werr.msg);
        else
            online = 1;
    }
    if (verify) {
        if (!dsn || opts->offline) {
            note(&r, "verify requested but there is no target to run on");
        } else {
            err_t verr;
            if (verify_open(dsn, opts->statement_timeout_ms, &r.verify, &verr) != 0)
                note(&r, "verify: %s", verr.msg);
        }
    }
    if (run_all(&r, online, err) != 0)
        goto fail;
    if (qr_n1_detect(&r.cat, json_object_get(snapshot, "statements"), r.rewrites, r.notes,
                     &r.next_id) != 0)
        goto fail;
    /* part 2: rewrites from the application code (ORM patterns) */
    if (qr_code_rewrites(snapshot, r.rewrites, r.notes, &r.next_id, err) != 0)
        goto fail;
    json_t *out = new_result();
    json_object_set_new(out, "rewrites", r.rewrites);
    json_object_set_new(out, "sql_rewrites", r.sql_rewrites);
    json_object_set_new(out, "notes", r.notes);
    whatif_destroy(&r.whatif);
    verify_destroy(&r.verify);
    qr_catalog_free(&r.cat);
    *result = out;
    return 0;
fail:
    whatif_destroy(&r.whatif);
    verify_destroy(&r.verify);
    qr_catalog_free(&r.cat);
    json_decref(r.sql_rewrites);
    json_decref(r.rewrites);
    json_decref(r.notes);
    return -1;
}

int query_rewriter_rewrite_text(const json_t *snapshot, const char *sql, json_t **rewrites,
                                json_t **notes, err_t *err)
{
    if (!rewrites || !notes || !sql)
        return err_set(err, "query_rewriter_rewrite_text: bad arguments");
    query_rewriter_options_t o;
    query_rewriter_options_init(&o);
    o.offline = 1;
    run_t r;
    memset(&r, 0, sizeof r);
    r.snapshot = snapshot;
    r.opts = &o;
    r.sql_rewrites = json_array();
    r.rewrites = json_array();
    r.notes = json_array();
    qr_catalog_load(snapshot, &r.cat);
    json_t *stmt = json_object();
    json_object_set_new(stmt, "query", json_string(sql));
    int rc = 0;
    for (size_t k = 0; k < qr_nrules && rc >= 0; k++)
        rc = apply_rule(&r, qr_rules[k], stmt, sql, 0, err);
    json_decref(stmt);
    qr_catalog_free(&r.cat);
    json_decref(r.rewrites);
    if (rc < 0) {
        json_decref(r.sql_rewrites);
        json_decref(r.notes);
        return -1;
    }
    *rewrites = r.sql_rewrites;
    *notes = r.notes;
    return 0;
}
