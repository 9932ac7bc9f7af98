/* qr_code.c - see qr_code.h. */
#include "workers/query_rewriter/qr_code.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/jsonget.h"
#include "common/progress.h"
#include "workers/query_rewriter/orm/sqla_models.h"
#include "workers/query_rewriter/orm/sqla_patterns.h"
#include "workers/query_rewriter/orm/sqla_perloop.h"
#include "common/sqlparse.h"

typedef enum { K_OTHER, K_SELECT, K_INSERT, K_COMMIT } kind_t;

typedef struct {
    const json_t *stmt;
    kind_t kind;
    char **tables;
    size_t ntables;
    char **columns;
    size_t ncolumns;
    double calls, mean, total;
} stmtinfo_t;

/* Appends a copy of s to the string array *arr (*n entries) unless it is
 * already there. Cannot fail (xreallocarray and xstrdup abort on
 * out-of-memory). */
static void add_unique(char ***arr, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*arr)[i], s) == 0)
            return;
    *arr = xreallocarray(*arr, *n + 1, sizeof **arr);
    (*arr)[(*n)++] = xstrdup(s);
}

/* sqlparse_walk callback filling the stmtinfo_t at user with the distinct
 * table names and column names (references and INSERT targets) of a
 * statement. Always returns 0 (keep walking). */
static int collect_visit(const ProtobufCMessage *m, int depth, void *user)
{
    (void)depth;
    stmtinfo_t *si = user;
    if (m->descriptor == &pg_query__range_var__descriptor) {
        const PgQuery__RangeVar *rv = (const PgQuery__RangeVar *)m;
        if (rv->relname)
            add_unique(&si->tables, &si->ntables, rv->relname);
    } else if (m->descriptor == &pg_query__column_ref__descriptor) {
        const PgQuery__ColumnRef *c = (const PgQuery__ColumnRef *)m;
        if (c->n_fields > 0) {
            const PgQuery__Node *last = c->fields[c->n_fields - 1];
            if (last->node_case == PG_QUERY__NODE__NODE_STRING && last->string)
                add_unique(&si->columns, &si->ncolumns, last->string->sval);
        }
    } else if (m->descriptor == &pg_query__res_target__descriptor) {
        /* INSERT column lists */
        const PgQuery__ResTarget *rt = (const PgQuery__ResTarget *)m;
        if (rt->name && *rt->name)
            add_unique(&si->columns, &si->ncolumns, rt->name);
    }
    return 0;
}

/* Parses sql into si (kind, tables, columns); -1 when it does not parse. */
static int describe(const char *sql, stmtinfo_t *si)
{
    sqlparse_t *p = NULL;
    if (!sql || sqlparse_parse(sql, &p, NULL) != 0)
        return -1;
    if (sqlparse_statement_count(p) != 1) {
        sqlparse_destroy(&p);
        return -1;
    }
    const PgQuery__RawStmt *rs = sqlparse_statement(p, 0);
    const PgQuery__Node *n = rs->stmt;
    si->kind = K_OTHER;
    if (n && n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT)
        si->kind = K_SELECT;
    else if (n && n->node_case == PG_QUERY__NODE__NODE_INSERT_STMT)
        si->kind = K_INSERT;
    else if (n && n->node_case == PG_QUERY__NODE__NODE_TRANSACTION_STMT &&
             n->transaction_stmt->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT)
        si->kind = K_COMMIT;
    if (n)
        sqlparse_walk((const ProtobufCMessage *)n, collect_visit, si);
    sqlparse_destroy(&p);
    return 0;
}

/* Frees the table and column lists of si and empties them (safe twice). */
static void info_free(stmtinfo_t *si)
{
    for (size_t i = 0; i < si->ntables; i++)
        free(si->tables[i]);
    for (size_t i = 0; i < si->ncolumns; i++)
        free(si->columns[i]);
    free(si->tables);
    free(si->columns);
    si->tables = si->columns = NULL;
    si->ntables = si->ncolumns = 0;
}

static int has(char **arr, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(arr[i], s) == 0)
            return 1;
    return 0;
}

typedef struct {
    stmtinfo_t *s;
    size_t n;
    double total_time;
} stmts_t;

/* The statement of this kind reading table (only it when only_table), naming
 * every column in cols and, when below_calls > 0, called fewer times than
 * that, with the most calls. Returns NULL when none matches or table is
 * NULL. */
static const stmtinfo_t *busiest(const stmts_t *st, kind_t kind, const char *table, int only_table,
                                 const json_t *cols, double below_calls)
{
    const stmtinfo_t *best = NULL;
    for (size_t i = 0; i < st->n; i++) {
        const stmtinfo_t *si = &st->s[i];
        if (si->kind != kind || !table || !has(si->tables, si->ntables, table))
            continue;
        if (only_table && si->ntables != 1)
            continue;
        size_t k;
        const json_t *c;
        int ok = 1;
        json_array_foreach(cols, k, c) if (!has(si->columns, si->ncolumns, json_string_value(c)))
            ok = 0;
        if (!ok || (below_calls > 0 && si->calls >= below_calls))
            continue;
        if (!best || si->calls > best->calls)
            best = si;
    }
    return best;
}

/* A new JSON object describing statement si for evidence: queryid when
 * known, query text, calls, mean and total execution time. */
static json_t *evidence_of(const stmtinfo_t *si)
{
    json_t *e = json_object();
    const json_t *q = json_object_get(si->stmt, "queryid");
    if (json_is_integer(q))
        json_object_set_new(e, "queryid", json_integer(json_integer_value(q)));
    json_object_set_new(e, "query",
                        json_string(json_string_value(json_object_get(si->stmt, "query"))));
    json_object_set_new(e, "calls", json_integer((json_int_t)si->calls));
    json_object_set_new(e, "mean_exec_time_ms", json_real(si->mean));
    json_object_set_new(e, "total_exec_time_ms", json_real(si->total));
    return e;
}

/* The busiest SELECT a select_by_fk / select_by_pk / select finding matches
 * (NULL when none does): its round trips saved once batched to one query per
 * parent query, written to gain, *saved_rt and, for the parent, ev. */
static const stmtinfo_t *match_select(const stmts_t *st, const json_t *sql, const char *shape,
                                      json_t *ev, char *gain, size_t gainsz, double *saved_rt)
{
    const char *table = json_string_value(json_object_get(sql, "table"));
    const json_t *cols = json_object_get(sql, "columns");
    const stmtinfo_t *m = busiest(st, K_SELECT, table, strcmp(shape, "select") != 0, cols, 0);
    if (m) {
        const char *parent_table = json_string_value(json_object_get(sql, "parent_table"));
        const stmtinfo_t *parent =
            parent_table ? busiest(st, K_SELECT, parent_table, 0, NULL, m->calls) : NULL;
        double pc = parent ? parent->calls : 0;
        *saved_rt = m->calls - (parent ? pc : 0);
        if (*saved_rt < 0)
            *saved_rt = 0;
        double ratio = m->calls / (pc > 0 ? pc : 1);
        snprintf(gain, gainsz,
                 "%.0f round trips saved: the per-row SELECT on %s ran %.0f times (%.3f ms "
                 "mean, %.1f ms total)%s%s%s; batched, one query per parent query remains "
                 "(%.0fx fewer)",
                 *saved_rt, table, m->calls, m->mean, m->total, parent ? " against " : "",
                 parent ? "" : ", no parent query found on ",
                 parent ? "" : (parent_table ? parent_table : "the parent table"), ratio);
        if (parent) {
            char tail[200];
            snprintf(tail, sizeof tail, " [parent: %.0f calls]", pc);
            strncat(gain, tail, gainsz - strlen(gain) - 1);
            json_object_set_new(ev, "parent", evidence_of(parent));
        }
    }
    return m;
}

/* The busiest statement of the same shape (kind, tables, columns) as a raw
 * SQL finding's template, with how many pg_stat_statements entries share it
 * in gain (NULL when none does or the template does not parse alone). */
static const stmtinfo_t *match_raw(const stmts_t *st, const json_t *sql, char *gain, size_t gainsz)
{
    const stmtinfo_t *m = NULL;
    stmtinfo_t t;
    memset(&t, 0, sizeof t);
    const char *text = json_string_value(json_object_get(sql, "text"));
    if (describe(text, &t) == 0 && t.ntables > 0) {
        int variants = 0;
        for (size_t i = 0; i < st->n; i++) {
            const stmtinfo_t *si = &st->s[i];
            if (si->kind != t.kind || si->ntables != t.ntables)
                continue;
            int ok = 1;
            for (size_t k = 0; k < t.ntables && ok; k++)
                ok = has(si->tables, si->ntables, t.tables[k]);
            for (size_t k = 0; k < t.ncolumns && ok; k++)
                ok = has(si->columns, si->ncolumns, t.columns[k]);
            if (!ok)
                continue;
            variants++;
            if (!m || si->calls > m->calls)
                m = si;
        }
        if (m)
            snprintf(gain, gainsz,
                     "%d pg_stat_statements entr%s match%s this statement's shape (busiest: "
                     "%.0f calls, %.3f ms mean); bound, they are one prepared-able "
                     "statement. Security fix first: SQL injection",
                     variants, variants == 1 ? "y" : "ies", variants == 1 ? "es" : "", m->calls,
                     m->mean);
    } else {
        snprintf(gain, gainsz, "no matching statement: the SQL template does not parse on its own");
    }
    info_free(&t);
    return m;
}

/* The pg_stat_statements entry a finding's SQL shape costs most in (NULL when
 * none matches), with the gain text and round trips saved; ev gets a parent
 * query's evidence. Without a match, gain says why. */
static const stmtinfo_t *match_statement(const stmts_t *st, const json_t *sql, int have_statements,
                                         json_t *ev, char *gain, size_t gainsz, double *saved_rt)
{
    const char *shape = json_string_value(json_object_get(sql, "shape"));
    const char *table = json_string_value(json_object_get(sql, "table"));
    const stmtinfo_t *m = NULL;
    if (!have_statements) {
        snprintf(gain, gainsz, "no matching statement: the snapshot has no pg_stat_statements");
    } else if (!shape || strcmp(shape, "none") == 0) {
        snprintf(gain, gainsz,
                 "no matching statement: the cost (connections, idle-in-transaction time) is not "
                 "a statement in pg_stat_statements");
    } else if (strcmp(shape, "select_by_fk") == 0 || strcmp(shape, "select_by_pk") == 0 ||
               strcmp(shape, "select") == 0) {
        m = match_select(st, sql, shape, ev, gain, gainsz, saved_rt);
    } else if (strcmp(shape, "insert") == 0) {
        m = busiest(st, K_INSERT, table, 0, NULL, 0);
        if (m) {
            double after = ceil(m->calls / 1000.0);
            *saved_rt = m->calls - after;
            snprintf(gain, gainsz,
                     "%.0f round trips saved: %.0f single-row INSERTs into %s (%.3f ms mean) "
                     "become about %.0f multi-row INSERTs of up to 1000 rows",
                     *saved_rt, m->calls, table, m->mean, after);
        }
    } else if (strcmp(shape, "commit") == 0) {
        m = busiest(st, K_COMMIT, NULL, 0, NULL, 0);
        for (size_t i = 0; !m && i < st->n; i++)
            if (st->s[i].kind == K_COMMIT)
                m = &st->s[i];
        if (m)
            snprintf(gain, gainsz,
                     "COMMIT ran %.0f times (%.3f ms mean, %.1f ms total, each a WAL flush); "
                     "one per loop run remains (share of this loop unknown)",
                     m->calls, m->mean, m->total);
    } else if (strcmp(shape, "raw") == 0) {
        m = match_raw(st, sql, gain, gainsz);
    }
    if (!gain[0])
        snprintf(gain, gainsz, "no matching statement in pg_stat_statements for %s%s%s",
                 shape ? shape : "?", table ? " on " : "", table ? table : "");
    return m;
}

/* The priority level (1-3) of a finding whose cost level is level: SQL
 * injection and deliberate per-item isolation override what the statement
 * cost says. */
static int finding_level(const json_t *f, int level)
{
    int security = json_is_true(json_object_get(f, "security"));
    /* SQL built from strings: P1 when a value can come from outside
     * (request input, a caller's argument, untraced); values from the
     * database or constants are P2 (issue 14, rule 5) */
    if (security) {
        const char *input = json_string_value(json_object_get(f, "input"));
        int outside = !input || (strcmp(input, "constant") != 0 && strcmp(input, "database") != 0);
        level = outside ? 1 : 2;
    }
    /* a per-item commit that is deliberate isolation stays: at most a
     * low-priority note (issue 14, rule 4) */
    if (json_is_true(json_object_get(f, "deliberate")))
        level = 3;
    return level;
}

/* Fills gain text, priority and evidence for one finding: the statement it
 * matches (match_statement), that statement's share of the workload's time,
 * and the priority that share gives (finding_level may override it). */
static void link(const stmts_t *st, const json_t *f, json_t *rw, int have_statements)
{
    const json_t *sql = json_object_get(f, "sql");
    char gain[700] = "";
    int level = 3;
    json_t *ev = json_object();
    double saved_rt = 0, share = 0;
    const stmtinfo_t *m =
        match_statement(st, sql, have_statements, ev, gain, sizeof gain, &saved_rt);
    if (m) {
        json_object_set_new(ev, "statement", evidence_of(m));
        share = st->total_time > 0 ? m->total / st->total_time : 0;
        json_object_set_new(ev, "share_of_total_time", json_real(share));
        if (saved_rt > 0)
            json_object_set_new(ev, "round_trips_saved", json_integer((json_int_t)saved_rt));
        level = share >= 0.05 || saved_rt >= 10000 ? 1 : 2;
    }
    level = finding_level(f, level);
    json_object_set_new(rw, "estimated_gain", json_string(gain));
    json_object_set_new(rw, "priority", json_string(level == 1 ? "P1" : level == 2 ? "P2" : "P3"));
    json_object_set_new(rw, "evidence", ev);
}

/* What the analysis did not read, counted, so that a user knows what "no
 * finding" covers: files the collection left out as not runtime code
 * (tests, migrations, seed scripts: --code-include keeps them) or by
 * --code-exclude, files it skipped (too big, not UTF-8, over the budget,
 * ...; meta.skipped_files lists each), and files that did not parse
 * cleanly (analysed for what parsed). */
static void skipped_notes(const json_t *snapshot, const sqla_project_t *p, json_t *notes)
{
    const json_t *sk = json_object_get(json_object_get(snapshot, "meta"), "skipped_files");
    json_int_t tests = 0, migrations = 0, seeds = 0, excluded = 0, other = 0;
    size_t i;
    const json_t *e;
    json_array_foreach(sk, i, e)
    {
        const char *r = json_string_value(json_object_get(e, "reason"));
        const char *path = json_string_value(json_object_get(e, "path"));
        json_int_t n = json_integer_value(json_object_get(e, "files"));
        if (!r || !path)
            continue;
        size_t pl = strlen(path);
        if (n <= 0)
            n = pl && path[pl - 1] == '/' ? 0 : 1;
        if (strstr(r, "not runtime code (tests)"))
            tests += n;
        else if (strstr(r, "not runtime code (migrations)"))
            migrations += n;
        else if (strstr(r, "not runtime code (seed"))
            seeds += n;
        else if (strstr(r, "--code-exclude"))
            excluded += n;
        else
            other += n;
    }
    char msg[800];
    if (tests + migrations + seeds > 0) {
        snprintf(msg, sizeof msg,
                 "code: %lld files left out as not runtime code (tests %lld, migrations %lld, "
                 "seed scripts %lld); --code-include GLOB analyses them",
                 (long long)(tests + migrations + seeds), (long long)tests, (long long)migrations,
                 (long long)seeds);
        json_array_append_new(notes, json_string(msg));
    }
    if (excluded > 0) {
        snprintf(msg, sizeof msg, "code: %lld files left out by --code-exclude",
                 (long long)excluded);
        json_array_append_new(notes, json_string(msg));
    }
    if (other > 0) {
        snprintf(msg, sizeof msg,
                 "code: %lld files skipped (too big, not UTF-8, over the budget, unreadable, ...: "
                 "meta.skipped_files says which and why)",
                 (long long)other);
        json_array_append_new(notes, json_string(msg));
    }
    size_t bad = 0, nf = sqla_project_file_count(p);
    unsigned line = 0;
    const char *first = NULL;
    for (size_t k = 0; k < nf; k++) {
        unsigned l, c;
        if (sqla_project_file_error(p, k, &l, &c) && !bad++) {
            first = sqla_project_path(p, k);
            line = l;
        }
    }
    if (bad > 0) {
        snprintf(msg, sizeof msg,
                 "code: %zu files have syntax errors (the first: %s:%u) and were analysed for "
                 "what parsed",
                 bad, first ? first : "?", line);
        json_array_append_new(notes, json_string(msg));
    }
    char example[300];
    size_t unres = sqla_perloop_unresolved_models(p, example, sizeof example);
    if (unres > 0) {
        snprintf(msg, sizeof msg,
                 "code: %zu classes declare __tablename__ but derive from a base the analysis "
                 "could not resolve (the first: %s; a base from a package not in the code?): "
                 "their relationships are unknown, so lazy loads through them are not found",
                 unres, example);
        json_array_append_new(notes, json_string(msg));
    }
}

int qr_code_rewrites(const json_t *snapshot, json_t *rewrites, json_t *notes, int *next_id,
                     err_t *err)
{
    const json_t *code = json_object_get(snapshot, "code");
    if (!code) {
        json_array_append_new(notes, json_string("no code section in the snapshot (collect with "
                                                 "--code DIR): no ORM rewrites"));
        return 0;
    }
    /* one pass: each file parsed once for both the index and its scan,
     * again only where the complete index answers otherwise */
    sqla_project_t *p = NULL;
    json_t *findings = NULL, *fnotes = NULL;
    if (sqla_analyze(code, NULL, &p, &findings, &fnotes, err) != 0)
        return -1;
    const json_t *stmts = json_object_get(snapshot, "statements");
    stmts_t st = {0};
    size_t ns = json_array_size(stmts);
    st.s = xcalloc(ns, sizeof *st.s);
    for (size_t i = 0; i < ns; i++) {
        const json_t *s = json_array_get(stmts, i);
        stmtinfo_t *si = &st.s[st.n];
        memset(si, 0, sizeof *si);
        si->stmt = s;
        si->calls = jget_num_or(s, "calls", 0);
        si->mean = jget_num_or(s, "mean_exec_time", 0);
        si->total = jget_num_or(s, "total_exec_time", 0);
        st.total_time += si->total;
        if (describe(json_string_value(json_object_get(s, "query")), si) == 0)
            st.n++;
        else
            info_free(si);
    }
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f)
    {
        /* one finding per code site: tens of thousands on a large tree */
        if ((i & 255) == 0)
            progress_beat("code rewrites", (int64_t)i, (int64_t)json_array_size(findings));
        json_t *rw = json_object();
        char id[32];
        snprintf(id, sizeof id, "qry-%03d", ++*next_id);
        json_object_set_new(rw, "id", json_string(id));
        const char *keys[] = {"file", "line", "type", "original", "optimized", "explanation"};
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
            json_object_set(rw, keys[k], json_object_get(f, keys[k]));
        link(&st, f, rw, json_is_array(stmts));
        const char *extra[] = {"kind",
                               "style",
                               "flask",
                               "security",
                               "query_file",
                               "query_line",
                               "loaders",
                               "safety",
                               "deliberate",
                               "input",
                               "safety_condition",
                               "manual_reason",
                               "imports",
                               "original_line"};
        for (size_t k = 0; k < sizeof extra / sizeof *extra; k++)
            if (json_object_get(f, extra[k]))
                json_object_set(rw, extra[k], json_object_get(f, extra[k]));
        json_array_append_new(rewrites, rw);
    }
    json_array_extend(notes, fnotes);
    char msg[200];
    snprintf(msg, sizeof msg,
             "code: %zu Python files, %zu lines, %zu models analysed; %zu ORM "
             "findings",
             sqla_project_file_count(p), sqla_project_line_count(p), sqla_project_model_count(p),
             json_array_size(findings));
    json_array_append_new(notes, json_string(msg));
    skipped_notes(snapshot, p, notes);
    for (size_t k = 0; k < st.n; k++)
        info_free(&st.s[k]);
    free(st.s);
    json_decref(findings);
    json_decref(fnotes);
    sqla_project_destroy(&p);
    return 0;
}
