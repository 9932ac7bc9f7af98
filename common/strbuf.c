/* strbuf.c - see strbuf.h. */
#include "common/strbuf.h"

#include "common/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_addn(strbuf_t *b, const char *s, size_t n)
{
    if (!s)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->buf = xrealloc(b->buf, cap);
        b->cap = cap;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

void strbuf_addc(strbuf_t *b, char c)
{
    strbuf_addn(b, &c, 1);
}

void strbuf_add(strbuf_t *b, const char *s)
{
    if (s)
        strbuf_addn(b, s, strlen(s));
}

void strbuf_printf(strbuf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    strbuf_add(b, s);
    free(s);
}

const char *strbuf_str(const strbuf_t *b)
{
    return b->buf ? b->buf : "";
}

char *strbuf_take(strbuf_t *b)
{
    char *s = b->buf ? b->buf : xstrdup("");
    b->buf = NULL;
    b->len = b->cap = 0;
    return s;
}

void strbuf_free(strbuf_t *b)
{
    free(b->buf);
    b->buf = NULL;
    b->len = b->cap = 0;
}
