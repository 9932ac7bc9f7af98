/*
 * test_attribution_pg.c - planted changes against the test PostgreSQL
 * (planted_pg.h): each detected and attributed, look-alikes not reported;
 * precision and recall of detection and attribution must be 1.0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "planted_pg.h"

static void test_planted(void **state)
{
    (void)state;
    planted_result_t r[16];
    int n = planted_run_all(r, 16, 1);
    assert_true(n > 0);
    assert_true(planted_report(r, (size_t)n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_planted)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
