/*
 * report_sql.c - apply.sql and rollback.sql for psql, from phase3_output.
 *
 * Order of apply.sql, chosen so that every step is safe on a live server and
 * the database is never worse off if the script stops half way:
 *   1. new indexes, CREATE INDEX CONCURRENTLY (no lock against writes; each
 *      statement on its own, never inside a transaction block - psql runs
 *      them so when autocommit is on, its default);
 *   2. indexes to drop (duplicates, unused, invalid), DROP INDEX
 *      CONCURRENTLY, only after the indexes that replace them exist, and
 *      only when the script can re-create them (a known definition);
 *   3. per-table storage parameters (ALTER TABLE ... SET (...): a brief
 *      SHARE UPDATE EXCLUSIVE lock);
 *   4. server settings (ALTER SYSTEM, cannot run in a transaction block),
 *      then pg_reload_conf(); settings that need a restart are listed.
 * rollback.sql undoes 4, 3, 2, 1 in that order. `\set ON_ERROR_STOP on`
 * makes psql stop at the first failure instead of carrying on.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/outfile.h"
#include "coordinator/report/report_internal.h"

/* A comment of possibly several lines, each "-- " + at most ~96 columns. */
static void comment(strbuf_t *b, const char *prefix, const char *text)
{
    if (!text)
        return;
    const size_t width = 96;
    strbuf_t t = {0};
    strbuf_add(&t, prefix);
    strbuf_add(&t, text);
    const char *s = strbuf_str(&t);
    while (*s) {
        size_t n = strcspn(s, "\n");
        size_t take = n;
        if (n > width) {
            take = width;
            while (take > 20 && s[take] != ' ')
                take--;
            if (take <= 20)
                take = width;
        }
        strbuf_add(b, "-- ");
        for (size_t i = 0; i < take; i++)
            strbuf_addn(b, (unsigned char)s[i] < 0x20 ? " " : &s[i], 1);
        strbuf_add(b, "\n");
        s += take;
        while (*s == ' ' || *s == '\n')
            s++;
    }
    strbuf_free(&t);
}

/* "CREATE [UNIQUE] INDEX name ON ..." -> "... INDEX CONCURRENTLY IF NOT EXISTS name ON ..."
 * (pg_get_indexdef text has neither; a statement that has them is kept). */
static char *concurrent_create(const char *def)
{
    if (!def)
        return NULL;
    const char *idx = strstr(def, "INDEX ");
    size_t n = strlen(def);
    while (n && (def[n - 1] == ';' || isspace((unsigned char)def[n - 1])))
        n--;
    if (!idx || strncmp(def, "CREATE ", 7) != 0 || (size_t)(idx - def) > n)
        return r_printf("%.*s;", (int)n, def);
    const char *after = idx + 6;
    int has_conc = strncmp(after, "CONCURRENTLY ", 13) == 0;
    if (has_conc)
        after += 13;
    int has_ine = strncmp(after, "IF NOT EXISTS ", 14) == 0;
    if (has_ine)
        after += 14;
    return r_printf("%.*sINDEX CONCURRENTLY IF NOT EXISTS %.*s;", (int)(idx - def), def,
                    (int)(n - (size_t)(after - def)), after);
}

/* The statement lines of a config_tuner script that start with prefix. */
static void script_lines(strbuf_t *b, const char *script, const char *prefix, int *count)
{
    const char *s = script;
    while (s && *s) {
        size_t n = strcspn(s, "\n");
        if (strncmp(s, prefix, strlen(prefix)) == 0) {
            strbuf_addn(b, s, n);
            strbuf_add(b, "\n");
            (*count)++;
        }
        s += n;
        if (*s == '\n')
            s++;
    }
}

/* Lines that are neither comments nor ALTER SYSTEM / ALTER TABLE / the
 * reload: TimescaleDB calls (set_chunk_time_interval) and whatever else the
 * agent adds; they go with the server settings, in the agent's order. */
static void other_lines(strbuf_t *b, const char *script, int *count)
{
    const char *s = script;
    while (s && *s) {
        size_t n = strcspn(s, "\n");
        if (n && strncmp(s, "--", 2) != 0 && strncmp(s, "ALTER SYSTEM", 12) != 0 &&
            strncmp(s, "ALTER TABLE", 11) != 0 && strncmp(s, "SELECT pg_reload_conf()", 23) != 0) {
            strbuf_addn(b, s, n);
            strbuf_add(b, "\n");
            (*count)++;
        }
        s += n;
        if (*s == '\n')
            s++;
    }
}

/* The head of apply.sql or rollback.sql: what it is, for which database and result, and how to run
 * it (no transaction block: CONCURRENTLY and ALTER SYSTEM). */
static void header(strbuf_t *b, const json_t *p3, const char *what)
{
    const json_t *ct = json_object_get(p3, "config_tuner");
    const char *cs = rj_str(ct, "apply_script");
    /* the config tuner's script names the database and snapshot on line 1 */
    char db[256] = "";
    const char *m = cs ? strstr(cs, "for database ") : NULL;
    if (m) {
        m += 13;
        size_t n = strcspn(m, " \n");
        snprintf(db, sizeof db, "%.*s", (int)n, m);
    }
    strbuf_printf(b, "-- pgopt %s%s%s\n", what, db[0] ? " for database " : "", db);
    strbuf_printf(b, "-- from phase3_output of %s (status %s), pgopt %s\n",
                  rj_str(p3, "timestamp") ? rj_str(p3, "timestamp") : "unknown time",
                  rj_str(p3, "status") ? rj_str(p3, "status") : "unknown", PGOPT_VERSION);
    strbuf_add(b, "-- Run with psql (autocommit on, its default), connected to that database as a\n"
                  "-- role that may create indexes and run ALTER SYSTEM (a superuser):\n");
    strbuf_printf(b, "--   psql -X -d DBNAME -f %s.sql\n",
                  strstr(what, "rollback") ? "rollback" : "apply");
    strbuf_add(b, "-- CONCURRENTLY and ALTER SYSTEM cannot run inside a transaction block:\n"
                  "-- do not wrap this file in BEGIN/COMMIT or run it with psql -1.\n");
    strbuf_add(b, "\\set ON_ERROR_STOP on\n");
    strbuf_add(b, "-- index builds may outlast a statement_timeout set for applications\n"
                  "SET statement_timeout = 0;\n");
}

/* Section 1 of apply.sql: the index advisor's new indexes, most valuable
 * first (its own order: ritems_collect), each built CONCURRENTLY with what
 * to do if the build fails; their drops go to r_idx for rollback.sql. */
static void sql_new_indexes(strbuf_t *a, strbuf_t *r_idx, const json_t *ia)
{
    const json_t *recs = json_object_get(ia, "recommendations");
    size_t i;
    const json_t *x;
    strbuf_printf(a, "\n-- 1. New indexes (%zu), most valuable first%s\n", json_array_size(recs),
                  json_is_object(ia) ? "" : " - the index advisor did not answer");
    ritems_t items;
    ritems_collect(ia, "index_advisor", &items);
    for (size_t k = 0; k < items.n; k++) {
        const ritem_t *it = &items.items[k];
        if (strcmp(it->kind, "create index") != 0)
            continue;
        const json_t *rec = NULL;
        json_array_foreach(recs, i, x)
        {
            if (rj_str(x, "id") && !strcmp(rj_str(x, "id"), it->id))
                rec = x;
        }
        const char *create = rj_str(rec, "create_statement");
        if (!create)
            continue;
        strbuf_add(a, "\n");
        char head[128];
        if (it->priority)
            snprintf(head, sizeof head, "%s P%d: ", it->id, it->priority);
        else
            snprintf(head, sizeof head, "%s: ", it->id);
        comment(a, head, it->evidence);
        const char *drop =
            rj_str(rec, "rollback") ? rj_str(rec, "rollback") : rj_str(rec, "drop_statement");
        if (drop) {
            comment(a, "", "If the build fails it leaves an INVALID index behind: run");
            comment(a, "   ", drop);
            comment(a, "", "and then this statement again.");
        }
        if (rj_str(rec, "prerequisite"))
            strbuf_printf(a, "%s\n", rj_str(rec, "prerequisite"));
        char *stmt =
            strstr(create, "CONCURRENTLY") ? r_printf("%s", create) : concurrent_create(create);
        strbuf_printf(a, "%s\n", stmt ? stmt : create);
        free(stmt);
        if (drop)
            strbuf_printf(r_idx, "-- %s\n%s\n", it->id, drop);
        else
            strbuf_printf(r_idx, "-- %s: no drop statement given; drop it by hand\n", it->id);
    }
    ritems_free(&items);
}

/* Section 2: duplicate, unused and invalid indexes to drop; rollback.sql
 * (r_drop) re-creates each from its definition, and a drop whose
 * definition is not in the output stays commented out. */
static void sql_index_drops(strbuf_t *a, strbuf_t *r_drop, const json_t *ia)
{
    size_t i;
    const json_t *x;
    strbuf_add(a, "\n-- 2. Indexes to drop, now that any replacement exists\n");
    int ndrops = 0;
    struct {
        const char *key, *name, *why;
    } kinds[] = {{"duplicate_indexes", "unneeded_index", "duplicate"},
                 {"unused_indexes_to_drop", "index", "unused"},
                 {"invalid_indexes", "index", "invalid"}};
    for (int kd = 0; kd < 3; kd++) {
        json_array_foreach(json_object_get(ia, kinds[kd].key), i, x)
        {
            const char *drop = rj_str(x, "drop_statement");
            const char *name = rj_str(x, kinds[kd].name);
            if (!drop)
                continue;
            char *recreate = NULL;
            if (kd == 0)
                recreate = concurrent_create(rj_str(x, "unneeded_definition"));
            else if (kd == 1)
                recreate = rj_str(x, "rollback") ? concurrent_create(rj_str(x, "rollback"))
                                                 : concurrent_create(rj_str(x, "definition"));
            strbuf_add(a, "\n");
            char *why = NULL;
            if (kd == 0)
                why = r_printf("%s: %s duplicate of %s (%s)", name ? name : "?",
                               rj_str(x, "kind") ? rj_str(x, "kind") : "a",
                               rj_str(x, "covering_index") ? rj_str(x, "covering_index") : "?",
                               rj_str(x, "size") ? rj_str(x, "size") : "size unknown");
            else
                why = r_printf("%s: %s - %s", name ? name : "?", kinds[kd].why,
                               rj_str(x, "reason") ? rj_str(x, "reason") : "no reason given");
            comment(a, "", why);
            free(why);
            if (kd == 2) {
                /* an invalid index serves no query; rollback does not rebuild it */
                strbuf_printf(a, "%s\n", drop);
                strbuf_printf(r_drop, "-- %s was invalid when dropped: not re-created\n",
                              name ? name : "?");
                ndrops++;
            } else if (recreate) {
                strbuf_printf(a, "%s\n", drop);
                strbuf_printf(r_drop, "-- re-create %s\n%s\n", name ? name : "?", recreate);
                ndrops++;
            } else {
                comment(a, "",
                        "its definition is not in the output, so rollback could not re-create "
                        "it: left commented out");
                strbuf_printf(a, "-- %s\n", drop);
            }
            free(recreate);
        }
    }
    if (!ndrops)
        strbuf_add(a, "-- none\n");
}

/* Section 3: the config tuner's per-table settings, their rollbacks to
 * r_table. */
static void sql_table_settings(strbuf_t *a, strbuf_t *r_table, const json_t *ct)
{
    size_t i;
    const json_t *x;
    strbuf_add(a, "\n-- 3. Per-table settings\n");
    int ntables = 0;
    json_array_foreach(json_object_get(ct, "per_table"), i, x)
    {
        if (!rj_str(x, "apply"))
            continue;
        strbuf_add(a, "\n");
        comment(a, "", rj_str(x, "reason"));
        strbuf_printf(a, "%s\n", rj_str(x, "apply"));
        if (rj_str(x, "rollback"))
            strbuf_printf(r_table, "%s\n", rj_str(x, "rollback"));
        ntables++;
    }
    if (!ntables)
        strbuf_add(a, "-- none\n");
}

/* Section 4: server settings (the config tuner's apply_script, its
 * ALTER SYSTEM lines with their reasons, a reload, and which need a
 * restart); the rollback_script's lines to r_server. */
static void sql_server_settings(strbuf_t *a, strbuf_t *r_server, const json_t *ct)
{
    size_t i;
    const json_t *x;
    strbuf_add(a, "\n-- 4. Server settings (ALTER SYSTEM writes postgresql.auto.conf)\n");
    const char *as = rj_str(ct, "apply_script");
    const char *rs = rj_str(ct, "rollback_script");
    int nset = 0, nrb = 0, nother = 0, nother_rb = 0;
    if (as) {
        const char *gname, *name;
        const json_t *g, *v;
        /* the reasons, one line per changed setting, before the statements */
        json_object_foreach((json_t *)json_object_get(ct, "postgresql"), gname, g)
        {
            json_object_foreach((json_t *)g, name, v)
            {
                if (json_is_object(v) && json_is_true(json_object_get(v, "change"))) {
                    char *c =
                        r_printf("%s: %s", name, rj_str(v, "reason") ? rj_str(v, "reason") : "");
                    comment(a, "", c);
                    free(c);
                }
            }
        }
        script_lines(a, as, "ALTER SYSTEM", &nset);
        other_lines(a, as, &nother);
        script_lines(r_server, rs, "ALTER SYSTEM", &nrb);
        other_lines(r_server, rs, &nother_rb);
    } else {
        strbuf_printf(a, "-- none: %s\n",
                      json_is_object(ct) ? "the config tuner gave no apply_script"
                                         : "the config tuner did not answer");
    }
    if (nset || nother) {
        strbuf_add(a, "SELECT pg_reload_conf();\n");
        const json_t *rr = json_object_get(ct, "restart_required");
        if (json_array_size(rr)) {
            strbuf_t names = {0};
            json_array_foreach(rr, i, x)
            {
                strbuf_printf(&names, "%s%s", i ? ", " : "",
                              json_string_value(x) ? json_string_value(x) : "?");
            }
            char *c = r_printf("Restart the server (e.g. pg_ctl restart) for %s to take effect; "
                               "pg_settings.pending_restart shows which are waiting.",
                               strbuf_str(&names));
            comment(a, "", c);
            free(c);
            strbuf_free(&names);
        }
    } else if (as) {
        strbuf_add(a, "-- none\n");
    }
}

/* rollback.sql after its header: the sections of apply.sql undone in the
 * reverse order. */
static void sql_rollback(strbuf_t *r, const strbuf_t *r_idx, const strbuf_t *r_drop,
                         const strbuf_t *r_table, const strbuf_t *r_server, const json_t *ct)
{
    strbuf_add(r, "\n-- 4. Server settings back to their values before apply.sql\n");
    if (r_server->len) {
        strbuf_add(r, strbuf_str(r_server));
        strbuf_add(r, "SELECT pg_reload_conf();\n");
        const json_t *rr = json_object_get(ct, "restart_required");
        if (json_array_size(rr))
            strbuf_add(r, "-- restart the server again for the settings that needed one\n");
    } else {
        strbuf_add(r, "-- none\n");
    }
    strbuf_add(r, "\n-- 3. Per-table settings\n");
    strbuf_add(r, r_table->len ? strbuf_str(r_table) : "-- none\n");
    strbuf_add(r, "\n-- 2. Re-create the dropped indexes\n");
    strbuf_add(r, r_drop->len ? strbuf_str(r_drop) : "-- none\n");
    strbuf_add(r, "\n-- 1. Drop the new indexes\n");
    strbuf_add(r, r_idx->len ? strbuf_str(r_idx) : "-- none\n");
}

/* apply.sql and rollback.sql from phase3_output (report.h). Returns -1
 * with err when phase3 is not an object or a write fails. */
int report_write_sql(const json_t *phase3, FILE *apply, FILE *rollback, err_t *err)
{
    if (!json_is_object(phase3))
        return err_set(err, "sql scripts: phase3_output is not a JSON object");
    strbuf_t a = {0}, r = {0};
    strbuf_t r_idx = {0}, r_drop = {0}, r_table = {0}, r_server = {0};
    const json_t *ia = json_object_get(phase3, "index_advisor");
    const json_t *ct = json_object_get(phase3, "config_tuner");
    const json_t *qr = json_object_get(phase3, "query_rewriter");
    header(&a, phase3, "apply script");
    header(&r, phase3, "rollback script");
    sql_new_indexes(&a, &r_idx, ia);
    sql_index_drops(&a, &r_drop, ia);
    sql_table_settings(&a, &r_table, ct);
    sql_server_settings(&a, &r_server, ct);

    /* query rewrites are code changes: point at them, do not pretend to apply them */
    size_t nrw = json_array_size(json_object_get(qr, "rewrites")) +
                 json_array_size(json_object_get(qr, "sql_rewrites"));
    if (nrw) {
        strbuf_add(&a, "\n");
        char *c = r_printf("Query rewrites (%zu) change application code or SQL text and are "
                           "not applied by this script: see the text or HTML report.",
                           json_array_size(json_object_get(qr, "rewrites")));
        comment(&a, "", c);
        free(c);
    }

    sql_rollback(&r, &r_idx, &r_drop, &r_table, &r_server, ct);

    int rc = 0;
    if (apply && (fputs(strbuf_str(&a), apply) < 0 || fflush(apply) != 0))
        rc = err_set(err, "sql scripts: writing apply.sql: %s", strerror(errno));
    else if (rollback && (fputs(strbuf_str(&r), rollback) < 0 || fflush(rollback) != 0))
        rc = err_set(err, "sql scripts: writing rollback.sql: %s", strerror(errno));
    strbuf_free(&a);
    strbuf_free(&r);
    strbuf_free(&r_idx);
    strbuf_free(&r_drop);
    strbuf_free(&r_table);
    strbuf_free(&r_server);
    return rc;
}

int report_write_sql_path(const json_t *phase3, const char *path, char *apply_out,
                          char *rollback_out, err_t *err)
{
    char ap[4096], rp[4096];
    struct stat st;
    size_t n = strlen(path);
    int is_dir = (stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    if (!is_dir && n && path[n - 1] == '/') {
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return err_set(err, "cannot create directory %s: %s", path, strerror(errno));
        is_dir = 1;
    }
    if (is_dir) {
        snprintf(ap, sizeof ap, "%s%sapply.sql", path, path[n - 1] == '/' ? "" : "/");
        snprintf(rp, sizeof rp, "%s%srollback.sql", path, path[n - 1] == '/' ? "" : "/");
    } else {
        snprintf(ap, sizeof ap, "%s", path);
        rp[0] = '\0';
    }
    /* Both scripts go through common/outfile (atomic replace, mode 0600, a
     * device or FIFO written in place, never replaced). */
    outfile_t *fa = NULL, *fr = NULL;
    if (outfile_open(ap, &fa, err) != 0)
        return -1;
    if (!is_dir && outfile_kind(fa) != OUTFILE_STREAM) {
        /* rollback next to apply, named after the file finally written
         * (a symlink's target) */
        const char *real = outfile_path(fa);
        size_t rn = strlen(real);
        size_t stem = rn >= 4 && !strcasecmp(real + rn - 4, ".sql") ? rn - 4 : rn;
        snprintf(rp, sizeof rp, "%.*s.rollback.sql", (int)stem, real);
    }
    /* A device or FIFO gets apply.sql alone, as standard output does: no
     * companion file is created next to a device node (/dev/full.rollback.sql). */
    if (rp[0] && outfile_open(rp, &fr, err) != 0) {
        outfile_destroy(&fa);
        return -1;
    }
    int rc = report_write_sql(phase3, outfile_stream(fa), fr ? outfile_stream(fr) : NULL, err);
    if (rc != 0) {
        err_prefix(err, "%s%s%s: ", outfile_path(fa), fr ? " and " : "",
                   fr ? outfile_path(fr) : "");
        outfile_destroy(&fa);
        outfile_destroy(&fr);
        return -1;
    }
    snprintf(ap, sizeof ap, "%s", outfile_path(fa));
    if (fr)
        snprintf(rp, sizeof rp, "%s", outfile_path(fr));
    /* rollback first: an apply script never lands without its rollback */
    if (fr && outfile_commit(&fr, err) != 0) {
        outfile_destroy(&fa);
        return -1;
    }
    if (outfile_commit(&fa, err) != 0)
        return -1;
    if (apply_out)
        snprintf(apply_out, 4096, "%s", ap);
    if (rollback_out)
        snprintf(rollback_out, 4096, "%s", rp); /* empty: none (a device or FIFO) */
    return 0;
}
