/*
 * test_steptest.c - common/steptest: the exact Mann-Whitney distribution
 * against brute-force enumeration of every split, and the step scan on
 * short series: a large step found with the p the test can give at that
 * size; noise, a one-interval spike and a small shift not reported.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/steptest.h"

/* P(U <= u) by enumerating every k-subset of n = m + k distinct ranks. */
static double brute_p(size_t m, size_t k, double u)
{
    size_t n = m + k, total = 0, below = 0;
    for (uint32_t mask = 0; mask < (1u << n); mask++) {
        if ((size_t)__builtin_popcount(mask) != k)
            continue;
        /* U of the "after" set = pairs (before rank > after rank). */
        double uu = 0;
        for (size_t a = 0; a < n; a++)
            if (mask >> a & 1)
                for (size_t b = 0; b < n; b++)
                    if (!(mask >> b & 1) && b > a)
                        uu += 1;
        total++;
        below += uu <= u;
    }
    return (double)below / (double)total;
}

static void test_exact_distribution(void **state)
{
    (void)state;
    assert_true(fabs(steptest_mw_p(3, 3, 0) - 0.05) < 1e-12);
    assert_true(fabs(steptest_mw_p(4, 4, 0) - 1.0 / 70) < 1e-12);
    assert_true(fabs(steptest_mw_p(5, 4, 0) - 1.0 / 126) < 1e-12);
    for (size_t m = 1; m <= 7; m++)
        for (size_t k = 1; k <= 7; k++)
            for (size_t u = 0; u <= m * k; u++) {
                double a = steptest_mw_p(m, k, (double)u), b = brute_p(m, k, (double)u);
                if (fabs(a - b) > 1e-12)
                    fail_msg("m=%zu k=%zu u=%zu: %g vs brute force %g", m, k, u, a, b);
            }
    assert_true(steptest_mw_p(5, 5, 25) == 1.0);
    /* Half-integers (ties) round up: conservative. */
    assert_true(steptest_mw_p(3, 3, 0.5) == steptest_mw_p(3, 3, 1));
    assert_true(isnan(steptest_mw_p(0, 3, 0)));
    assert_true(isnan(steptest_mw_p(30, 30, 0)));
}

static unsigned lcg(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffff;
}

/* value * (1 +- noise), seeded */
static double noisy(unsigned *s, double v, double noise)
{
    return v * (1 + noise * ((double)lcg(s) / 65535.0 * 2 - 1));
}

static void test_large_step_few_points(void **state)
{
    (void)state;
    unsigned seed = 7;
    double x[9];
    for (int i = 0; i < 5; i++)
        x[i] = noisy(&seed, 0.05, 0.2); /* 0.05 ms point lookups */
    for (int i = 5; i < 9; i++)
        x[i] = noisy(&seed, 20.0, 0.2); /* 400x: the index was dropped */
    steptest_opts_t o;
    steptest_opts_init(&o);
    o.direction = +1;
    steptest_result_t r;
    err_t err;
    assert_int_equal(steptest_find(x, 9, &o, &r, &err), 0);
    assert_true(r.found);
    assert_int_equal(r.direction, 1);
    assert_int_equal(r.change, 5);
    assert_int_equal(r.n_before, 5);
    assert_int_equal(r.n_after, 4);
    assert_int_equal(r.splits, 4);
    assert_true(fabs(r.p_split - 1.0 / 126) < 1e-12);
    assert_true(fabs(r.p - 4.0 / 126) < 1e-12);
    assert_true(r.ratio > 200 && r.ratio < 800);
    /* The same step read downwards is no improvement. */
    o.direction = -1;
    assert_int_equal(steptest_find(x, 9, &o, &r, &err), 0);
    assert_false(r.found);
}

static void test_three_and_three(void **state)
{
    (void)state;
    double x[6] = {1.0, 1.1, 0.9, 10.0, 11.0, 9.5};
    steptest_opts_t o;
    steptest_opts_init(&o);
    o.direction = +1;
    steptest_result_t r;
    assert_int_equal(steptest_find(x, 6, &o, &r, NULL), 0);
    assert_true(r.found);
    assert_true(fabs(r.p - 0.05) < 1e-12);
    assert_true(fabs(r.p_min - 0.05) < 1e-12);
    /* Both directions: the one split counts twice, p = 0.1 > alpha. */
    o.direction = 0;
    assert_int_equal(steptest_find(x, 6, &o, &r, NULL), 0);
    assert_false(r.found);
    assert_true(fabs(r.p - 0.1) < 1e-12);
    /* An improvement is found downwards. */
    double y[6] = {10.0, 11.0, 9.5, 1.0, 1.1, 0.9};
    o.direction = -1;
    assert_int_equal(steptest_find(y, 6, &o, &r, NULL), 0);
    assert_true(r.found);
    assert_int_equal(r.direction, -1);
    assert_int_equal(r.change, 3);
}

static void test_not_reported(void **state)
{
    (void)state;
    steptest_opts_t o;
    steptest_opts_init(&o);
    steptest_result_t r;
    unsigned seed = 11;
    /* Steady noise, many seeds: no step. */
    for (int run = 0; run < 200; run++) {
        double x[30];
        for (int i = 0; i < 30; i++)
            x[i] = noisy(&seed, 3.0, 0.5);
        assert_int_equal(steptest_find(x, 30, &o, &r, NULL), 0);
        if (r.found)
            fail_msg("run %d: steady noise reported as a step (p %g ratio %g)", run, r.p, r.ratio);
    }
    /* One interval x10 (a spike) does not move a median. */
    double s[12];
    for (int i = 0; i < 12; i++)
        s[i] = noisy(&seed, 2.0, 0.1);
    s[8] = 20;
    assert_int_equal(steptest_find(s, 12, &o, &r, NULL), 0);
    assert_false(r.found);
    /* A real but small shift (x1.3): significant, below min_ratio. */
    double h[20];
    for (int i = 0; i < 20; i++)
        h[i] = noisy(&seed, i < 10 ? 2.0 : 2.6, 0.05);
    assert_int_equal(steptest_find(h, 20, &o, &r, NULL), 0);
    assert_true(r.p < 0.05);
    assert_false(r.found);
}

static void test_long_series_window(void **state)
{
    (void)state;
    double x[100];
    for (int i = 0; i < 100; i++)
        x[i] = i < 90 ? 1.0 + 0.01 * (i % 7) : 5.0 + 0.01 * (i % 5);
    steptest_opts_t o;
    steptest_opts_init(&o);
    steptest_result_t r;
    assert_int_equal(steptest_find(x, 100, &o, &r, NULL), 0);
    assert_true(r.found);
    assert_int_equal(r.offset, 100 - STEPTEST_MAX_N);
    assert_int_equal(r.change, 90);
}

static void test_errors(void **state)
{
    (void)state;
    steptest_opts_t o;
    steptest_opts_init(&o);
    steptest_result_t r;
    err_t err;
    double x[6] = {1, 2, 3, 4, 5, 6};
    assert_int_equal(steptest_find(x, 5, &o, &r, &err), -1);
    assert_non_null(strstr(err.msg, "5 points"));
    x[2] = NAN;
    assert_int_equal(steptest_find(x, 6, &o, &r, &err), -1);
    assert_non_null(strstr(err.msg, "point 2"));
    x[2] = 3;
    o.min_side = 2;
    assert_int_equal(steptest_find(x, 6, &o, &r, &err), -1);
    assert_non_null(strstr(err.msg, "min_side"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_distribution), cmocka_unit_test(test_large_step_few_points),
        cmocka_unit_test(test_three_and_three),    cmocka_unit_test(test_not_reported),
        cmocka_unit_test(test_long_series_window), cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
