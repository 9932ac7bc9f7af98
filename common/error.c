/* error.c - see error.h. */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(err_t *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int err_prefix(err_t *err, const char *fmt, ...)
{
    if (err) {
        char prefix[ERR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        size_t plen = (size_t)n < sizeof prefix ? (size_t)n : sizeof prefix - 1;
        size_t old = strnlen(err->msg, sizeof err->msg - 1);
        /* Keep as much of the old message as fits after the prefix. */
        if (plen + old > sizeof err->msg - 1)
            old = plen < sizeof err->msg - 1 ? sizeof err->msg - 1 - plen : 0;
        memmove(err->msg + plen, err->msg, old);
        memcpy(err->msg, prefix, plen);
        err->msg[plen + old] = '\0';
    }
    return -1;
}

void err_clear(err_t *err)
{
    if (err)
        err->msg[0] = '\0';
}
