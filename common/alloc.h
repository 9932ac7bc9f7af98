/*
 * alloc.h - the one allocation policy of pgopt: out of memory aborts.
 *
 * xmalloc/xcalloc/xrealloc/xstrdup/xstrndup/xasprintf never return NULL.
 * When the C library cannot provide the memory they print one line naming
 * the call and the size ("pgopt: out of memory allocating 4096 bytes
 * (xmalloc)") on stderr and abort(), as czmq's zmalloc does. Callers
 * therefore never test their result: a NULL check after an x* call is dead
 * code, and so is an "out of memory" error path.
 *
 * Why abort rather than return an error: every component is a short-lived
 * process (a coordinator run, a worker job) whose only sensible reaction to
 * an exhausted heap is to stop; four half-implemented recovery paths (a
 * static "", a NULL, a sticky flag, an error) were untested and each caller
 * handled them differently. A worker that aborts is seen by the coordinator
 * as a crashed agent, which it already reports.
 *
 * What is NOT out of memory: sizes that come from a peer or a file (a
 * msgpack length, a frame size). Decoders cap those BEFORE allocating and
 * report "too large" as an input error; only then do they call x*.
 *
 * Zero sizes: xmalloc(0) and xcalloc(0, n) return a unique non-NULL
 * pointer (one byte is allocated) so that a zero-length array never reads
 * as a failure. xcalloc also aborts when n * size overflows.
 */
#ifndef PGOPT_COMMON_ALLOC_H
#define PGOPT_COMMON_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
/* realloc(p, size); size 0 keeps one byte rather than freeing p. */
void *xrealloc(void *p, size_t size);
/* xrealloc of an array of n elements of size bytes, aborting on overflow. */
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
/* xstrdup(s), or NULL for NULL: optional strings copied as they are. */
char *xstrdup_or_null(const char *s);
/* The first n bytes of s (fewer if s ends before), NUL-terminated. */
char *xstrndup(const char *s, size_t n);
/* malloc()ed printf. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
