/*
 * test_agents.c - the agent table (proto/agents.h): lookups, the name list
 * sharing the table's pointers, and every row tied to the build: its worker
 * program exists in the build's bin/ and its result has a schema
 * (proto/result_schema.h rejects a result with only the common keys).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "proto/agents.h"
#include "proto/result_schema.h"

static void test_lookup(void **state)
{
    (void)state;
    for (int i = 0; i < AGENT_COUNT; i++) {
        assert_ptr_equal(agent_info(AGENTS[i].name), &AGENTS[i]);
        assert_ptr_equal(AGENT_NAMES[i], AGENTS[i].name);
        assert_non_null(AGENTS[i].title);
        assert_non_null(AGENTS[i].found);
    }
    assert_string_equal(AGENTS[0].name, "index_advisor");
    assert_string_equal(AGENTS[3].name, "ai_tuning");
    assert_null(agent_info("index-advisor"));
    assert_null(agent_info(""));
    assert_null(agent_info(NULL));
}

static void test_rows_match_the_build(void **state)
{
    (void)state;
    const char *bin = getenv("PGOPT_BIN_DIR");
    assert_non_null(bin);
    for (int i = 0; i < AGENT_COUNT; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", bin, AGENTS[i].executable);
        if (access(path, X_OK) != 0)
            fail_msg("%s: worker program %s not built", AGENTS[i].name, path);
        json_t *bare = json_pack("{s:s, s:s}", "phase", "OPTIMIZE", "agent", AGENTS[i].name);
        err_t err;
        if (result_validate(bare, AGENTS[i].name, &err) == 0)
            fail_msg("%s: a result with only phase and agent passed: no schema", AGENTS[i].name);
        json_decref(bare);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_rows_match_the_build),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
