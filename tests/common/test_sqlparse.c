/* test_sqlparse.c - common/sqlparse: parsing, the walker, and the session
 * feature classifier (what PgBouncer transaction pooling breaks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/sqlparse.h"

static unsigned features_of(const char *sql)
{
    sqlparse_t *p = NULL;
    err_t err = {{0}};
    int rc = sqlparse_parse(sql, &p, &err);
    if (rc != 0)
        fail_msg("parse failed for %s: %s", sql, err.msg);
    unsigned mask = sqlparse_session_features(p);
    sqlparse_destroy(&p);
    return mask;
}

static void test_classifier_table(void **state)
{
    (void)state;
    static const struct {
        const char *sql;
        unsigned want;
    } cases[] = {
        {"SET statement_timeout = 0", SQLPARSE_FEATURE_SET},
        {"SET SESSION search_path TO app, public", SQLPARSE_FEATURE_SET},
        {"SET LOCAL statement_timeout = '5s'", 0},
        {"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", 0},
        {"SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", SQLPARSE_FEATURE_SET},
        {"RESET ALL", SQLPARSE_FEATURE_SET},
        {"RESET work_mem", SQLPARSE_FEATURE_SET},
        {"LISTEN orders_changed", SQLPARSE_FEATURE_LISTEN},
        {"UNLISTEN *", SQLPARSE_FEATURE_LISTEN},
        {"PREPARE q(int) AS SELECT $1", SQLPARSE_FEATURE_PREPARE},
        {"EXECUTE q(1)", SQLPARSE_FEATURE_PREPARE},
        {"DEALLOCATE ALL", SQLPARSE_FEATURE_PREPARE},
        {"SELECT pg_advisory_lock($1)", SQLPARSE_FEATURE_ADVISORY_LOCK},
        {"SELECT pg_catalog.pg_try_advisory_lock(42, 7)", SQLPARSE_FEATURE_ADVISORY_LOCK},
        {"SELECT pg_advisory_unlock_all()", SQLPARSE_FEATURE_ADVISORY_LOCK},
        {"SELECT pg_advisory_xact_lock(1)", 0},
        {"SELECT pg_try_advisory_xact_lock(1)", 0},
        {"SELECT id FROM jobs WHERE pg_try_advisory_lock(id) LIMIT 1",
         SQLPARSE_FEATURE_ADVISORY_LOCK},
        {"DECLARE c CURSOR WITH HOLD FOR SELECT 1", SQLPARSE_FEATURE_WITH_HOLD_CURSOR},
        {"DECLARE c CURSOR FOR SELECT 1", 0},
        {"CREATE TEMP TABLE t (a int)", SQLPARSE_FEATURE_TEMP_TABLE},
        {"CREATE TEMPORARY TABLE t AS SELECT 1", SQLPARSE_FEATURE_TEMP_TABLE},
        {"CREATE TEMP TABLE t (a int) ON COMMIT DROP", 0},
        {"SELECT 1 AS a INTO TEMP t", SQLPARSE_FEATURE_TEMP_TABLE},
        {"CREATE TABLE t (a int)", 0},
        {"SELECT * FROM orders WHERE id = $1", 0},
        {"UPDATE t SET a = 1 WHERE b = $2", 0},
        {"SET work_mem = '64MB'; LISTEN x", SQLPARSE_FEATURE_SET | SQLPARSE_FEATURE_LISTEN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned got = features_of(cases[i].sql);
        if (got != cases[i].want)
            fail_msg("%s: got mask 0x%x, want 0x%x", cases[i].sql, got, cases[i].want);
    }
}

static void test_feature_names(void **state)
{
    (void)state;
    assert_string_equal(sqlparse_feature_name(SQLPARSE_FEATURE_SET), "SET");
    assert_string_equal(sqlparse_feature_name(SQLPARSE_FEATURE_LISTEN), "LISTEN");
    assert_string_equal(sqlparse_feature_name(SQLPARSE_FEATURE_PREPARE), "PREPARE");
    assert_string_equal(sqlparse_feature_name(SQLPARSE_FEATURE_ADVISORY_LOCK), "advisory_lock");
    assert_string_equal(sqlparse_feature_name(SQLPARSE_FEATURE_WITH_HOLD_CURSOR),
                        "with_hold_cursor");
    assert_string_equal(sqlparse_feature_name(SQLPARSE_FEATURE_TEMP_TABLE), "temp_table");
    assert_null(sqlparse_feature_name(0));
    assert_null(sqlparse_feature_name(SQLPARSE_FEATURE_SET | SQLPARSE_FEATURE_LISTEN));
    for (unsigned bit = 1; bit < (1u << SQLPARSE_FEATURE_COUNT); bit <<= 1)
        assert_non_null(sqlparse_feature_explanation(bit));
}

static void test_syntax_error(void **state)
{
    (void)state;
    sqlparse_t *p = (sqlparse_t *)0x1;
    err_t err = {{0}};
    assert_int_equal(sqlparse_parse("SELECT FROM WHERE (", &p, &err), -1);
    assert_null(p);
    assert_non_null(strstr(err.msg, "syntax error"));
    assert_non_null(strstr(err.msg, "at character"));
    assert_int_equal(sqlparse_parse(NULL, &p, &err), -1);
    assert_int_equal(sqlparse_parse("SELECT 1", NULL, &err), -1);
}

typedef struct {
    int nodes;
    int max_depth;
    int range_vars;
} count_t;

static int count_visit(const ProtobufCMessage *node, int depth, void *user)
{
    count_t *c = user;
    c->nodes++;
    if (depth > c->max_depth)
        c->max_depth = depth;
    if (node->descriptor == &pg_query__range_var__descriptor)
        c->range_vars++;
    return 0;
}

static int stop_at_range_var(const ProtobufCMessage *node, int depth, void *user)
{
    (void)depth;
    (void)user;
    return node->descriptor == &pg_query__range_var__descriptor ? 7 : 0;
}

static void test_walker(void **state)
{
    (void)state;
    sqlparse_t *p = NULL;
    err_t err;
    assert_int_equal(sqlparse_parse("SELECT a.x FROM a JOIN b ON a.id = b.id WHERE a.y IN "
                                    "(SELECT y FROM c); SELECT 1",
                                    &p, &err),
                     0);
    assert_int_equal(sqlparse_statement_count(p), 2);
    assert_non_null(sqlparse_statement(p, 1));
    assert_null(sqlparse_statement(p, 2));
    count_t c = {0};
    assert_int_equal(sqlparse_walk(&sqlparse_tree(p)->base, count_visit, &c), 0);
    assert_int_equal(c.range_vars, 3); /* a, b and c: only active oneof members visited */
    assert_true(c.nodes > 20);
    assert_true(c.max_depth > 5);
    /* A nonzero return stops the walk and is passed back. */
    assert_int_equal(sqlparse_walk(&sqlparse_tree(p)->base, stop_at_range_var, NULL), 7);
    /* The second statement alone has no relation. */
    count_t c2 = {0};
    sqlparse_walk(&sqlparse_statement(p, 1)->base, count_visit, &c2);
    assert_int_equal(c2.range_vars, 0);
    sqlparse_destroy(&p);
    assert_null(p);
    sqlparse_destroy(&p); /* safe twice */
    assert_int_equal(sqlparse_walk(NULL, count_visit, &c), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classifier_table),
        cmocka_unit_test(test_feature_names),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_walker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
