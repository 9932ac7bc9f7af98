/*
 * test_numparse.c - common/numparse.c and clock_add_ms: strict numbers and
 * durations with ranges, refused (never wrapped) when they do not fit, and
 * deadline arithmetic that saturates.
 */
#include <stdint.h>

#include "proto_test.h"

#include "common/clock.h"
#include "common/numparse.h"

static void test_int(void **state)
{
    (void)state;
    int64_t v = 0;
    err_t err;
    assert_int_equal(num_parse_int("42", 1, 64, 0, &v, &err), 0);
    assert_int_equal(v, 42);
    assert_int_equal(num_parse_int("-5", -10, 10, 0, &v, &err), 0);
    assert_int_equal(v, -5);
    assert_int_equal(num_parse_int("4K", 0, 1 << 20, NUM_BYTE_SUFFIX, &v, &err), 0);
    assert_int_equal(v, 4096);
    const char *bad[] = {"",   " 1", "1 ",  "0x10", "1e3", "+1",
                         "-1", "65", "nan", "1.0",  "4K",  "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (num_parse_int(bad[i], 0, 64, 0, &v, &err) == 0)
            fail_msg("'%s' accepted as %lld", bad[i], (long long)v);
        assert_err_contains(err, "expected an integer from 0 to 64, got '");
    }
    assert_int_equal(num_parse_int("8G", 0, INT64_MAX, NUM_BYTE_SUFFIX, &v, &err), 0);
    assert_int_equal(v, 8LL << 30);
    assert_int_equal(num_parse_int("9223372036854775807K", 0, INT64_MAX, NUM_BYTE_SUFFIX, &v, &err),
                     -1);
    assert_err_contains(err, "(suffix K, M or G allowed)");
    assert_int_equal(num_parse_int(NULL, 0, 1, 0, &v, &err), -1);
}

static void test_duration(void **state)
{
    (void)state;
    struct {
        const char *text;
        int64_t ms;
    } ok[] = {{"30", 30000},    {"30s", 30000},  {"500ms", 500},    {"2m", 120000},
              {"2min", 120000}, {"1h", 3600000}, {"1.5s", 1500},    {"0.0005s", 1},
              {"0", 0},         {"0ms", 0},      {"1.25h", 4500000}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t v = -1;
        err_t err;
        if (num_parse_duration_ms(ok[i].text, 0, INT64_MAX, &v, &err) != 0)
            fail_msg("'%s' refused: %s", ok[i].text, err.msg);
        assert_int_equal(v, ok[i].ms);
    }
    const char *bad[] = {"",
                         "s",
                         "-1s",
                         "1e3s",
                         "0x10",
                         "nan",
                         "inf",
                         "1.s",
                         "30 s",
                         "3d",
                         ".5s",
                         "1..2s",
                         "99999999999999999999s",
                         "9223372036854775807h"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v = -1;
        err_t err;
        if (num_parse_duration_ms(bad[i], 0, INT64_MAX, &v, &err) == 0)
            fail_msg("'%s' accepted as %lld ms", bad[i], (long long)v);
        assert_err_contains(err, "expected a duration from 0 ms to ");
    }
    /* the case: 999999999999 s is 10^15 ms, beyond a 24.8-day bound */
    int64_t v = -1;
    err_t err;
    assert_int_equal(num_parse_duration_ms("999999999999s", 0, 2147483647LL, &v, &err), -1);
    assert_string_equal(err.msg, "expected a duration from 0 ms to 2147483647 ms (e.g. 30s, "
                                 "500ms, 2m, 1h), got '999999999999s'");
    assert_int_equal(num_parse_duration_ms("10s", 1, 7LL * 86400000, &v, &err), 0);
    assert_int_equal(num_parse_duration_ms("0", 1, 7LL * 86400000, &v, &err), -1);
    assert_string_equal(err.msg, "expected a duration from 1 ms to 7.0 days (e.g. 30s, 500ms, 2m, "
                                 "1h), got '0'");
    /* the old entry point keeps its contract */
    assert_int_equal(clock_parse_duration_ms("2m"), 120000);
    assert_int_equal(clock_parse_duration_ms("nan"), -1);
    assert_int_equal(clock_parse_duration_ms("999999999999s"), 999999999999000LL);
    assert_int_equal(clock_parse_duration_ms("1000000000001s"), -1);
}

static void test_clock_add(void **state)
{
    (void)state;
    assert_int_equal(clock_add_ms(1000, 500), 1500);
    assert_int_equal(clock_add_ms(1000, -500), 500);
    assert_true(clock_add_ms(1000, INT64_MAX) == INT64_MAX);
    assert_true(clock_add_ms(INT64_MAX - 1, 2) == INT64_MAX);
    assert_true(clock_add_ms(-1000, INT64_MIN) == INT64_MIN);
    assert_true(clock_add_ms(INT64_MIN + 1, -2) == INT64_MIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_clock_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
