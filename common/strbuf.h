/*
 * strbuf.h - a growable NUL-terminated string for building text (reports,
 * SQL scripts). Appends cannot fail: memory comes from common/alloc.h, which
 * aborts when it runs out, so a builder appends freely and takes the text.
 *
 *   strbuf_t b = {0};
 *   strbuf_printf(&b, "%d rows", n);
 *   char *s = strbuf_take(&b);   // or strbuf_free(&b)
 */
#ifndef PGOPT_COMMON_STRBUF_H
#define PGOPT_COMMON_STRBUF_H

#include <stddef.h>

typedef struct {
    char *buf; /* NULL until the first append */
    size_t len, cap;
} strbuf_t;

/* Appends s (nothing when s is NULL). */
void strbuf_add(strbuf_t *b, const char *s);
/* Appends the n bytes at s (nothing when s is NULL). */
void strbuf_addn(strbuf_t *b, const char *s, size_t n);
void strbuf_addc(strbuf_t *b, char c);
void strbuf_printf(strbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty); stays owned by b. */
const char *strbuf_str(const strbuf_t *b);
/* Hands the buffer to the caller (malloc()ed, "" when empty, never NULL) and
 * leaves b empty. */
char *strbuf_take(strbuf_t *b);
void strbuf_free(strbuf_t *b);

#endif
