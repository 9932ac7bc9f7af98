/*
 * test_result_schema.c - proto/result_schema.c: real agents' results (the
 * report test's phase3_output, produced by the four workers on the shop
 * database) pass; each kind of violation is named with its path.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "proto_test.h"

#include "proto/result_schema.h"

static const char *const agents[] = {"index_advisor", "query_rewriter", "config_tuner",
                                     "ai_tuning"};

static json_t *load_phase3(void)
{
    const char *src = getenv("PGOPT_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/report/data/shop-phase3.json", src ? src : ".");
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    if (!doc)
        fail_msg("%s: %s", path, je.text);
    return doc;
}

static void test_real_results_pass(void **state)
{
    (void)state;
    json_t *p3 = load_phase3();
    for (size_t i = 0; i < 4; i++) {
        err_t err = {{0}};
        if (result_validate(json_object_get(p3, agents[i]), agents[i], &err) != 0)
            fail_msg("%s: %s", agents[i], err.msg);
    }
    json_decref(p3);
}

/* The minimal result the seed allows: every container empty. */
static json_t *minimal(const char *agent)
{
    json_t *r = json_pack("{s:s, s:s}", "phase", "OPTIMIZE", "agent", agent);
    if (!strcmp(agent, "index_advisor")) {
        json_t *c = json_pack("{s:[], s:[], s:[]}", "recommendations", "unused_indexes_to_drop",
                              "duplicate_indexes");
        json_object_update(r, c);
        json_decref(c);
    }
    return r;
}

static void expect_violation(const json_t *r, const char *agent, const char *want)
{
    err_t err = {{0}};
    if (result_validate(r, agent, &err) == 0)
        fail_msg("accepted; expected: %s", want);
    assert_string_equal(err.msg, want);
}

static void test_violations(void **state)
{
    (void)state;
    json_t *p3 = load_phase3();
    json_t *ia = json_deep_copy(json_object_get(p3, "index_advisor"));
    json_t *rec = json_array_get(json_object_get(ia, "recommendations"), 0);
    assert_non_null(rec);
    assert_int_equal(result_validate(ia, "index_advisor", NULL), 0);

    /* a result labelled with another agent */
    expect_violation(ia, "config_tuner",
                     "config_tuner result: agent: the result is labelled \"index_advisor\"");
    json_object_set_new(ia, "phase", json_string("ANALYZE"));
    expect_violation(ia, "index_advisor",
                     "index_advisor result: phase: expected \"OPTIMIZE\", got \"ANALYZE\"");
    json_object_set_new(ia, "phase", json_string("OPTIMIZE"));

    /* a field of the wrong type, deep in an element */
    json_object_set_new(rec, "affected_queries", json_string("15"));
    expect_violation(ia, "index_advisor",
                     "index_advisor result: recommendations[0].affected_queries: expected "
                     "integer, got string");
    json_object_set_new(rec, "affected_queries", json_integer(15));
    json_object_del(rec, "create_statement");
    expect_violation(ia, "index_advisor",
                     "index_advisor result: recommendations[0].create_statement: missing");
    json_object_set_new(ia, "recommendations", json_string("none"));
    expect_violation(ia, "index_advisor",
                     "index_advisor result: recommendations: expected array, got string");
    json_object_del(ia, "duplicate_indexes");
    json_object_set_new(ia, "recommendations", json_array());
    expect_violation(ia, "index_advisor", "index_advisor result: duplicate_indexes: missing");
    json_decref(ia);

    json_t *ct = json_deep_copy(json_object_get(p3, "config_tuner"));
    json_object_set_new(json_object_get(json_object_get(ct, "postgresql"), "memory"), "work_mem",
                        json_string("64MB"));
    expect_violation(ct, "config_tuner",
                     "config_tuner result: postgresql.memory.work_mem: expected map, got string");
    json_decref(ct);

    json_t *qr = minimal("query_rewriter");
    expect_violation(qr, "query_rewriter", "query_rewriter result: rewrites: missing");
    json_object_set_new(qr, "rewrites", json_pack("[{s:s, s:i}]", "id", "qry-001", "line", 3));
    json_object_set_new(qr, "sql_rewrites",
                        json_pack("[{s:s, s:[i]}]", "original_query", "SELECT 1", "changes", 7));
    expect_violation(qr, "query_rewriter",
                     "query_rewriter result: sql_rewrites[0].changes[0]: expected string, got "
                     "integer");
    json_decref(qr);

    json_t *ai = minimal("ai_tuning");
    expect_violation(ai, "ai_tuning", "ai_tuning result: workload_analysis: missing");
    json_decref(ai);

    expect_violation(NULL, "ai_tuning", "ai_tuning result: expected a map, got null");
    json_t *arr = json_array();
    expect_violation(arr, "ai_tuning", "ai_tuning result: expected a map, got array");
    json_decref(arr);
    /* an agent without a schema is held to the common keys */
    json_t *other = minimal("other");
    assert_int_equal(result_validate(other, "other", NULL), 0);
    json_object_set_new(other, "notes", json_pack("[s, n]", "fine"));
    expect_violation(other, "other", "other result: notes[1]: expected string, got null");
    json_decref(other);
    json_t *ok = minimal("index_advisor");
    assert_int_equal(result_validate(ok, "index_advisor", NULL), 0);
    json_decref(ok);
    json_decref(p3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_results_pass),
        cmocka_unit_test(test_violations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
