/*
 * strbuf.h - a growable NUL-terminated string for building text (reports,
 * SQL scripts). Appends never fail loudly: on out of memory the buffer
 * remembers it (failed) and ignores later appends, so a builder can append
 * freely and check once at the end.
 *
 *   strbuf_t b = {0};
 *   strbuf_printf(&b, "%d rows", n);
 *   char *s = strbuf_take(&b);   // or strbuf_free(&b)
 */
#ifndef PGOPT_COMMON_STRBUF_H
#define PGOPT_COMMON_STRBUF_H

#include <stddef.h>

typedef struct {
    char *buf;
    size_t len, cap;
    int failed; /* out of memory: later appends are ignored */
} strbuf_t;

void strbuf_add(strbuf_t *b, const char *s);
void strbuf_addn(strbuf_t *b, const char *s, size_t n);
void strbuf_addc(strbuf_t *b, char c);
void strbuf_printf(strbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" when empty); stays owned by b. */
const char *strbuf_str(const strbuf_t *b);
/* Hands the buffer to the caller (malloc()ed, never NULL unless out of memory). */
char *strbuf_take(strbuf_t *b);
void strbuf_free(strbuf_t *b);

#endif
