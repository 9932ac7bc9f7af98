/* clock.c - see clock.h. */
#include "common/clock.h"

#include "common/numparse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int64_t clock_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

double clock_mono_ms_precise(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void clock_iso8601_now(char *buf, size_t len)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)(tv.tv_usec / 1000));
}

int64_t clock_parse_duration_ms(const char *text)
{
    int64_t ms;
    if (num_parse_duration_ms(text, 0, 1000000000000000LL, &ms, NULL) != 0)
        return -1;
    return ms;
}

int64_t clock_add_ms(int64_t t, int64_t ms)
{
    if (ms > 0 && t > INT64_MAX - ms)
        return INT64_MAX;
    if (ms < 0 && t < INT64_MIN - ms)
        return INT64_MIN;
    return t + ms;
}

int clock_parse_iso8601(const char *text, double *epoch, err_t *err)
{
    if (!text)
        return err_set(err, "time missing");
    int Y, M, D, h, m;
    double s;
    int n = 0;
    if (sscanf(text, "%4d-%2d-%2d%*1[T ]%2d:%2d:%lf%n", &Y, &M, &D, &h, &m, &s, &n) != 6)
        return err_set(err, "bad time '%s' (expected ISO-8601, e.g. 2024-05-01T10:00:00Z)", text);
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || s < 0 || s >= 61)
        return err_set(err, "bad time '%s': field out of range", text);
    const char *tz = text + n;
    int off_s = 0;
    if (*tz == 'Z' || *tz == 'z') {
        tz++;
    } else if (*tz == '+' || *tz == '-') {
        int oh = 0, om = 0, k = 0;
        if (sscanf(tz + 1, "%2d:%2d%n", &oh, &om, &k) == 2 ||
            sscanf(tz + 1, "%2d%2d%n", &oh, &om, &k) == 2)
            off_s = (oh * 3600 + om * 60) * (*tz == '-' ? -1 : 1);
        else if (sscanf(tz + 1, "%2d%n", &oh, &k) == 1)
            off_s = oh * 3600 * (*tz == '-' ? -1 : 1);
        else
            return err_set(err, "bad time zone in '%s'", text);
        tz += 1 + k;
    }
    if (*tz)
        return err_set(err, "bad time '%s': trailing '%s'", text, tz);
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = Y - 1900;
    tm.tm_mon = M - 1;
    tm.tm_mday = D;
    tm.tm_hour = h;
    tm.tm_min = m;
    time_t t = timegm(&tm);
    *epoch = (double)t + s - off_s;
    return 0;
}
