/*
 * steptest.c - exact Mann-Whitney scan for one step change (steptest.h).
 *
 * The null distribution of U for sizes (m, k) is the coefficient list of
 * the Gaussian binomial [m+k choose k]_q = prod_{i=1..k} (1 - q^(m+i)) /
 * (1 - q^i): coefficient u counts the splits with U = u. Multiplying by
 * (1 - q^a) and dividing by (1 - q^i) only look at lower coefficients, so
 * the list can be cut at degree m*k without losing anything. Counts stay
 * below C(48, 24) ~ 3.2e13 < 2^53: doubles hold them exactly.
 */
#include "common/steptest.h"

#include "common/alloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void steptest_opts_init(steptest_opts_t *o)
{
    o->min_side = 3;
    o->min_ratio = 2.0;
    o->alpha = 0.05;
    o->direction = 0;
}

double steptest_mw_p(size_t m, size_t k, double u)
{
    if (m == 0 || k == 0 || m + k > STEPTEST_MAX_N || !(u >= 0))
        return NAN;
    size_t deg = m * k;
    double *c = xcalloc(deg + 1, sizeof *c);
    c[0] = 1;
    for (size_t i = 1; i <= k; i++) {
        size_t a = m + i;
        for (size_t v = deg; v >= a && v <= deg; v--)
            c[v] -= c[v - a];
        for (size_t v = i; v <= deg; v++)
            c[v] += c[v - i];
    }
    double total = 0, below = 0;
    double lim = ceil(u);
    for (size_t v = 0; v <= deg; v++) {
        total += c[v];
        if ((double)v <= lim)
            below += c[v];
    }
    free(c);
    return total > 0 ? below / total : NAN;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_of(const double *x, size_t n, double *tmp)
{
    memcpy(tmp, x, n * sizeof *tmp);
    qsort(tmp, n, sizeof *tmp, cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* U of `after` against `before` for "after went up": pairs where the after
 * value is below the before value, ties 1/2. Small U = after is higher. */
static double u_up(const double *before, size_t m, const double *after, size_t k)
{
    double u = 0;
    for (size_t j = 0; j < k; j++)
        for (size_t i = 0; i < m; i++)
            u += after[j] < before[i] ? 1.0 : after[j] == before[i] ? 0.5 : 0.0;
    return u;
}

int steptest_find(const double *x, size_t n, const steptest_opts_t *o, steptest_result_t *r,
                  err_t *err)
{
    memset(r, 0, sizeof *r);
    r->p = r->p_split = 1;
    r->ratio = r->median_after = r->median_before = NAN;
    if (!o || o->min_side < 3 || !(o->min_ratio > 1) || !(o->alpha > 0 && o->alpha < 1) ||
        o->direction < -1 || o->direction > 1)
        return err_set(err, "steptest: options out of range (min_side >= 3, min_ratio > 1, "
                            "0 < alpha < 1, direction -1, 0 or 1)");
    if (n < 2 * o->min_side)
        return err_set(err, "steptest: %zu points, need at least %zu (%zu on each side)", n,
                       2 * o->min_side, o->min_side);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return err_set(err, "steptest: point %zu is not a finite number", i);
    size_t off = n > STEPTEST_MAX_N ? n - STEPTEST_MAX_N : 0;
    const double *w = x + off;
    size_t nw = n - off;
    double tmp[STEPTEST_MAX_N];
    int dirs[2] = {+1, -1};
    size_t ndir = 0;
    for (int d = 0; d < 2; d++)
        if (o->direction == 0 || o->direction == dirs[d])
            ndir++;
    size_t splits = (nw - 2 * o->min_side + 1) * ndir;
    /* The change point: the split that best explains the series as two
     * levels, i.e. the largest between-segment sum of squares
     * k (n - k) / n (mean_after - mean_before)^2 on log values (positive
     * series) - the least-squares change point. Choosing the smallest p
     * instead favours balanced splits: a slightly high last "before" point
     * would be moved after the change, and attribution would then look at
     * the wrong interval. The test is then done at that split; the
     * Bonferroni factor still counts every split, since the data chose it. */
    int logs = 1;
    for (size_t i = 0; i < nw; i++)
        logs &= w[i] > 0;
    double lv[STEPTEST_MAX_N];
    for (size_t i = 0; i < nw; i++)
        lv[i] = logs ? log(w[i]) : w[i];
    double best_p = 2, best_bss = -1;
    for (size_t k = o->min_side; k + o->min_side <= nw; k++) {
        double mb = median_of(w, k, tmp), ma = median_of(w + k, nw - k, tmp);
        double sb = 0, sa = 0;
        for (size_t i = 0; i < k; i++)
            sb += lv[i];
        for (size_t i = k; i < nw; i++)
            sa += lv[i];
        double diff = sa / (double)(nw - k) - sb / (double)k;
        double bss = (double)k * (double)(nw - k) / (double)nw * diff * diff;
        double uu = u_up(w, k, w + k, nw - k);
        double full = (double)k * (double)(nw - k);
        for (int d = 0; d < 2; d++) {
            if (o->direction != 0 && o->direction != dirs[d])
                continue;
            double u = dirs[d] > 0 ? uu : full - uu;
            double p = steptest_mw_p(k, nw - k, u);
            if (!isfinite(p))
                return err_set(err, "steptest: out of memory for the U distribution");
            /* Only a split whose medians and means move the tested way may win. */
            if (!(dirs[d] > 0 ? ma > mb && diff > 0 : ma < mb && diff < 0))
                continue;
            if (bss > best_bss || (bss == best_bss && p < best_p)) {
                best_p = p;
                best_bss = bss;
                r->direction = dirs[d];
                r->change = off + k;
                r->n_before = k;
                r->n_after = nw - k;
                r->median_before = mb;
                r->median_after = ma;
                r->u = u;
            }
        }
    }
    r->offset = off;
    r->splits = splits;
    if (best_p > 1) /* no split moved in a tested direction */
        return 0;
    r->p_split = best_p;
    r->p = fmin(1.0, best_p * (double)splits);
    r->p_min = steptest_mw_p(r->n_before, r->n_after, 0);
    r->ratio =
        r->median_before > 0 && r->median_after > 0 ? r->median_after / r->median_before : NAN;
    double mag = r->direction > 0 ? r->ratio : 1 / r->ratio;
    r->found = r->p <= o->alpha && isfinite(mag) && mag >= o->min_ratio;
    return 0;
}
