/*
 * jsonout.c - see jsonout.h.
 *
 * One writer serves both outputs: text accumulates in a growable buffer;
 * for a FILE the buffer is flushed whenever it passes FLUSH_AT, so writing a
 * 256 MiB snapshot does not need a second copy of it in memory.
 */
#include "common/jsonout.h"

#include "common/alloc.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_AT    (64 * 1024)
#define MAX_NESTING 10000 /* guards the C stack against cyclic trees */

typedef struct {
    char *buf;
    size_t len;
    size_t cap;
    FILE *out;  /* NULL: keep everything in buf */
    int failed; /* a write error or a bad tree: later output is dropped */
    err_t *err;
} writer_t;

/* Makes room for extra more bytes in w->buf. */
static void grow(writer_t *w, size_t extra)
{
    if (w->len + extra <= w->cap)
        return;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + extra)
        cap *= 2;
    w->buf = xrealloc(w->buf, cap);
    w->cap = cap;
}

/* Writes the buffered text to the file (when writing to one) and empties the
 * buffer; a write error marks w failed with the reason. */
static void flush(writer_t *w)
{
    if (!w->out || w->failed || w->len == 0)
        return;
    if (fwrite(w->buf, 1, w->len, w->out) != w->len) {
        w->failed = 1;
        err_set(w->err, "writing JSON: %s", strerror(errno));
    }
    w->len = 0;
}

/* Appends n bytes, flushing to the file past FLUSH_AT; nothing once w
 * failed. */
static void put(writer_t *w, const char *s, size_t n)
{
    if (w->failed)
        return;
    grow(w, n);
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    if (w->out && w->len >= FLUSH_AT)
        flush(w);
}

static void puts_(writer_t *w, const char *s)
{
    put(w, s, strlen(s));
}

/* Appends s (n bytes) as a quoted JSON string: quotes, backslashes and
 * control characters escaped, other bytes (UTF-8) as they are. */
static void put_string(writer_t *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    put(w, "\"", 1);
    size_t run = 0; /* bytes copied verbatim in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[7];
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        default:
            if (c < 0x20 || c == 0x7f) {
                u[0] = '\\';
                u[1] = 'u';
                u[2] = '0';
                u[3] = '0';
                u[4] = hex[c >> 4];
                u[5] = hex[c & 15];
                u[6] = '\0';
                esc = u;
            }
        }
        if (esc) {
            put(w, s + i - run, run);
            run = 0;
            puts_(w, esc);
        } else {
            run++; /* UTF-8 passes through unchanged */
        }
    }
    put(w, s + n - run, run);
    put(w, "\"", 1);
}

void jsonout_double(double v, char buf[32])
{
    if (!isfinite(v)) {
        /* Not representable in JSON; the model never holds such values. */
        snprintf(buf, 32, "null");
        return;
    }
    static const char *const formats[] = {"%.15g", "%.16g", "%.17g"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(buf, 32, formats[i], v);
        double back = strtod(buf, NULL);
        if (memcmp(&back, &v, sizeof v) == 0)
            break;
    }
    /* A double must read back as a double: "2" would come back an integer. */
    if (strspn(buf, "-0123456789") == strlen(buf))
        strcat(buf, ".0");
}

/* In pretty mode, a newline and two spaces per level. */
static void newline(writer_t *w, int flags, int level)
{
    if (!(flags & JSONOUT_PRETTY))
        return;
    static const char spaces[] = "                                ";
    put(w, "\n", 1);
    size_t n = (size_t)level * 2;
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        put(w, spaces, k);
        n -= k;
    }
}

/* Appends v and everything in it; marks w failed (with the reason) on a tree
 * nested deeper than MAX_NESTING or a value of unknown type. */
static void write_value(writer_t *w, const json_t *v, int flags, int level)
{
    char num[32];
    if (w->failed)
        return;
    if (level > MAX_NESTING) {
        w->failed = 1;
        err_set(w->err, "writing JSON: nesting deeper than %d levels (cyclic tree?)", MAX_NESTING);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_NULL:
        puts_(w, "null");
        break;
    case JSON_TRUE:
        puts_(w, "true");
        break;
    case JSON_FALSE:
        puts_(w, "false");
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" PRId64, (int64_t)json_integer_value(v));
        puts_(w, num);
        break;
    case JSON_REAL:
        jsonout_double(json_real_value(v), num);
        puts_(w, num);
        break;
    case JSON_STRING:
        put_string(w, json_string_value(v), json_string_length(v));
        break;
    case JSON_ARRAY: {
        size_t n = json_array_size(v);
        put(w, "[", 1);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                put(w, ",", 1);
            newline(w, flags, level + 1);
            write_value(w, json_array_get(v, i), flags, level + 1);
        }
        if (n > 0)
            newline(w, flags, level);
        put(w, "]", 1);
        break;
    }
    case JSON_OBJECT: {
        put(w, "{", 1);
        int first = 1;
        for (void *it = json_object_iter((json_t *)v); it;
             it = json_object_iter_next((json_t *)v, it)) {
            if (!first)
                put(w, ",", 1);
            first = 0;
            newline(w, flags, level + 1);
            put_string(w, json_object_iter_key(it), json_object_iter_key_len(it));
            if (flags & JSONOUT_PRETTY)
                put(w, ": ", 2);
            else
                put(w, ":", 1);
            write_value(w, json_object_iter_value(it), flags, level + 1);
        }
        if (!first)
            newline(w, flags, level);
        put(w, "}", 1);
        break;
    }
    default:
        w->failed = 1;
        err_set(w->err, "writing JSON: value of unknown type");
    }
}

char *jsonout_string(const json_t *doc, int flags, err_t *err)
{
    writer_t w = {.err = err};
    if (!doc) {
        err_set(err, "writing JSON: no document");
        return NULL;
    }
    write_value(&w, doc, flags, 0);
    put(&w, "", 1); /* NUL terminator */
    if (w.failed) {
        free(w.buf);
        return NULL;
    }
    return w.buf;
}

int jsonout_file(FILE *out, const json_t *doc, int flags, err_t *err)
{
    writer_t w = {.err = err, .out = out};
    if (!doc)
        return err_set(err, "writing JSON: no document");
    write_value(&w, doc, flags, 0);
    if (flags & JSONOUT_PRETTY)
        put(&w, "\n", 1);
    flush(&w);
    free(w.buf);
    return w.failed ? -1 : 0;
}
