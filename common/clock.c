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
