/* plant.c - see plant.h. */
#include "tests/index_advisor/plant.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/error.h"
#include "coordinator/collect/collect.h"
#include "tests/support/pgtest.h"
#include "workers/index_advisor/ia_internal.h"
#include "workers/index_advisor/index_advisor.h"

PGconn *plant_open(const char *db, const char *schema_sql, bool visibility_map, char *conninfo,
                   size_t len)
{
    if (pgtest_conninfo(db, conninfo, len) != 0) {
        fprintf(stderr, "no PostgreSQL fixture (PGOPT_TEST_PGENV)\n");
        return NULL;
    }
    if (pgtest_create_db(db) != 0)
        return NULL;
    PGconn *c = pgtest_connect(db);
    /* the load commits durably: VACUUM marks a page all-visible only once
     * its tuples' commit hint bits are set, which the server does only
     * after the commit's WAL is flushed; with the fixture's asynchronous
     * commit, whether the WAL writer had flushed it by the time VACUUM ran
     * depended on the machine's speed, and with relallvisible 0 the
     * planner costs an index-only scan the same as a plain index scan */
    pgtest_exec(c, "SET synchronous_commit = on");
    pgtest_exec(c, schema_sql);
    pgtest_exec(c, "VACUUM ANALYZE");
    /* a second pass sets the visibility map (relallvisible) that the
     * first, right after the load, left empty: the planner costs an
     * index-only scan - what a covering index is for - by it */
    if (visibility_map)
        pgtest_exec(c, "VACUUM");
    pgtest_reset_statements(c);
    return c;
}

int plant_collect(PGconn *c, const char *conninfo, json_t **snap)
{
    PQfinish(c);
    collect_opts_t o;
    collect_opts_init(&o);
    o.conninfo = conninfo;
    o.include_target_dsn = 1;
    err_t err;
    if (collect_snapshot(&o, snap, &err) != 0) {
        fprintf(stderr, "collect_snapshot: %s\n", err.msg);
        return -1;
    }
    return 0;
}

double plant_btree_bytes(const json_t *snap, const char *table, const char *const *keys, int nkeys,
                         const char *const *include, int ninclude)
{
    index_advisor_options_t opts;
    index_advisor_options_init(&opts);
    ia_model_t m;
    memset(&m, 0, sizeof m);
    m.opts = &opts;
    err_t err;
    assert_int_equal(ia_model_load(&m, snap, &err), 0);
    ia_candidate_t c;
    memset(&c, 0, sizeof c);
    c.table = ia_find_table(&m, "public", table);
    assert_true(c.table >= 0);
    c.method = CAND_BTREE;
    c.nkeys = nkeys;
    for (int i = 0; i < nkeys; i++)
        c.keys[i] = (char *)keys[i];
    c.ninclude = ninclude;
    for (int i = 0; i < ninclude; i++)
        c.include[i] = (char *)include[i];
    char *method = NULL;
    double b = ia_estimate_btree_bytes(&m, &c, &method);
    free(method);
    ia_model_free(&m);
    return b;
}

json_t *plant_advise(const json_t *snap, int64_t budget, json_t *extra)
{
    json_t *copy = json_deep_copy(snap);
    json_t *opt = json_pack("{s:I, s:f}", "index_budget_bytes", (json_int_t)budget,
                            "index_min_unused_window_s", 0.0);
    if (extra) {
        json_object_update(opt, extra);
        json_decref(extra);
    }
    json_object_set_new(copy, "options", opt);
    json_t *res = NULL;
    err_t err;
    if (index_advisor_analyze(copy, NULL, NULL, NULL, &res, &err) != 0)
        fail_msg("index_advisor_analyze: %s", err.msg);
    json_decref(copy);
    return res;
}

int plant_claims(const json_t *snap, const json_t *rec, const char *needle,
                 const char *not_containing)
{
    size_t k, j;
    const json_t *a, *st;
    json_array_foreach(json_object_get(rec, "affected_queryids"), k, a)
    {
        json_array_foreach(json_object_get(snap, "statements"), j, st)
        {
            const char *q = json_string_value(json_object_get(st, "query"));
            if (json_integer_value(json_object_get(st, "queryid")) == json_integer_value(a) && q &&
                strstr(q, needle) && !(not_containing && strstr(q, not_containing)))
                return 1;
        }
    }
    return 0;
}

void plant_fail_with(const char *what, json_t *res)
{
    char *d = json_dumps(json_object_get(res, "recommendations"), JSON_INDENT(1));
    char *t = json_dumps(json_object_get(json_object_get(res, "evaluation"), "selection_steps"),
                         JSON_INDENT(1));
    fprintf(stderr, "recommendations: %s\nsteps: %s\n", d, t);
    free(d);
    free(t);
    fail_msg("%s", what);
}
