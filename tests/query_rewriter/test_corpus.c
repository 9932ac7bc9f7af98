/* test_corpus.c - the rewrite corpus (tests/data/rewrites/cases.json against
 * the catalog in catalog.json): every rule's positive cases with the exact
 * optimized text, NULL-unsafe and duplicate-unsafe negatives that must be
 * refused (withheld, with the reason in notes), shapes the rules must leave
 * alone, and deparse round trips (the optimized text parses and deparses to
 * itself). Cases cover SELECT, UPDATE/DELETE ... WHERE and subqueries used
 * as predicates (see workers/query_rewriter/RULES.md). Plus N+1 detection and the agent's output
 * shape offline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/sqlparse.h"
#include "workers/query_rewriter/query_rewriter.h"

static json_t *load(const char *name)
{
    const char *src = getenv("PGOPT_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/rewrites/%s", src ? src : ".", name);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("cannot load %s: %s (line %d)", path, je.text, je.line);
    return j;
}

static int max_param_visit(const ProtobufCMessage *m, int depth, void *user)
{
    (void)depth;
    if (m->descriptor == &pg_query__param_ref__descriptor) {
        int n = ((const PgQuery__ParamRef *)m)->number;
        if (n > *(int *)user)
            *(int *)user = n;
    }
    return 0;
}

static int max_param(const char *sql)
{
    sqlparse_t *p = NULL;
    assert_int_equal(sqlparse_parse(sql, &p, NULL), 0);
    int mx = 0;
    sqlparse_walk((const ProtobufCMessage *)sqlparse_tree(p), max_param_visit, &mx);
    sqlparse_destroy(&p);
    return mx;
}

/* The text parses, and deparsing its tree gives the same text back. */
static void assert_round_trip(const char *sql)
{
    sqlparse_t *p = NULL;
    err_t err;
    if (sqlparse_parse(sql, &p, &err) != 0)
        fail_msg("optimized text does not parse: %s: %s", err.msg, sql);
    char *again = NULL;
    assert_int_equal(sqlparse_deparse(sqlparse_tree(p), &again, &err), 0);
    assert_string_equal(again, sql);
    free(again);
    sqlparse_destroy(&p);
}

static void test_corpus(void **state)
{
    (void)state;
    json_t *cat = load("catalog.json");
    json_t *cases = load("cases.json");
    size_t i;
    json_t *c;
    int positives = 0, refusals = 0, untouched = 0;
    json_array_foreach(cases, i, c)
    {
        const char *name = json_string_value(json_object_get(c, "name"));
        const char *sql = json_string_value(json_object_get(c, "sql"));
        const char *rule = json_string_value(json_object_get(c, "rule"));
        const char *expect = json_string_value(json_object_get(c, "expect"));
        assert_non_null(name);
        json_t *rw = NULL, *notes = NULL;
        err_t err;
        if (query_rewriter_rewrite_text(cat, sql, &rw, &notes, &err) != 0)
            fail_msg("%s: %s", name, err.msg);
        const json_t *hit = NULL;
        size_t k;
        json_t *x;
        json_array_foreach(rw, k, x)
        {
            const char *optimized = json_string_value(json_object_get(x, "optimized_query"));
            assert_non_null(optimized);
            assert_round_trip(optimized); /* every rule's output, not only this case's */
            assert_true(json_array_size(json_object_get(x, "changes")) > 0);
            if (strcmp(json_string_value(json_object_get(x, "rule")), rule) == 0)
                hit = x;
        }
        int withheld = 0;
        json_array_foreach(notes, k, x) withheld |= strstr(json_string_value(x), rule) != NULL;
        if (strcmp(expect, "none") == 0) {
            if (hit || withheld)
                fail_msg("%s: rule %s should not apply", name, rule);
            untouched++;
        } else if (strcmp(expect, "withheld") == 0) {
            if (hit)
                fail_msg("%s: unsafe rewrite proposed: %s", name,
                         json_string_value(json_object_get(hit, "optimized_query")));
            if (!withheld)
                fail_msg("%s: refusal not explained in notes", name);
            refusals++;
        } else {
            if (!hit)
                fail_msg("%s: rule %s did not fire", name, rule);
            const char *safety = json_string_value(json_object_get(hit, "safety"));
            if (strcmp(expect, "proven") == 0)
                assert_string_equal(safety, "proven");
            else
                assert_true(strncmp(safety, "conditional: ", 13) == 0 && strlen(safety) > 20);
            const char *optimized = json_string_value(json_object_get(hit, "optimized_query"));
            const char *want = json_string_value(json_object_get(c, "optimized"));
            if (strcmp(optimized, want) != 0)
                fail_msg("%s:\n  got  %s\n  want %s", name, optimized, want);
            /* parameters keep their numbers unless the rule says how they moved */
            if (strcmp(rule, "in_list_to_array_param") && strcmp(rule, "offset_to_keyset"))
                assert_int_equal(max_param(optimized), max_param(sql));
            /* offline: the method says it is pgopt's own or not estimated */
            const char *method = json_string_value(json_object_get(hit, "method"));
            assert_true(strstr(method, "pgopt estimate") || strstr(method, "not reachable") ||
                        strstr(method, "not estimated"));
            positives++;
        }
        json_decref(rw);
        json_decref(notes);
    }
    /* the corpus covers every rule with positives and refusals, including
     * cast_defeats_index and the predicate rules inside UPDATE/DELETE and
     * subqueries, and sqlcheck's anti-patterns of qr_rules_check.c (so
     * dropping cases shows here) */
    assert_true(positives >= 64);
    assert_true(refusals >= 14);
    assert_true(untouched >= 31);
    json_decref(cases);
    json_decref(cat);
}

static json_t *stmt(json_int_t qid, const char *q, double calls, double rows, double total)
{
    json_t *s = json_object();
    json_object_set_new(s, "queryid", json_integer(qid));
    json_object_set_new(s, "query", json_string(q));
    json_object_set_new(s, "calls", json_real(calls));
    json_object_set_new(s, "rows", json_real(rows));
    json_object_set_new(s, "total_exec_time", json_real(total));
    json_object_set_new(s, "mean_exec_time", json_real(calls > 0 ? total / calls : 0));
    return s;
}

static json_t *find_type(const json_t *arr, const char *type)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) if (strcmp(json_string_value(json_object_get(x, "type")), type) ==
                                      0) return x;
    return NULL;
}

static void test_n1(void **state)
{
    (void)state;
    json_t *snap = load("catalog.json");
    json_t *st = json_array();
    /* 200 calls returning 20 customers each, 4000 order lookups by FK */
    json_array_append_new(
        st, stmt(1, "SELECT id, email FROM customers WHERE region = $1 LIMIT $2", 200, 4000, 50));
    json_array_append_new(
        st, stmt(2, "SELECT id, total FROM orders WHERE customer_id = $1", 4000, 12000, 400));
    json_object_set_new(snap, "statements", st);
    query_rewriter_options_t o;
    query_rewriter_options_init(&o);
    o.offline = 1;
    json_t *res = NULL;
    err_t err;
    assert_int_equal(query_rewriter_analyze(snap, &o, NULL, NULL, &res, &err), 0);
    assert_string_equal(json_string_value(json_object_get(res, "phase")), "OPTIMIZE");
    assert_string_equal(json_string_value(json_object_get(res, "agent")), "query_rewriter");
    const json_t *n1 = find_type(json_object_get(res, "rewrites"), "n1_fix");
    assert_non_null(n1);
    assert_string_equal(json_string_value(json_object_get(n1, "optimized")),
                        "SELECT id, total FROM orders WHERE customer_id = ANY($1::bigint[])");
    const json_t *ev = json_object_get(n1, "evidence");
    assert_int_equal(json_integer_value(json_object_get(ev, "round_trips_saved")), 3800);
    assert_int_equal(json_integer_value(json_object_get(ev, "parent_queryid")), 1);
    assert_string_equal(json_string_value(json_object_get(n1, "estimated_gain")),
                        "20x fewer round trips");
    json_decref(res);

    /* SQLAlchemy's lazy loader puts the parameter first: "$1 = orders.customer_id" */
    st = json_array();
    json_array_append_new(
        st, stmt(1, "SELECT id, email FROM customers WHERE region = $1 LIMIT $2", 200, 4000, 50));
    json_array_append_new(st, stmt(2,
                                   "SELECT orders.id, orders.total FROM orders WHERE $1 = "
                                   "orders.customer_id",
                                   4000, 12000, 400));
    json_object_set_new(snap, "statements", st);
    assert_int_equal(query_rewriter_analyze(snap, &o, NULL, NULL, &res, &err), 0);
    n1 = find_type(json_object_get(res, "rewrites"), "n1_fix");
    assert_non_null(n1);
    assert_string_equal(json_string_value(json_object_get(n1, "optimized")),
                        "SELECT orders.id, orders.total FROM orders WHERE orders.customer_id = "
                        "ANY($1::bigint[])");
    json_decref(res);

    /* the same counts without the rhythm (parent returns 1 row per call):
     * not an N+1 signature */
    st = json_array();
    json_array_append_new(st,
                          stmt(1, "SELECT id, email FROM customers WHERE id = $1", 200, 200, 5));
    json_array_append_new(
        st, stmt(2, "SELECT id, total FROM orders WHERE customer_id = $1", 4000, 12000, 400));
    json_object_set_new(snap, "statements", st);
    assert_int_equal(query_rewriter_analyze(snap, &o, NULL, NULL, &res, &err), 0);
    assert_null(find_type(json_object_get(res, "rewrites"), "n1_fix"));
    json_decref(res);
    json_decref(snap);
}

static void test_agent_shape_and_priority(void **state)
{
    (void)state;
    json_t *snap = load("catalog.json");
    json_t *st = json_array();
    json_array_append_new(
        st,
        stmt(7, "SELECT c.id FROM customers c WHERE c.id NOT IN (SELECT customer_id FROM orders)",
             10, 10, 9000));
    json_array_append_new(
        st, stmt(8, "SELECT id FROM customers WHERE id NOT IN (SELECT ref_id FROM orders)", 10, 10,
                 900));
    json_array_append_new(
        st, stmt(9, "SELECT id FROM orders WHERE status = $1 OR status = $2", 1, 1, 100));
    json_array_append_new(st, stmt(10, "not sql at all", 1, 1, 1));
    json_object_set_new(snap, "statements", st);
    json_t *res = NULL;
    err_t err;
    query_rewriter_options_t o;
    query_rewriter_options_init(&o);
    o.offline = 1;
    assert_int_equal(query_rewriter_analyze(snap, &o, NULL, NULL, &res, &err), 0);
    const json_t *sr = json_object_get(res, "sql_rewrites");
    assert_int_equal(json_array_size(sr), 3);
    /* ordered by total time: the proven NOT IN rewrite of the heaviest statement first */
    const json_t *a = json_array_get(sr, 0), *b = json_array_get(sr, 1);
    assert_int_equal(json_integer_value(json_object_get(a, "queryid")), 7);
    assert_string_equal(json_string_value(json_object_get(a, "safety")), "proven");
    /* no EXPLAIN offline, no own ratio for NOT IN: gain unknown, said so */
    assert_true(strncmp(json_string_value(json_object_get(a, "estimated_gain")), "unknown", 7) ==
                0);
    /* conditional is one level below the proven one of a similar statement */
    assert_string_equal(json_string_value(json_object_get(a, "priority")), "P2");
    assert_string_equal(json_string_value(json_object_get(b, "priority")), "P3");
    /* each sql_rewrite has its query_opt rewrites entry */
    assert_int_equal(json_array_size(json_object_get(res, "rewrites")), 3);
    const json_t *notes = json_object_get(res, "notes");
    int parse_note = 0, offline_note = 0;
    size_t i;
    json_t *x;
    json_array_foreach(notes, i, x)
    {
        parse_note |= strstr(json_string_value(x), "did not parse") != NULL;
        offline_note |= strstr(json_string_value(x), "offline") != NULL;
    }
    assert_true(parse_note && offline_note);
    json_decref(res);
    json_decref(snap);
}

static const json_t *find_rule(const json_t *arr, const char *rule)
{
    size_t i;
    json_t *x;
    json_array_foreach(arr, i, x) if (strcmp(json_string_value(json_object_get(x, "rule")), rule) ==
                                      0) return x;
    return NULL;
}

static json_t *setting_row(const char *name, const char *value)
{
    return json_pack("{s:s, s:s}", "name", name, "setting", value);
}

/* The evidence of qr_rules_check.c's findings comes from the snapshot: calls
 * and rows per call from pg_stat_statements, the planner limits from the
 * settings section (not PostgreSQL's defaults when the snapshot has them),
 * transform_null_equals deciding whether = NULL already meant IS NULL. */
static void test_check_rules_evidence(void **state)
{
    (void)state;
    json_t *snap = load("catalog.json");
    json_t *settings = json_object_get(snap, "settings");
    json_array_append_new(settings, setting_row("join_collapse_limit", "4"));
    json_array_append_new(settings, setting_row("from_collapse_limit", "8"));
    json_array_append_new(settings, setting_row("geqo_threshold", "12"));
    json_array_append_new(settings, setting_row("transform_null_equals", "on"));
    json_t *st = json_array();
    json_array_append_new(st, stmt(21, "SELECT id, status FROM orders", 10, 10000000, 5000));
    /* 6 relations: under the default limit 8, over this snapshot's 4 */
    json_array_append_new(
        st, stmt(22,
                 "SELECT a.id FROM orders a JOIN orders b ON b.id = a.id JOIN orders c ON c.id = "
                 "b.id JOIN orders d ON d.id = c.id JOIN orders e ON e.id = d.id JOIN orders f ON "
                 "f.id = e.id WHERE a.id = $1",
                 5, 5, 10));
    json_array_append_new(st, stmt(23, "SELECT id FROM customers WHERE region = NULL", 3, 0, 1));
    json_object_set_new(snap, "statements", st);
    query_rewriter_options_t o;
    query_rewriter_options_init(&o);
    o.offline = 1;
    json_t *res = NULL;
    err_t err;
    assert_int_equal(query_rewriter_analyze(snap, &o, NULL, NULL, &res, &err), 0);
    const json_t *sr = json_object_get(res, "sql_rewrites");
    const json_t *full = find_rule(sr, "full_table_read");
    assert_non_null(full);
    const json_t *ev = json_object_get(full, "evidence");
    assert_true(json_real_value(json_object_get(ev, "rows_per_call")) == 1000000.0);
    assert_true(json_real_value(json_object_get(ev, "table_rows")) == 1000000.0);
    assert_non_null(strstr(json_string_value(json_object_get(full, "advice")),
                           "10 calls returned 1000000 rows each"));
    /* detection only: the statement itself as optimized_query, like order_by_random */
    assert_string_equal(json_string_value(json_object_get(full, "optimized_query")),
                        "SELECT id, status FROM orders");
    const json_t *joins = find_rule(sr, "too_many_joins");
    assert_non_null(joins);
    ev = json_object_get(joins, "evidence");
    assert_int_equal(json_integer_value(json_object_get(ev, "from_items")), 6);
    assert_int_equal(json_integer_value(json_object_get(ev, "join_collapse_limit")), 4);
    assert_null(json_object_get(ev, "settings_source")); /* all three came from the snapshot */
    assert_non_null(strstr(json_string_value(json_object_get(joins, "advice")),
                           "exceed join_collapse_limit 4"));
    /* transform_null_equals = on: the server already reads = NULL as IS NULL,
     * so the rewrite is proven equal and says why */
    const json_t *nul = find_rule(sr, "null_comparison");
    assert_non_null(nul);
    assert_string_equal(json_string_value(json_object_get(nul, "safety")), "proven");
    assert_string_equal(json_string_value(json_object_get(nul, "optimized_query")),
                        "SELECT id FROM customers WHERE region IS NULL");
    assert_non_null(strstr(json_string_value(json_array_get(json_object_get(nul, "changes"), 0)),
                           "transform_null_equals is on"));
    /* each finding has its query_opt entry in rewrites */
    const json_t *rws = json_object_get(res, "rewrites");
    assert_int_equal(json_array_size(rws), json_array_size(sr));
    assert_non_null(find_type(rws, "query_opt"));
    json_decref(res);
    json_decref(snap);
}

static void test_bad_input(void **state)
{
    (void)state;
    json_t *res = NULL;
    err_t err;
    json_t *arr = json_array();
    assert_int_equal(query_rewriter_analyze(arr, NULL, NULL, NULL, &res, &err), -1);
    assert_non_null(strstr(err.msg, "not a map"));
    json_decref(arr);
    /* wrong types everywhere: no crash, an answer with notes */
    json_t *snap = json_pack("{s:{s:i}, s:[i, s, {s:i}], s:s, s:[{s:i, s:[i]}], s:[{s:s, s:s}]}",
                             "meta", "format_version", 1, "statements", 1, "x", "query", 5,
                             "tables", "nope", "columns", "name", 3, "most_common_vals", 1,
                             "constraints", "table", "t", "type", "f");
    query_rewriter_options_t o;
    query_rewriter_options_init(&o);
    o.offline = 1;
    assert_int_equal(query_rewriter_analyze(snap, &o, NULL, NULL, &res, &err), 0);
    assert_int_equal(json_array_size(json_object_get(res, "sql_rewrites")), 0);
    json_decref(res);
    json_decref(snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_n1),
        cmocka_unit_test(test_agent_shape_and_priority),
        cmocka_unit_test(test_check_rules_evidence),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
