/*
 * ct_pools.c - connection pools (SQLAlchemy engines, PgBouncer) and
 * TimescaleDB settings.
 *
 * Pool sizing rule (PostgreSQL wiki, "Number Of Database Connections"):
 * useful concurrent server connections B = CPUs x 2 + effective spindles
 * (1 for hdd - the snapshot does not say how many drives - and 0 for
 * ssd/nvme/san, whose throughput does not come from seek overlap). Then:
 *   PgBouncer default_pool_size = B, reserve_pool_size = ceil(B / 4) (burst
 *   room after reserve_pool_timeout), both within max_connections minus
 *   superuser_reserved_connections;
 *   per app process: pool_size = ceil(B / P), max_overflow = pool_size (a
 *   burst may double it), reduced so that P x (pool_size + max_overflow)
 *   fits max_connections minus superuser_reserved_connections even without
 *   PgBouncer; PgBouncer max_client_conn = 2 x P x (pool_size +
 *   max_overflow) (old and new processes both connected during a rolling
 *   deploy), at least PgBouncer's default 100.
 * P, the number of application processes, is an option, or
 * snapshot.sqlalchemy.app_processes, or ceil(application connections seen in
 * pg_stat_activity / current pool_size) (each process keeps at most
 * pool_size idle connections, so this is a lower bound), or 1 (stated).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/sqlparse.h"
#include "workers/config_tuner/ct_internal.h"
#include "workers/config_tuner/sqla_engines.h"

#define SQLA_DOC                                                                                   \
    "https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine.params."
#define PGB_DOC "https://www.pgbouncer.org/config.html#"

/* SQLAlchemy QueuePool defaults. */
static const struct {
    const char *name;
    double value;
    const char *unit;
} sqla_defaults[] = {{"pool_size", 5, NULL},
                     {"max_overflow", 10, NULL},
                     {"pool_timeout", 30, "s"},
                     {"pool_recycle", -1, "s"},
                     {"pool_pre_ping", 0, NULL}};

/* Tools whose connections are not the application's. */
static int is_tool_application(const char *name)
{
    static const char *const tools[] = {
        "psql",      "pgopt-collector", "pg_dump", "pg_dumpall", "pg_basebackup",
        "pgbouncer", "pg_restore",      "pgAdmin", "DBeaver",    "pg_stat_statements"};
    if (!name)
        return 1;
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
        if (strncasecmp(name, tools[i], strlen(tools[i])) == 0)
            return 1;
    return 0;
}

/* Adds the sqlalchemy entry name to group (current and recommended are taken over; recommended
 * NULL means none): unit, documentation link, restart_required (engine options are read when the
 * engine is created) and change. Returns the entry (borrowed). */
static json_t *sqla_entry(json_t *group, const char *name, json_t *current, json_t *recommended,
                          const char *method, const char *reason)
{
    const char *unit = NULL;
    for (size_t i = 0; i < sizeof sqla_defaults / sizeof sqla_defaults[0]; i++)
        if (strcmp(sqla_defaults[i].name, name) == 0)
            unit = sqla_defaults[i].unit;
    json_t *e = json_object();
    int change = recommended && !json_is_null(recommended) && !json_equal(current, recommended);
    json_object_set_new(e, "current", current);
    json_object_set_new(e, "recommended", recommended ? recommended : json_null());
    json_object_set_new(e, "reason", json_string(reason));
    json_object_set_new(e, "unit", unit ? json_string(unit) : json_null());
    /* Engine options are read when the application creates its engine. */
    json_object_set_new(e, "restart_required", json_true());
    char doc[256];
    snprintf(doc, sizeof doc, SQLA_DOC "%s", name);
    json_object_set_new(e, "doc", json_string(doc));
    json_object_set_new(e, "method", json_string(method));
    json_object_set_new(e, "change", json_boolean(change));
    json_object_set_new(group, name, e);
    return e;
}

/* Adds the pgbouncer entry name to group like sqla_entry (PgBouncer applies its settings on
 * RELOAD: no restart). Returns the entry (borrowed). */
static json_t *pgb_entry(json_t *group, const char *name, json_t *current, json_t *recommended,
                         const char *method, const char *reason)
{
    json_t *e = json_object();
    int change = recommended && !json_is_null(recommended) && !json_equal(current, recommended);
    json_object_set_new(e, "current", current);
    json_object_set_new(e, "recommended", recommended ? recommended : json_null());
    json_object_set_new(e, "reason", json_string(reason));
    json_object_set_new(e, "unit", json_null());
    /* PgBouncer applies these on RELOAD. */
    json_object_set_new(e, "restart_required", json_false());
    char doc[256];
    snprintf(doc, sizeof doc, PGB_DOC "%s", name);
    json_object_set_new(e, "doc", json_string(doc));
    json_object_set_new(e, "method", json_string(method));
    json_object_set_new(e, "change", json_boolean(change));
    json_object_set_new(group, name, e);
    return e;
}

/* The code section parsed once for both readers below: parsing is the cost
 * (seconds on a large tree), the two walks are cheap. NULL with e set when
 * it does not parse or the job was cancelled. */
static sqla_scan_t *code_scan(ct_t *ct, const json_t *code, err_t *e)
{
    if (!ct->code_scan)
        ct->code_scan = sqla_scan_new(code, e);
    return ct->code_scan;
}

/* The engines: from snapshot.sqlalchemy.engines, else from the code. */
static json_t *find_engines(ct_t *ct, const char **source)
{
    const json_t *given = json_object_get(json_object_get(ct->snap, "sqlalchemy"), "engines");
    if (json_is_array(given)) {
        *source = "snapshot.sqlalchemy.engines";
        return json_incref((json_t *)given);
    }
    const json_t *code = json_object_get(ct->snap, "code");
    if (!json_is_array(code) || json_array_size(code) == 0) {
        *source = "none: the snapshot has no code section and no sqlalchemy.engines";
        return json_array();
    }
    json_t *engines = NULL;
    err_t e;
    sqla_scan_t *scan = code_scan(ct, code, &e);
    if (!scan || sqla_scan_engines(scan, &engines, &e) != 0) {
        ct_note(ct, "reading SQLAlchemy engines from the code failed: %s", e.msg);
        *source = "none: code analysis failed";
        return json_array();
    }
    *source = "code (workers/config_tuner/sqla_engines)";
    return engines;
}

/* Session features: from the code and from pg_stat_statements' texts. */
static json_t *find_session_features(ct_t *ct, json_t *evidence)
{
    json_t *found = json_array();
    const json_t *code = json_object_get(ct->snap, "code");
    if (json_is_array(code) && json_array_size(code) > 0) {
        json_t *features = NULL;
        err_t e;
        sqla_scan_t *scan = code_scan(ct, code, &e);
        if (scan && sqla_scan_session_features(scan, &features, &e) == 0) {
            size_t i;
            json_t *f;
            json_array_foreach(features, i, f)
            {
                json_t *c = json_deep_copy(f);
                json_object_set_new(c, "source", json_string("code"));
                json_array_append_new(found, c);
            }
            json_decref(features);
        } else {
            ct_note(ct, "reading session features from the code failed: %s", e.msg);
        }
    }
    const json_t *stmts = json_object_get(ct->snap, "statements");
    size_t i, parsed = 0, unparsed = 0;
    const json_t *s;
    json_array_foreach(stmts, i, s)
    {
        const char *q = ct_str(s, "query");
        if (!q)
            continue;
        sqlparse_t *p = NULL;
        if (sqlparse_parse(q, &p, NULL) != 0) {
            unparsed++;
            continue;
        }
        parsed++;
        unsigned mask = sqlparse_session_features(p);
        sqlparse_destroy(&p);
        for (unsigned bit = 1; bit < (1u << SQLPARSE_FEATURE_COUNT); bit <<= 1) {
            if (!(mask & bit))
                continue;
            json_t *f = json_object();
            json_object_set_new(f, "source", json_string("pg_stat_statements"));
            int64_t qid = 0, calls = 0;
            ct_int(s, "queryid", &qid);
            ct_int(s, "calls", &calls);
            json_object_set_new(f, "queryid", json_integer(qid));
            json_object_set_new(f, "calls", json_integer(calls));
            json_object_set_new(f, "feature", json_string(sqlparse_feature_name(bit)));
            char snippet[201];
            snprintf(snippet, sizeof snippet, "%s", q);
            json_object_set_new(f, "snippet", json_string(snippet));
            json_array_append_new(found, f);
        }
    }
    json_object_set_new(evidence, "statements_parsed", json_integer((json_int_t)parsed));
    json_object_set_new(evidence, "statements_unparsed", json_integer((json_int_t)unparsed));
    return found;
}

/* An option's value in the code: the literal, SQLAlchemy's default when the
 * call does not set it, or a string saying it is computed at run time
 * (listed in the engine's "dynamic", or a "**kwargs" splat may set it). */
static json_t *engine_option(const json_t *engine, const char *name, double def, int is_bool)
{
    const json_t *opts = json_object_get(engine, "options");
    const json_t *v = json_object_get(opts, name);
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(engine, "dynamic"), i, d)
    {
        const char *dn = json_string_value(d);
        if (dn && (strcmp(dn, name) == 0 || (dn[0] == '*' && dn[1] == '*' && !v)))
            return json_string("dynamic (computed at run time in the code)");
    }
    if (is_bool) {
        if (json_is_boolean(v))
            return json_boolean(json_is_true(v));
        return json_boolean(def != 0);
    }
    if (json_is_number(v))
        return json_deep_copy(v);
    return json_integer((json_int_t)def);
}

/* A PgBouncer setting from snapshot.pgbouncer (text or number) clamped to 0..1000000, or def when
 * absent. */
static int pgbouncer_int(const json_t *pgb, const char *key, int def)
{
    const char *v = ct_str(pgb, key);
    if (v)
        return ct_clamp_int(strtod(v, NULL), 0, 1000000);
    double n;
    if (ct_num(pgb, key, &n))
        return ct_clamp_int(n, 0, 1000000);
    return def;
}

/* What the pool rules share while ct_sqlalchemy_pgbouncer builds its two
 * sections. */
typedef struct {
    ct_t *ct;
    json_t *sqla, *pgb_out, *ev; /* the two result sections and evidence.pools */
    json_t *engines;             /* the engines found (owned) */
    const json_t *first;         /* the first engine, whose options are "current" */
    const json_t *pgb;           /* snapshot.pgbouncer */
    int deployed;                /* PgBouncer is in the snapshot */
    int processes;               /* application processes P */
    const char *proc_source;
    char *proc_text; /* how P was found (owned) */
    double reserved; /* superuser_reserved_connections */
    int usable;      /* max_connections - reserved, at least 1 */
    int spindles;
    int budget;         /* B, 0 without host.cpus */
    int pool, overflow; /* per process, when budget */
    char *arith;        /* the budget arithmetic as a sentence (owned), when budget */
} pools_t;

/* P, the number of application processes: the option, else
 * snapshot.sqlalchemy.app_processes, else application connections in
 * pg_stat_activity / the current pool_size, else 1 (with a note). Sets
 * p->processes, proc_source, proc_text and the evidence about it. */
static void pools_processes(pools_t *p, double cur_pool)
{
    ct_t *ct = p->ct;
    int processes = ct->opts.app_processes;
    const char *proc_source = "option";
    int64_t given;
    const json_t *activity = json_object_get(ct->snap, "activity");
    double app_conns = 0, tool_conns = 0;
    size_t i;
    const json_t *a;
    json_array_foreach(json_object_get(activity, "by_application"), i, a)
    {
        double c = 0;
        ct_num(a, "count", &c);
        if (is_tool_application(ct_str(a, "application_name")))
            tool_conns += c;
        else
            app_conns += c;
    }
    char *proc_text = NULL;
    if (processes <= 0 &&
        ct_int(json_object_get(ct->snap, "sqlalchemy"), "app_processes", &given) && given > 0) {
        processes = ct_clamp_int((double)given, 1, 100000);
        proc_source = "snapshot.sqlalchemy.app_processes";
    }
    if (processes > 0) {
        proc_text = ct_printf("%d application processes (%s)", processes, proc_source);
    } else if (app_conns > 0) {
        processes = ct_clamp_int(ceil(app_conns / cur_pool), 1, 100000);
        proc_source = "activity.by_application";
        proc_text = ct_printf("%d application processes: %.0f application connections seen in "
                              "pg_stat_activity / current pool_size %.0f (a lower bound: each "
                              "process keeps at most pool_size idle connections)",
                              processes, app_conns, cur_pool);
    } else {
        processes = 1;
        proc_source = "assumption";
        proc_text = ct_printf("1 application process assumed: no application connections in "
                              "the snapshot's activity and no app_processes given; scale "
                              "pool_size down if more processes share the database");
        ct_note(ct, "number of application processes unknown: pool sizes assume 1 process");
    }
    json_object_set_new(p->ev, "app_processes", json_integer(processes));
    json_object_set_new(p->ev, "app_processes_source", json_string(proc_source));
    json_object_set_new(p->ev, "app_connections_seen", json_real(app_conns));
    json_object_set_new(p->ev, "tool_connections_seen", json_real(tool_conns));
    p->processes = processes;
    p->proc_source = proc_source;
    p->proc_text = proc_text;
}

/* The connection budget B = CPUs x 2 + spindles within the usable server
 * connections, and from it the per-process pool_size and max_overflow
 * (p->budget stays 0 without host.cpus). */
static void pools_budget(pools_t *p)
{
    ct_t *ct = p->ct;
    p->reserved = 3;
    ct_setting_value(ct, "superuser_reserved_connections", &p->reserved);
    int usable = ct->max_connections - ct_clamp_int(p->reserved, 0, 262143);
    if (usable < 1)
        usable = 1;
    p->usable = usable;
    p->spindles = ct->storage_name && ct->storage == PGTUNE_HDD ? 1 : 0;
    int budget = ct->cpus ? ct->cpus * 2 + p->spindles : 0;
    json_object_set_new(p->ev, "connection_budget", budget ? json_integer(budget) : json_null());
    json_object_set_new(p->ev, "usable_server_connections", json_integer(usable));
    int processes = p->processes, pool = 0, overflow = 0;
    if (budget) {
        if (budget > usable)
            budget = usable;
        pool = (budget + processes - 1) / processes;
        overflow = pool;
        if (processes * (pool + overflow) > usable) {
            overflow = usable / processes - pool;
            if (overflow < 0) {
                overflow = 0;
                pool = usable / processes > 0 ? usable / processes : 1;
            }
        }
        p->arith = ct_printf(
            "budget B = CPUs %d x 2 + spindles %d (%s storage) = %d server "
            "connections; %s; pool_size = ceil(%d / %d) = %d, max_overflow = %d, so "
            "all processes together open at most %d x (%d + %d) = %d connections, "
            "within max_connections %d - superuser_reserved_connections %.0f = %d",
            ct->cpus, p->spindles, ct->storage_name ? pgtune_storage_name(ct->storage) : "unknown",
            ct->cpus * 2 + p->spindles, p->proc_text, budget, processes, pool, overflow, processes,
            pool, overflow, processes * (pool + overflow), ct->max_connections, p->reserved,
            usable);
    }
    p->budget = budget;
    p->pool = pool;
    p->overflow = overflow;
}

/* pool_recycle: 90% of the shortest idle timeout on the path
 * (idle_session_timeout, PgBouncer client_idle_timeout), or kept. */
static void pools_recycle(pools_t *p)
{
    double idle_ms = 0;
    ct_setting_value(p->ct, "idle_session_timeout", &idle_ms);
    int client_idle = pgbouncer_int(p->pgb, "client_idle_timeout", 0);
    double idle_s = idle_ms > 0 ? idle_ms / 1000.0 : 0;
    const char *idle_from = "PostgreSQL idle_session_timeout";
    if (client_idle > 0 && (idle_s <= 0 || client_idle < idle_s)) {
        idle_s = client_idle;
        idle_from = "PgBouncer client_idle_timeout";
    }
    json_t *cur_recycle = engine_option(p->first, "pool_recycle", -1, 0);
    if (idle_s > 0) {
        int rec = ct_clamp_int(floor(idle_s * 0.9), 1, 1000000000);
        char *reason = ct_printf("rule: %s closes idle connections after %.0f s; recycling at "
                                 "90%% of that (%d s) replaces them before the server does",
                                 idle_from, idle_s, rec);
        sqla_entry(p->sqla, "pool_recycle", cur_recycle, json_integer(rec), "rule", reason);
        ct_free_str(reason);
    } else {
        sqla_entry(p->sqla, "pool_recycle", cur_recycle, json_deep_copy(cur_recycle), "rule",
                   "kept: no idle timeout on the path (idle_session_timeout is 0 and no "
                   "PgBouncer client_idle_timeout), and pool_pre_ping replaces connections "
                   "closed by restarts");
    }
}

/* Every engine found, with its current pool options, as sqlalchemy.engines. */
static json_t *pools_engine_list(const json_t *engines)
{
    json_t *eng_list = json_array();
    size_t i;
    const json_t *a;
    json_array_foreach(engines, i, a)
    {
        json_t *e = json_object();
        json_object_set(e, "file", json_object_get(a, "file"));
        json_object_set(e, "line", json_object_get(a, "line"));
        json_object_set(e, "call", json_object_get(a, "call"));
        json_object_set(e, "url_expr", json_object_get(a, "url_expr"));
        json_t *cur = json_object();
        for (size_t k = 0; k < sizeof sqla_defaults / sizeof sqla_defaults[0]; k++)
            json_object_set_new(
                cur, sqla_defaults[k].name,
                engine_option(a, sqla_defaults[k].name, sqla_defaults[k].value, k == 4));
        json_object_set_new(e, "current", cur);
        if (json_object_get(a, "dynamic"))
            json_object_set(e, "dynamic", json_object_get(a, "dynamic"));
        json_array_append_new(eng_list, e);
    }
    return eng_list;
}

/* The sqlalchemy section: pool_size and max_overflow from the budget,
 * pool_timeout kept, pool_recycle from the idle timeouts, pool_pre_ping
 * on, the engines and P. */
static void pools_sqlalchemy(pools_t *p)
{
    const json_t *first = p->first;
    json_t *sqla = p->sqla;
    char cur_from[512];
    if (!first)
        snprintf(cur_from, sizeof cur_from, "SQLAlchemy's defaults (no engine found)");
    else
        snprintf(cur_from, sizeof cur_from, "%s at %s:%lld%s",
                 ct_str(first, "call") ? ct_str(first, "call") : "the engine",
                 ct_str(first, "file") ? ct_str(first, "file") : "?",
                 (long long)json_integer_value(json_object_get(first, "line")),
                 json_array_size(p->engines) > 1 ? " (the first of several engines: see engines)"
                                                 : "");
    char *reason;
    if (p->budget) {
        reason = ct_printf("rule: %s. Current from %s.", p->arith, cur_from);
        sqla_entry(sqla, "pool_size", engine_option(first, "pool_size", 5, 0),
                   json_integer(p->pool), "rule", reason);
        ct_free_str(reason);
        reason = ct_printf("rule: a burst may double the pool (overflow connections close when "
                           "returned); %s.",
                           p->arith);
        sqla_entry(sqla, "max_overflow", engine_option(first, "max_overflow", 10, 0),
                   json_integer(p->overflow), "rule", reason);
        ct_free_str(reason);
    } else {
        sqla_entry(sqla, "pool_size", engine_option(first, "pool_size", 5, 0), NULL, "rule",
                   "not recommended: the snapshot has no host.cpus for the connection budget "
                   "(CPUs x 2 + spindles)");
        sqla_entry(sqla, "max_overflow", engine_option(first, "max_overflow", 10, 0), NULL, "rule",
                   "not recommended: no host.cpus for the connection budget");
    }
    json_t *cur_timeout = engine_option(first, "pool_timeout", 30, 0);
    sqla_entry(sqla, "pool_timeout", cur_timeout, json_deep_copy(cur_timeout), "rule",
               "kept: a checkout waits this long for a free connection before raising; keep it "
               "below the application's own request timeout (not visible in the snapshot)");
    pools_recycle(p);
    sqla_entry(sqla, "pool_pre_ping", engine_option(first, "pool_pre_ping", 0, 1), json_true(),
               "rule",
               "one lightweight round trip per checkout detects connections closed by a server "
               "restart, failover, PgBouncer restart or idle timeout before the application "
               "uses them");
    json_object_set_new(sqla, "engines", pools_engine_list(p->engines));
    json_object_set_new(sqla, "app_processes", json_integer(p->processes));
    json_object_set_new(sqla, "app_processes_source", json_string(p->proc_source));
}

/* pgbouncer.pool_mode: transaction when no session state was found in the
 * code or the statements, else session with the uses listed (the first
 * ten). */
static void pools_pool_mode(pools_t *p, const json_t *features)
{
    ct_t *ct = p->ct;
    const json_t *pgb = p->pgb;
    int async_pg = 0;
    size_t i;
    const json_t *a;
    json_array_foreach(p->engines, i, a)
    {
        const char *url = ct_str(a, "url_expr");
        if (url && strstr(url, "asyncpg"))
            async_pg = 1;
    }
    json_t *cur_mode = p->deployed && ct_str(pgb, "pool_mode")
                           ? json_string(ct_str(pgb, "pool_mode"))
                       : p->deployed ? json_string("session")
                                     : json_string("not deployed");
    size_t nf = json_array_size(features);
    char *reason;
    if (nf == 0) {
        reason = ct_printf(
            "transaction pooling shares %d server connections among all clients. No session "
            "state (session SET, LISTEN, SQL PREPARE, session advisory locks, WITH HOLD "
            "cursors, temporary tables) found in %s and %s, so transaction mode is safe%s.%s",
            p->budget ? p->budget : ct->max_connections,
            json_object_get(ct->snap, "code") ? "the code" : "the code (none collected)",
            json_array_size(json_object_get(ct->snap, "statements")) ? "pg_stat_statements"
                                                                     : "the statements (none)",
            async_pg ? "; asyncpg prepares statements at protocol level: use PgBouncer >= 1.21 "
                       "with max_prepared_statements, or prepared_statement_cache_size=0"
                     : "",
            p->deployed ? "" : " PgBouncer is not deployed: this is the recommended setup.");
        pgb_entry(p->pgb_out, "pool_mode", cur_mode, json_string("transaction"), "rule", reason);
    } else {
        /* List what breaks and where. */
        char list[2048] = "";
        size_t used = 0;
        const json_t *f;
        json_array_foreach(features, i, f)
        {
            if (i >= 10)
                break;
            const char *file = ct_str(f, "file");
            int64_t line = 0, qid = 0;
            ct_int(f, "line", &line);
            ct_int(f, "queryid", &qid);
            int n;
            if (file)
                n = snprintf(list + used, sizeof list - used, "%s%s at %s:%lld", used ? "; " : "",
                             ct_str(f, "feature"), file, (long long)line);
            else
                n = snprintf(list + used, sizeof list - used, "%s%s in statement %lld (%.60s)",
                             used ? "; " : "", ct_str(f, "feature"), (long long)qid,
                             ct_str(f, "snippet") ? ct_str(f, "snippet") : "");
            if (n < 0 || (size_t)n >= sizeof list - used)
                break;
            used += (size_t)n;
        }
        reason = ct_printf("session mode: transaction pooling would break session state used "
                           "here (%zu use%s: %s%s). Change those to transaction-scoped forms "
                           "(SET LOCAL, pg_advisory_xact_lock, ON COMMIT DROP temp tables, no "
                           "LISTEN through the pooler) to switch to transaction mode.",
                           nf, nf == 1 ? "" : "s", list, nf > 10 ? "; ..." : "");
        pgb_entry(p->pgb_out, "pool_mode", cur_mode, json_string("session"), "rule", reason);
    }
    ct_free_str(reason);
}

/* PgBouncer's pool sizes from the budget: default_pool_size = B,
 * reserve_pool_size = ceil(B / 4) within the usable connections,
 * max_client_conn = 2 x P x (pool_size + max_overflow), at least 100; and
 * the ini lines (pool_mode session when nf session features were found). */
static void pools_pgbouncer_sizes(pools_t *p, size_t nf)
{
    ct_t *ct = p->ct;
    int deployed = p->deployed, budget = p->budget, usable = p->usable;
    int processes = p->processes, pool = p->pool, overflow = p->overflow;
    int cur_default = pgbouncer_int(p->pgb, "default_pool_size", 20);
    int cur_reserve = pgbouncer_int(p->pgb, "reserve_pool_size", 0);
    int cur_maxclient = pgbouncer_int(p->pgb, "max_client_conn", 100);
#define PGB_CUR(v) (deployed ? json_integer(v) : json_string("not deployed"))
    if (budget) {
        int reserve = (budget + 3) / 4;
        if (budget + reserve > usable)
            reserve = usable - budget > 0 ? usable - budget : 0;
        int maxclient = 2 * processes * (pool + overflow);
        if (maxclient < 100)
            maxclient = 100;
        char *reason =
            ct_printf("rule: server connections per database/user pair = budget B = "
                      "CPUs %d x 2 + spindles %d = %d, within max_connections %d - "
                      "reserved %.0f = %d%s",
                      ct->cpus, p->spindles, budget, ct->max_connections, p->reserved, usable,
                      deployed ? "" : " (PgBouncer not deployed; defaults would be 20)");
        pgb_entry(p->pgb_out, "default_pool_size", PGB_CUR(cur_default), json_integer(budget),
                  "rule", reason);
        ct_free_str(reason);
        reason = ct_printf("rule: ceil(B / 4) = %d extra server connections for bursts, so "
                           "default_pool_size + reserve_pool_size = %d stays within %d",
                           reserve, budget + reserve, usable);
        pgb_entry(p->pgb_out, "reserve_pool_size", PGB_CUR(cur_reserve), json_integer(reserve),
                  "rule", reason);
        ct_free_str(reason);
        reason = ct_printf("rule: 2 x %d processes x (pool_size %d + max_overflow %d) = %d "
                           "client connections (old and new processes overlap during a rolling "
                           "deploy), at least PgBouncer's default 100: %d",
                           processes, pool, overflow, 2 * processes * (pool + overflow), maxclient);
        pgb_entry(p->pgb_out, "max_client_conn", PGB_CUR(cur_maxclient), json_integer(maxclient),
                  "rule", reason);
        ct_free_str(reason);
        char *ini = ct_printf("[pgbouncer]\npool_mode = %s\nmax_client_conn = %d\n"
                              "default_pool_size = %d\nreserve_pool_size = %d\n",
                              nf ? "session" : "transaction", maxclient, budget, reserve);
        json_object_set_new(p->pgb_out, "ini", json_string(ini));
        ct_free_str(ini);
    } else {
        const char *why = "not recommended: the snapshot has no host.cpus for the connection "
                          "budget (CPUs x 2 + spindles)";
        pgb_entry(p->pgb_out, "default_pool_size", PGB_CUR(cur_default), NULL, "rule", why);
        pgb_entry(p->pgb_out, "reserve_pool_size", PGB_CUR(cur_reserve), NULL, "rule", why);
        pgb_entry(p->pgb_out, "max_client_conn", PGB_CUR(cur_maxclient), NULL, "rule", why);
    }
#undef PGB_CUR
}

/* The result's sqlalchemy and pgbouncer sections and evidence.pools: pool
 * sizes from the connection budget (see the top of this file), pool_mode
 * from the session state found. Cannot fail: what is unknown is said in
 * the entries and notes. */
void ct_sqlalchemy_pgbouncer(ct_t *ct)
{
    pools_t p = {.ct = ct};
    p.sqla = json_object();
    p.pgb_out = json_object();
    json_object_set_new(ct->result, "sqlalchemy", p.sqla);
    json_object_set_new(ct->result, "pgbouncer", p.pgb_out);
    p.ev = json_object();
    json_object_set_new(ct->evidence, "pools", p.ev);

    const char *engines_source;
    p.engines = find_engines(ct, &engines_source);
    p.first = json_array_size(p.engines) ? json_array_get(p.engines, 0) : NULL;
    double cur_pool = 5, cur_overflow = 10;
    if (p.first) {
        const json_t *o = json_object_get(p.first, "options");
        ct_num(o, "pool_size", &cur_pool);
        ct_num(o, "max_overflow", &cur_overflow);
    }
    if (cur_pool < 1)
        cur_pool = 1;

    /* Application processes. */
    pools_processes(&p, cur_pool);
    json_object_set_new(p.ev, "engines_source", json_string(engines_source));
    pools_budget(&p);

    /* ---- SQLAlchemy ---- */
    p.pgb = json_object_get(ct->snap, "pgbouncer");
    pools_sqlalchemy(&p);

    /* ---- PgBouncer ---- */
    p.deployed = json_is_object(p.pgb) && json_object_size(p.pgb) > 0;
    json_object_set_new(p.pgb_out, "deployed", json_boolean(p.deployed));
    json_t *features = find_session_features(ct, p.ev);
    json_object_set_new(p.pgb_out, "session_features", features);
    pools_pool_mode(&p, features);
    pools_pgbouncer_sizes(&p, json_array_size(features));
    if (!p.deployed)
        ct_note(ct, "PgBouncer: not deployed (no pgbouncer section in the snapshot); its "
                    "recommended settings are for deploying it between the application and "
                    "PostgreSQL");
    ct_free_str(p.arith);
    ct_free_str(p.proc_text);
    json_decref(p.engines);
}

/* ---- TimescaleDB ---- */

/* A chunk interval in microseconds as text ("7 days", "6 hours", "90 minutes"). */
static void format_interval_us(double us, char *buf, size_t len)
{
    double h = us / 3600e6;
    if (h >= 24 && fmod(h, 24) == 0)
        snprintf(buf, len, "%.0f day%s", h / 24, h == 24 ? "" : "s");
    else if (h >= 1 && h == floor(h))
        snprintf(buf, len, "%.0f hour%s", h, h == 1 ? "" : "s");
    else
        snprintf(buf, len, "%.0f minutes", us / 60e6);
}

/* qsort order for chunks: the latest range_end first. */
static int cmp_chunk_end_desc(const void *a, const void *b)
{
    const char *x = ct_str(*(const json_t *const *)a, "range_end");
    const char *y = ct_str(*(const json_t *const *)b, "range_end");
    return strcmp(y ? y : "", x ? x : "");
}

/* timescaledb.max_background_workers into out: one scheduler per database
 * plus one job per hypertable able to run at once (TimescaleDB's sizing
 * advice), never below the current value (from the extension's settings or
 * pg_settings). */
static void ts_background_workers(ct_t *ct, const json_t *ts, json_t *out)
{
    const json_t *tss = json_object_get(ts, "settings");
    const json_t *hts = json_object_get(ts, "hypertables");
    double cur = 16;
    const char *cur_s = ct_str(tss, "timescaledb.max_background_workers");
    if (cur_s)
        cur = ct_clamp_int(strtod(cur_s, NULL), 0, 262143);
    else
        ct_setting_value(ct, "timescaledb.max_background_workers", &cur);
    int want = ct_clamp_int(fmax(cur, 1.0 + (double)json_array_size(hts)), 1, 262143);
    char buf[64];
    snprintf(buf, sizeof buf, "%d", want);
    char *reason = ct_printf("rule: 1 scheduler for this database + 1 job per hypertable (%zu) "
                             "= %zu, never below the current %.0f; max_worker_processes is "
                             "sized to hold these plus the parallel workers",
                             json_array_size(hts), json_array_size(hts) + 1, cur);
    json_t *e = ct_entry(ct, out, "timescaledb.max_background_workers", buf, "rule", reason);
    if (cur_s && !ct_setting_row(ct, "timescaledb.max_background_workers")) {
        json_object_set_new(e, "current", json_string(cur_s));
        json_object_set_new(e, "change", json_boolean(want != ct_clamp_int(cur, 0, 262143)));
    }
    ct_free_str(reason);
}

/* The index bytes of a hypertable's most recent chunks (at most 3 with a
 * size) into *idx; returns how many were measured. */
static size_t ts_recent_index_bytes(const json_t *h, double *idx)
{
    const json_t *chunks = json_object_get(h, "chunks");
    size_t nc = json_array_size(chunks);
    const json_t **sorted = xcalloc(nc, sizeof *sorted);
    for (size_t k = 0; k < nc; k++)
        sorted[k] = json_array_get(chunks, k);
    qsort(sorted, nc, sizeof *sorted, cmp_chunk_end_desc);
    *idx = 0;
    size_t used = 0;
    for (size_t k = 0; k < nc && used < 3; k++) {
        double b = 0;
        if (ct_num(sorted[k], "index_bytes", &b) && b > 0) {
            *idx += b;
            used++;
        }
    }
    free(sorted);
    return used;
}

/* One hypertable's chunk_time_interval entry: the longest round interval
 * (1 hour .. 30 days) whose recent chunks' indexes fit in a quarter of RAM
 * shared by the n_ht hypertables, kept when they fit already; without RAM,
 * interval or chunk index sizes, an entry saying which is missing. */
static json_t *ts_chunk_interval(const ct_t *ct, const json_t *h, size_t n_ht)
{
    char name[420], s[200], n[200];
    ct_quote_ident(ct_str(h, "schema") ? ct_str(h, "schema") : "public", s, sizeof s);
    ct_quote_ident(ct_str(h, "name") ? ct_str(h, "name") : "?", n, sizeof n);
    snprintf(name, sizeof name, "%s.%s", s, n);
    double interval_us = 0;
    ct_num(h, "chunk_time_interval_us", &interval_us);
    double idx;
    size_t used = ts_recent_index_bytes(h, &idx);
    json_t *item = json_object();
    json_object_set_new(item, "hypertable", json_string(name));
    char cur_iv[64];
    format_interval_us(interval_us, cur_iv, sizeof cur_iv);
    json_object_set_new(item, "current", interval_us > 0 ? json_string(cur_iv) : json_null());
    if (!ct->have_memory || interval_us <= 0 || used == 0) {
        json_object_set_new(item, "recommended", json_null());
        json_object_set_new(item, "reason",
                            json_string(!ct->have_memory ? "not recommended: host memory unknown"
                                        : interval_us <= 0
                                            ? "not recommended: chunk interval unknown"
                                            : "not recommended: no chunk index sizes"));
        json_object_set_new(item, "method", json_string("rule"));
        return item;
    }
    double per_chunk = idx / (double)used;
    double share = 0.25 * (double)ct->memory_bytes / (double)n_ht;
    double target_us = interval_us * share / per_chunk;
    static const double nice_h[] = {1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 720};
    double rec_us = nice_h[0] * 3600e6;
    for (size_t k = 0; k < sizeof nice_h / sizeof nice_h[0]; k++)
        if (nice_h[k] * 3600e6 <= target_us)
            rec_us = nice_h[k] * 3600e6;
    int keep = per_chunk <= share && rec_us >= interval_us;
    if (keep)
        rec_us = interval_us;
    char rec_iv[64], pc[32], sh[32];
    format_interval_us(rec_us, rec_iv, sizeof rec_iv);
    ct_format_bytes(round(per_chunk / CT_MB) * CT_MB, pc, sizeof pc);
    ct_format_bytes(floor(share / CT_MB) * CT_MB, sh, sizeof sh);
    char *r = ct_printf("rule: the indexes of the most recent chunks (%zu measured, %s each "
                        "at %s) should fit in 25%% of RAM shared by %zu hypertable%s = %s; %s",
                        used, pc, cur_iv, n_ht, n_ht == 1 ? "" : "s", sh,
                        keep ? "they do: fine"
                             : "a shorter interval keeps the active chunk's indexes cached");
    json_object_set_new(item, "recommended", json_string(rec_iv));
    json_object_set_new(item, "reason", json_string(r));
    json_object_set_new(item, "method", json_string("measured"));
    json_object_set_new(item, "change", json_boolean(!keep));
    if (!keep) {
        char lit[460];
        ct_quote_literal(name, lit, sizeof lit);
        char *apply = ct_printf("SELECT set_chunk_time_interval(%s, INTERVAL '%s');", lit, rec_iv);
        char *rollback =
            ct_printf("SELECT set_chunk_time_interval(%s, INTERVAL '%s');", lit, cur_iv);
        json_object_set_new(item, "apply", json_string(apply));
        json_object_set_new(item, "rollback", json_string(rollback));
        ct_free_str(apply);
        ct_free_str(rollback);
    }
    ct_free_str(r);
    return item;
}

/* The result's timescaledb section: max_background_workers (one scheduler per database plus one
 * job per hypertable) and, per hypertable, a chunk_time_interval such that the recent chunks'
 * indexes fit in a quarter of RAM shared by all hypertables. Cannot fail; without TimescaleDB a
 * note says so. */
void ct_timescaledb(ct_t *ct)
{
    const json_t *ts = json_object_get(ct->snap, "timescaledb");
    json_t *out = json_object();
    json_object_set_new(ct->result, "timescaledb", out);
    if (!json_is_object(ts)) {
        ct_note(ct, "TimescaleDB is not installed (no timescaledb section): no TimescaleDB "
                    "settings");
        return;
    }
    ts_background_workers(ct, ts, out);
    json_t *intervals = json_array();
    json_object_set_new(out, "chunk_time_interval", intervals);
    const json_t *hts = json_object_get(ts, "hypertables");
    size_t n_ht = json_array_size(hts), i;
    const json_t *h;
    json_array_foreach(hts, i, h) json_array_append_new(intervals, ts_chunk_interval(ct, h, n_ht));
}
