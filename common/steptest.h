/*
 * steptest.h - is there one step change in a short series, and where?
 *
 * For a statement's per-interval mean execution time (or any series where a
 * change is a level shift), a few intervals on each side of a large change
 * are enough to call it, if the test used can say how sure it is at that
 * size. This module uses the exact one-sided Mann-Whitney (Wilcoxon
 * rank-sum) test: under "no change" every split of the n ranks into the k
 * after the change and n - k before it is equally likely, so the p-value of
 * an observed U is the share of the C(n, k) splits with a U at least as
 * extreme, counted exactly (no normal approximation, no distribution
 * assumption). With 3 intervals before and 3 after, complete separation is
 * 1 of C(6,3) = 20 splits: p = 0.05 one-sided, the smallest p the test can
 * give at that size; 4 and 4 give 1/70 = 0.014, 5 and 5 1/252 = 0.004.
 *
 * The change point is not known in advance: it is placed where two levels
 * fit best (least squares on logs), and its p-value is multiplied by the
 * number of splits that could have been chosen (Bonferroni), so the
 * reported p is an upper bound of the chance that noise alone produced a
 * split that extreme.
 * A step is only reported when, in addition, the medians on the two sides
 * differ by at least min_ratio: significance says the shift is real, the
 * ratio that it is large enough to matter.
 *
 * Cost: the exact distribution of U for sizes (m, k) is computed by the
 * recurrence f(m, k, u) = f(m-1, k, u-k) + f(m, k-1, u) in O(m^2 k^2)
 * doubles; series are cut to their last STEPTEST_MAX_N points so that stays
 * below a megabyte and a millisecond.
 */
#ifndef PGOPT_COMMON_STEPTEST_H
#define PGOPT_COMMON_STEPTEST_H

#include <stddef.h>

#include "common/error.h"

/* Longest series tested (the most recent points are kept). */
#define STEPTEST_MAX_N 48

typedef struct {
    size_t min_side;  /* points required on each side (>= 3) */
    double min_ratio; /* median after / before (or before / after) at least this, > 1 */
    double alpha;     /* family-wise significance level after Bonferroni, e.g. 0.05 */
    int direction;    /* +1: test for an increase only, -1: a decrease only, 0: both
                       * (each split then counts twice in the Bonferroni factor) */
} steptest_opts_t;

typedef struct {
    int found;     /* 1 when a step passed both the test and the ratio */
    int direction; /* +1 values went up, -1 down (meaningful when found) */
    size_t offset; /* index in the caller's series where the tested window starts */
    size_t change; /* index (in the caller's series) of the first point after the change */
    size_t n_before, n_after;
    double median_before, median_after;
    double ratio;   /* median_after / median_before */
    double u;       /* Mann-Whitney U of the "after" side (ties count 1/2) */
    double p_split; /* exact one-sided p at the chosen split */
    double p;       /* p_split x splits tried, capped at 1 */
    double p_min;   /* smallest p the test can give at the chosen sizes: 1 / C(n, k) */
    size_t splits;  /* splits tried */
} steptest_result_t;

/* min_side 3, min_ratio 2, alpha 0.05, direction 0. A regression test
 * asks one question (did it get slower?): direction +1 keeps 3 + 3 points
 * able to reach p = 0.05. */
void steptest_opts_init(steptest_opts_t *o);

/* Exact one-sided p-value P(U <= u) for the Mann-Whitney U of a sample of
 * size k against one of size m, both from the same continuous distribution
 * (u may be a half-integer with ties; it is rounded up, which is
 * conservative). m + k <= STEPTEST_MAX_N. Returns NAN when out of range. */
double steptest_mw_p(size_t m, size_t k, double u);

/* Tests x[0..n) (finite values; NAN points are not allowed) for one step.
 * Among the splits with >= min_side points on each side of the last
 * STEPTEST_MAX_N points, the change point is the least-squares one (largest
 * between-segment sum of squares of log values, of raw values when a value
 * is <= 0); the exact p is taken there and multiplied by the splits tried. r is filled whenever 0
 * is returned, found or not. -1 with err when n < 2 * min_side, a value is not finite or the
 * options are out of range. */
int steptest_find(const double *x, size_t n, const steptest_opts_t *o, steptest_result_t *r,
                  err_t *err);

#endif
