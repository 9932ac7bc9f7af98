/*
 * ai_stats.c - robust statistics for the ai_tuning agent: median, MAD,
 * quantiles, Theil-Sen regression with Sen's interval, k-means++.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workers/ai_tuning/ai_internal.h"

#include "common/alloc.h"
#include "common/clock.h"

/* Quickselect: the k-th smallest of v[0..n) (reorders v). */
static double select_kth(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

double ai_median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double a = select_kth(v, n, n / 2);
    if (n % 2)
        return a;
    double b = select_kth(v, n, n / 2 - 1);
    return (a + b) / 2;
}

double ai_mad(const double *v, size_t n, double med)
{
    if (n == 0)
        return NAN;
    double *d = xmalloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = fabs(v[i] - med);
    double m = ai_median(d, n);
    free(d);
    return m;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double ai_quantile(double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    double pos = q * (double)(n - 1);
    size_t i = (size_t)floor(pos);
    if (i + 1 >= n)
        return v[n - 1];
    double f = pos - (double)i;
    return v[i] * (1 - f) + v[i + 1] * f;
}

int ai_theil_sen(const double *x, const double *y, size_t n, double *slope, double *intercept,
                 double *lo, double *hi)
{
    /* Pairs grow as n^2: an even subsample of 400 points keeps it at 80k
     * slopes, plenty for a 95% interval. */
    size_t m = n > 400 ? 400 : n;
    if (m < 3)
        return -1;
    double *xs = xmalloc(m * sizeof *xs), *ys = xmalloc(m * sizeof *ys);
    size_t np = m * (m - 1) / 2;
    double *s = xmalloc(np * sizeof *s);
    for (size_t i = 0; i < m; i++) {
        size_t j = m == n ? i : (size_t)((double)i * (double)(n - 1) / (double)(m - 1));
        xs[i] = x[j];
        ys[i] = y[j];
    }
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m; j++)
            if (xs[j] != xs[i])
                s[k++] = (ys[j] - ys[i]) / (xs[j] - xs[i]);
    if (k < 2) {
        free(xs);
        free(ys);
        free(s);
        return -1;
    }
    qsort(s, k, sizeof *s, cmp_double);
    *slope = k % 2 ? s[k / 2] : (s[k / 2 - 1] + s[k / 2]) / 2;
    /* Sen (1968): the interval's ranks from the Mann-Kendall variance. */
    double var = (double)m * (double)(m - 1) * (2.0 * (double)m + 5) / 18.0;
    double c = 1.96 * sqrt(var);
    double l = ((double)k - c) / 2, u = ((double)k + c) / 2;
    size_t li = l < 0 ? 0 : (size_t)floor(l), ui = u >= (double)k ? k - 1 : (size_t)ceil(u);
    *lo = s[li];
    *hi = s[ui];
    for (size_t i = 0; i < m; i++)
        xs[i] = ys[i] - *slope * xs[i];
    *intercept = ai_median(xs, m);
    free(xs);
    free(ys);
    free(s);
    return 0;
}

/* xorshift32: a fixed, portable generator so clusters do not change with the
 * C library's rand(). */
static uint32_t next_rand(uint32_t *s)
{
    uint32_t x = *s ? *s : 2463534242u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static double dist2(const double *a, const double *b, size_t d)
{
    double s = 0;
    for (size_t i = 0; i < d; i++)
        s += (a[i] - b[i]) * (a[i] - b[i]);
    return s;
}

double ai_kmeans(const double *pts, size_t n, size_t d, size_t k, unsigned seed, int *labels,
                 double *cent)
{
    uint32_t rs = seed ? seed : 42;
    if (k == 0 || n == 0)
        return NAN;
    double *best = xmalloc(n * sizeof *best);
    /* k-means++ seeding: each next centre drawn with probability
     * proportional to the squared distance to the nearest chosen one. */
    memcpy(cent, pts + (next_rand(&rs) % n) * d, d * sizeof *cent);
    for (size_t i = 0; i < n; i++)
        best[i] = dist2(pts + i * d, cent, d);
    for (size_t c = 1; c < k; c++) {
        double total = 0;
        for (size_t i = 0; i < n; i++)
            total += best[i];
        size_t pick = 0;
        if (total > 0) {
            double r = (double)next_rand(&rs) / 4294967296.0 * total, acc = 0;
            for (pick = 0; pick < n - 1; pick++) {
                acc += best[pick];
                if (acc > r)
                    break;
            }
        } else {
            pick = next_rand(&rs) % n;
        }
        memcpy(cent + c * d, pts + pick * d, d * sizeof *cent);
        for (size_t i = 0; i < n; i++) {
            double dd = dist2(pts + i * d, cent + c * d, d);
            if (dd < best[i])
                best[i] = dd;
        }
    }
    /* Lloyd iterations until no label changes. */
    for (size_t i = 0; i < n; i++)
        labels[i] = -1;
    double wss = 0;
    for (int iter = 0; iter < 100; iter++) {
        int changed = 0;
        wss = 0;
        for (size_t i = 0; i < n; i++) {
            int bl = 0;
            double bd = INFINITY;
            for (size_t c = 0; c < k; c++) {
                double dd = dist2(pts + i * d, cent + c * d, d);
                if (dd < bd) {
                    bd = dd;
                    bl = (int)c;
                }
            }
            wss += bd;
            if (labels[i] != bl) {
                labels[i] = bl;
                changed = 1;
            }
        }
        if (!changed)
            break;
        for (size_t c = 0; c < k; c++) {
            size_t cnt = 0;
            double *ce = cent + c * d;
            double acc[16] = {0};
            for (size_t i = 0; i < n; i++)
                if (labels[i] == (int)c) {
                    cnt++;
                    for (size_t j = 0; j < d && j < 16; j++)
                        acc[j] += pts[i * d + j];
                }
            if (cnt)
                for (size_t j = 0; j < d && j < 16; j++)
                    ce[j] = acc[j] / (double)cnt;
        }
    }
    free(best);
    return wss;
}

int ai_parse_time(const char *text, double *epoch)
{
    return clock_parse_iso8601(text, epoch, NULL);
}

void ai_format_time(double t, char *buf, size_t len)
{
    time_t tt = (time_t)floor(t);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ai_format_date(double t, char *buf, size_t len)
{
    time_t tt = (time_t)floor(t);
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, len, "%Y-%m-%d", &tm);
}
