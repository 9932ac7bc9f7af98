/* numparse.c - see numparse.h. */
#include "common/numparse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Unsigned decimal digits at *p into *v; -1 when there are none or they
 * exceed limit. Advances *p past them. */
static int digits(const char **p, uint64_t limit, uint64_t *v)
{
    const char *s = *p;
    uint64_t r = 0;
    if (!isdigit((unsigned char)*s))
        return -1;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        if (r > (limit - d) / 10)
            return -1;
        r = r * 10 + d;
    }
    *p = s;
    *v = r;
    return 0;
}

int num_parse_int(const char *text, int64_t min, int64_t max, unsigned flags, int64_t *out,
                  err_t *err)
{
    const char *p = text ? text : "";
    int neg = 0;
    if (min < 0 && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    uint64_t v = 0;
    int ok = digits(&p, (uint64_t)INT64_MAX, &v) == 0;
    uint64_t mult = 1;
    if (ok && (flags & NUM_BYTE_SUFFIX) && *p) {
        switch (*p) {
        case 'k':
        case 'K':
            mult = 1024;
            break;
        case 'm':
        case 'M':
            mult = 1024 * 1024;
            break;
        case 'g':
        case 'G':
            mult = 1024 * 1024 * 1024;
            break;
        default:
            ok = 0;
        }
        p++;
    }
    ok = ok && *p == '\0' && v <= (uint64_t)INT64_MAX / mult;
    int64_t r = ok ? (int64_t)(v * mult) * (neg ? -1 : 1) : 0;
    if (!ok || r < min || r > max)
        return err_set(err, "expected %s from %lld to %lld%s, got '%s'",
                       (flags & NUM_BYTE_SUFFIX) ? "a byte count" : "an integer", (long long)min,
                       (long long)max,
                       (flags & NUM_BYTE_SUFFIX) ? " (suffix K, M or G allowed)" : "",
                       text ? text : "");
    *out = r;
    return 0;
}

void num_fmt_ms(int64_t ms, char out[32])
{
    if (ms < 1000 || ms % 1000 != 0)
        snprintf(out, 32, "%lld ms", (long long)ms);
    else if (ms < 3600000 || ms % 3600000 != 0)
        snprintf(out, 32, "%lld s", (long long)(ms / 1000));
    else if (ms < 86400000LL * 2)
        snprintf(out, 32, "%lld h", (long long)(ms / 3600000));
    else
        snprintf(out, 32, "%.1f days", (double)ms / 86400000.0);
}

int num_parse_duration_ms(const char *text, int64_t min_ms, int64_t max_ms, int64_t *out_ms,
                          err_t *err)
{
    const char *p = text ? text : "";
    uint64_t whole = 0, frac = 0, frac_scale = 1;
    int ok = digits(&p, (uint64_t)INT64_MAX, &whole) == 0;
    if (ok && *p == '.') {
        p++;
        /* milliseconds of an hour need 7 fraction digits at most; more are
         * read (so the text is accepted) but do not count */
        int n = 0;
        ok = isdigit((unsigned char)*p);
        for (; isdigit((unsigned char)*p); p++, n++)
            if (n < 9) {
                frac = frac * 10 + (uint64_t)(*p - '0');
                frac_scale *= 10;
            }
    }
    uint64_t scale = 0;
    if (ok) {
        if (*p == '\0' || strcmp(p, "s") == 0)
            scale = 1000;
        else if (strcmp(p, "ms") == 0)
            scale = 1;
        else if (strcmp(p, "m") == 0 || strcmp(p, "min") == 0)
            scale = 60000;
        else if (strcmp(p, "h") == 0)
            scale = 3600000;
        else
            ok = 0;
    }
    int64_t ms = 0;
    if (ok) {
        if (whole > (uint64_t)INT64_MAX / scale - 1) {
            ok = 0; /* far beyond any range: refused, never wrapped */
        } else {
            uint64_t part = (frac * scale + frac_scale / 2) / frac_scale;
            ms = (int64_t)(whole * scale + part);
        }
    }
    if (!ok || ms < min_ms || ms > max_ms) {
        char lo[32], hi[32];
        num_fmt_ms(min_ms, lo);
        num_fmt_ms(max_ms, hi);
        return err_set(err, "expected a duration from %s to %s (e.g. 30s, 500ms, 2m, 1h), got '%s'",
                       lo, hi, text ? text : "");
    }
    *out_ms = ms;
    return 0;
}
