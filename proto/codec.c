/*
 * codec.c - see codec.h.
 *
 * The decoder is a recursive descent over the msgpack bytes. It never trusts a
 * declared length: before a container is created its element count is
 * compared with the bytes that remain (an element is at least one byte, a map
 * entry at least two) and with the value budget (max_items), so a hostile
 * 5-byte "map of 4294967295 entries" is refused before anything is allocated.
 * jansson grows arrays and objects as elements arrive, never by declared
 * size, so memory stays proportional to the bytes actually read.
 *
 * The path of the value being decoded is a chain of path_seg_t living on the
 * C stack (one per nesting level); it costs nothing until an error needs to
 * print it.
 */
#include "proto/codec.h"

#include <inttypes.h>
#include <math.h>
#include <msgpack.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const codec_limits_t CODEC_LIMITS_HEADER = {
    .max_bytes = 4096,
    .max_depth = 4,
    .max_str = 1024,
    .max_items = 256,
};

const codec_limits_t CODEC_LIMITS_DOCUMENT = {
    .max_bytes = (size_t)256 << 20,
    .max_depth = 32,
    .max_str = (size_t)32 << 20,
    .max_items = (size_t)16 << 20,
};

/* Nesting bound for the encoder, which has no limits argument: it only
 * protects the C stack against absurd (or cyclic) trees. Receivers enforce
 * their own, much smaller, depth. */
#define ENCODE_MAX_DEPTH 1000

/* ---- paths ------------------------------------------------------------ */

typedef struct path_seg {
    const struct path_seg *parent;
    const char *key; /* map member when non-NULL, else array index */
    size_t key_len;
    size_t index;
} path_seg_t;

/* Keys are printed at most this long in error paths; the message has to fit
 * in ERR_MSG_MAX together with the rest. */
#define PATH_KEY_SHOWN 48

static void path_append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Appends formatted text to the path buffer buf at *used, truncating at cap
 * and advancing *used. Cannot fail. */
static void path_append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
    if (*used >= cap - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n < cap - *used ? (size_t)n : cap - *used - 1;
}

/* Appends the path from the root down to seg (keys joined by '.', indexes as
 * [i], control bytes escaped, long keys cut) to buf at *used. */
static void path_render_rec(const path_seg_t *seg, char *buf, size_t cap, size_t *used)
{
    if (!seg)
        return;
    path_render_rec(seg->parent, buf, cap, used);
    if (seg->key) {
        if (*used > 0)
            path_append(buf, cap, used, ".");
        size_t shown = seg->key_len < PATH_KEY_SHOWN ? seg->key_len : PATH_KEY_SHOWN;
        for (size_t i = 0; i < shown; i++) {
            unsigned char c = (unsigned char)seg->key[i];
            /* Keys come from untrusted input: keep the message one clean line. */
            if (c < 0x20 || c == 0x7f)
                path_append(buf, cap, used, "\\x%02x", c);
            else
                path_append(buf, cap, used, "%c", c);
        }
        if (shown < seg->key_len)
            path_append(buf, cap, used, "...");
    } else {
        path_append(buf, cap, used, "[%zu]", seg->index);
    }
}

/* The path of seg for an error message ("$" for the root) into buf. */
static void path_render(const path_seg_t *seg, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    path_render_rec(seg, buf, cap, &used);
    if (used == 0)
        snprintf(buf, cap, "$");
}

/* ---- UTF-8 ------------------------------------------------------------ */

/* Returns the index of the first byte that is not part of a well-formed
 * UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF), or len when all is well. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        /* ASCII fast path, eight bytes at a time. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the 2nd byte */
        if (c >= 0xc2 && c <= 0xdf) {
            need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            need = 2;
            if (c == 0xe0)
                lo = 0xa0; /* overlong */
            else if (c == 0xed)
                hi = 0x9f; /* surrogates */
        } else if (c >= 0xf0 && c <= 0xf4) {
            need = 3;
            if (c == 0xf0)
                lo = 0x90; /* overlong */
            else if (c == 0xf4)
                hi = 0x8f; /* above U+10FFFF */
        } else {
            return i;
        }
        if (len - i - 1 < need)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= need; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
        i += need + 1;
    }
    return len;
}

/* ---- decoder ---------------------------------------------------------- */

typedef struct {
    const unsigned char *start;
    const unsigned char *p;
    const unsigned char *end;
    const codec_limits_t *lim;
    size_t items;
    err_t *err;
    codec_progress_fn progress; /* may be NULL */
    void *progress_arg;
} reader_t;

static int fail(reader_t *r, const unsigned char *at, const path_seg_t *seg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records a decode error in r->err as "offset N, at PATH: message" (nothing
 * when r->err is NULL). Always returns -1. */
static int fail(reader_t *r, const unsigned char *at, const path_seg_t *seg, const char *fmt, ...)
{
    if (!r->err)
        return -1;
    char path[200];
    char what[ERR_MSG_MAX];
    path_render(seg, path, sizeof path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return err_set(r->err, "offset %zu, at %s: %s", (size_t)(at - r->start), path, what);
}

static size_t remaining(const reader_t *r)
{
    return (size_t)(r->end - r->p);
}

/* Makes sure n more bytes are there; "what" names the thing being read. */
static int need(reader_t *r, const unsigned char *at, const path_seg_t *seg, size_t n,
                const char *what)
{
    if (remaining(r) < n)
        return fail(r, at, seg, "truncated: %s needs %zu more bytes but only %zu remain", what, n,
                    remaining(r));
    return 0;
}

static uint64_t load_be(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/* A short name for the msgpack type that starts with byte b. */
static const char *type_name_of(unsigned char b)
{
    if (b <= 0x7f || (b >= 0xcc && b <= 0xd3) || b >= 0xe0)
        return "integer";
    if (b <= 0x8f || b == 0xde || b == 0xdf)
        return "map";
    if (b <= 0x9f || b == 0xdc || b == 0xdd)
        return "array";
    if (b <= 0xbf || (b >= 0xd9 && b <= 0xdb))
        return "string";
    switch (b) {
    case 0xc0:
        return "nil";
    case 0xc2:
    case 0xc3:
        return "boolean";
    case 0xc4:
    case 0xc5:
    case 0xc6:
        return "bin";
    case 0xca:
    case 0xcb:
        return "float";
    case 0xc1:
        return "reserved byte 0xc1";
    default:
        return "ext";
    }
}

/* Reads the length of a str starting at its type byte (r->p is past it). */
static int str_length(reader_t *r, unsigned char b, const unsigned char *at, const path_seg_t *seg,
                      size_t *len)
{
    size_t width = 0;
    if (b >= 0xa0 && b <= 0xbf) {
        *len = b & 0x1f;
        return 0;
    }
    width = b == 0xd9 ? 1 : b == 0xda ? 2 : 4;
    if (need(r, at, seg, width, "string length") != 0)
        return -1;
    *len = (size_t)load_be(r->p, width);
    r->p += width;
    return 0;
}

/* Checks and consumes the bytes of a string or key of length len. */
static int str_body(reader_t *r, const unsigned char *at, const path_seg_t *seg, size_t len,
                    const char *what)
{
    if (len > r->lim->max_str)
        return fail(r, at, seg, "%s of %zu bytes exceeds the limit of %zu bytes", what, len,
                    r->lim->max_str);
    if (remaining(r) < len)
        return fail(r, at, seg, "truncated: %s of %zu bytes but only %zu bytes remain", what, len,
                    remaining(r));
    size_t bad = utf8_invalid_at(r->p, len);
    if (bad < len)
        return fail(r, r->p + bad, seg, "invalid UTF-8 in %s (byte 0x%02x at position %zu)", what,
                    r->p[bad], bad);
    return 0;
}

/* Counts one more value against the item budget and reports decoding
 * progress every CODEC_PROGRESS_EVERY values; -1 (r's error set) when the
 * budget is exceeded. */
static int count_item(reader_t *r, const unsigned char *at, const path_seg_t *seg)
{
    if (r->items >= r->lim->max_items)
        return fail(r, at, seg, "more than %zu values in the document", r->lim->max_items);
    r->items++;
    if (r->progress && (r->items & (CODEC_PROGRESS_EVERY - 1)) == 0)
        r->progress(r->progress_arg, (size_t)(at - r->start), (size_t)(r->end - r->start));
    return 0;
}

static int decode_value(reader_t *r, const path_seg_t *seg, size_t depth, json_t **out);

/* An array of n elements whose header at was just read: *out a JSON array of
 * the decoded elements; -1 (r's error set) when too deep, when n exceeds the
 * bytes left or the item budget, or when an element fails. */
static int decode_array(reader_t *r, const unsigned char *at, const path_seg_t *seg, size_t depth,
                        size_t n, json_t **out)
{
    if (depth > r->lim->max_depth)
        return fail(r, at, seg, "nesting deeper than %zu levels", r->lim->max_depth);
    if (n > remaining(r))
        return fail(r, at, seg, "declared array of %zu elements but only %zu bytes remain", n,
                    remaining(r));
    if (n > r->lim->max_items - r->items)
        return fail(r, at, seg, "declared array of %zu elements exceeds the limit of %zu values", n,
                    r->lim->max_items);
    json_t *arr = json_array();
    if (!arr)
        return fail(r, at, seg, "out of memory");
    for (size_t i = 0; i < n; i++) {
        path_seg_t child = {.parent = seg, .key = NULL, .key_len = 0, .index = i};
        json_t *v = NULL;
        if (decode_value(r, &child, depth + 1, &v) != 0) {
            json_decref(arr);
            return -1;
        }
        if (json_array_append_new(arr, v) != 0) {
            json_decref(arr);
            return fail(r, at, seg, "out of memory");
        }
    }
    *out = arr;
    return 0;
}

/* A map of n pairs whose header at was just read: *out a JSON object; -1
 * (r's error set) when too deep, over the budgets, or on a key that is not a
 * string, holds a NUL byte or repeats. */
static int decode_map(reader_t *r, const unsigned char *at, const path_seg_t *seg, size_t depth,
                      size_t n, json_t **out)
{
    if (depth > r->lim->max_depth)
        return fail(r, at, seg, "nesting deeper than %zu levels", r->lim->max_depth);
    if ((uint64_t)n * 2 > remaining(r))
        return fail(r, at, seg, "declared map of %zu entries but only %zu bytes remain", n,
                    remaining(r));
    if ((uint64_t)n * 2 > r->lim->max_items - r->items)
        return fail(r, at, seg,
                    "declared map of %zu entries exceeds the limit of %zu values (keys count)", n,
                    r->lim->max_items);
    json_t *obj = json_object();
    if (!obj)
        return fail(r, at, seg, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const unsigned char *key_at = r->p;
        if (need(r, key_at, seg, 1, "map key") != 0)
            goto fail;
        unsigned char b = *r->p;
        if (!((b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb))) {
            fail(r, key_at, seg, "map key must be a string, got %s", type_name_of(b));
            goto fail;
        }
        if (count_item(r, key_at, seg) != 0)
            goto fail;
        r->p++;
        size_t klen;
        if (str_length(r, b, key_at, seg, &klen) != 0 || str_body(r, key_at, seg, klen, "key") != 0)
            goto fail;
        const char *key = (const char *)r->p;
        r->p += klen;
        if (memchr(key, '\0', klen)) {
            /* JSON readers (jansson included) cannot hold such keys, and the
             * model must survive msgpack -> JSON -> msgpack. */
            fail(r, key_at, seg, "map key contains a NUL byte");
            goto fail;
        }
        path_seg_t child = {.parent = seg, .key = key, .key_len = klen, .index = 0};
        json_t *v = NULL;
        if (decode_value(r, &child, depth + 1, &v) != 0)
            goto fail;
        /* One hash lookup: setn replaces an existing member, so a size that
         * did not grow means the key was there already. */
        size_t before = json_object_size(obj);
        if (json_object_setn_new_nocheck(obj, key, klen, v) != 0) {
            fail(r, key_at, seg, "out of memory");
            goto fail;
        }
        if (json_object_size(obj) == before) {
            fail(r, key_at, &child, "duplicate key");
            goto fail;
        }
    }
    *out = obj;
    return 0;
fail:
    json_decref(obj);
    return -1;
}

/* A float32 (0xca) or float64 (0xcb) whose type byte at was just read:
 * *out a JSON real; -1 (r's error set) when truncated or not finite. */
static int decode_float(reader_t *r, const unsigned char *at, const path_seg_t *seg,
                        unsigned char b, json_t **out)
{
    size_t width = b == 0xca ? 4 : 8;
    if (need(r, at, seg, width, "float") != 0)
        return -1;
    uint64_t bits = load_be(r->p, width);
    double d;
    if (width == 4) {
        uint32_t b32 = (uint32_t)bits;
        float f;
        memcpy(&f, &b32, sizeof f);
        d = f;
    } else {
        memcpy(&d, &bits, sizeof d);
    }
    if (!isfinite(d))
        return fail(r, at, seg, "%s is not a finite number (JSON has no NaN or Infinity)",
                    isnan(d) ? "NaN" : "Infinity");
    r->p += width;
    *out = json_real(d);
    return 0;
}

/* A uint8..uint64 (0xcc-0xcf) or int8..int64 (0xd0-0xd3) whose type byte
 * at was just read: *out a JSON integer; -1 (r's error set) when truncated
 * or, unsigned, above INT64_MAX (jansson's integers are int64). */
static int decode_int(reader_t *r, const unsigned char *at, const path_seg_t *seg, unsigned char b,
                      json_t **out)
{
    int is_signed = b >= 0xd0;
    size_t width = (size_t)1 << (b - (is_signed ? 0xd0 : 0xcc));
    if (need(r, at, seg, width, "integer") != 0)
        return -1;
    uint64_t u = load_be(r->p, width);
    if (!is_signed) {
        if (u > (uint64_t)INT64_MAX)
            return fail(r, at, seg, "integer %" PRIu64 " is outside the int64 range", u);
        r->p += width;
        *out = json_integer((json_int_t)u);
        return 0;
    }
    int64_t v;
    /* Sign-extend from the encoded width. */
    if (width < 8 && (u >> (width * 8 - 1)) & 1)
        u |= ~UINT64_C(0) << (width * 8);
    memcpy(&v, &u, sizeof v);
    r->p += width;
    *out = json_integer((json_int_t)v);
    return 0;
}

/* Decodes the value at r->p (and, for containers, everything inside it)
 * into *out, counting it against the item budget; seg is its path for
 * error messages. -1 with r's error set (what, at which offset and path)
 * on any malformed, disallowed or over-limit input. */
static int decode_value(reader_t *r, const path_seg_t *seg, size_t depth, json_t **out)
{
    const unsigned char *at = r->p;
    if (r->p >= r->end)
        return fail(r, at, seg, "truncated: expected a value but the input ends");
    if (count_item(r, at, seg) != 0)
        return -1;
    unsigned char b = *r->p++;

    if (b <= 0x7f) {
        *out = json_integer(b);
    } else if (b >= 0xe0) {
        *out = json_integer((int8_t)b);
    } else if (b <= 0x8f) {
        return decode_map(r, at, seg, depth, b & 0x0f, out);
    } else if (b <= 0x9f) {
        return decode_array(r, at, seg, depth, b & 0x0f, out);
    } else if (b <= 0xbf || (b >= 0xd9 && b <= 0xdb)) {
        size_t len;
        if (str_length(r, b, at, seg, &len) != 0 || str_body(r, at, seg, len, "string") != 0)
            return -1;
        *out = json_stringn_nocheck((const char *)r->p, len);
        r->p += len;
    } else {
        switch (b) {
        case 0xc0:
            *out = json_null();
            break;
        case 0xc2:
            *out = json_false();
            break;
        case 0xc3:
            *out = json_true();
            break;
        case 0xca:
        case 0xcb:
            if (decode_float(r, at, seg, b, out) != 0)
                return -1;
            break;
        case 0xcc:
        case 0xcd:
        case 0xce:
        case 0xcf:
        case 0xd0:
        case 0xd1:
        case 0xd2:
        case 0xd3:
            if (decode_int(r, at, seg, b, out) != 0)
                return -1;
            break;
        case 0xdc:
        case 0xdd:
        case 0xde:
        case 0xdf: {
            size_t width = (b == 0xdc || b == 0xde) ? 2 : 4;
            int is_map = b >= 0xde;
            if (need(r, at, seg, width, is_map ? "map length" : "array length") != 0)
                return -1;
            size_t n = (size_t)load_be(r->p, width);
            r->p += width;
            return is_map ? decode_map(r, at, seg, depth, n, out)
                          : decode_array(r, at, seg, depth, n, out);
        }
        case 0xc4:
        case 0xc5:
        case 0xc6:
            return fail(r, at, seg,
                        "bin (byte string, type 0x%02x) is not allowed: the model has text "
                        "strings only",
                        b);
        case 0xc7:
        case 0xc8:
        case 0xc9:
        case 0xd4:
        case 0xd5:
        case 0xd6:
        case 0xd7:
        case 0xd8:
            return fail(r, at, seg, "ext type (0x%02x) is not allowed", b);
        default: /* 0xc1 */
            return fail(r, at, seg, "byte 0x%02x is not a msgpack type", b);
        }
    }
    if (!*out)
        return fail(r, at, seg, "out of memory");
    return 0;
}

/* What follows the msgpack type byte b, for the counting pass: *skip bytes
 * of payload, then *lenbytes bytes of a big-endian length (more payload, or
 * the element count of an array/map), and *n elements (*children 1) or *n
 * key/value pairs (*children 2) of a fixarray/fixmap. The outputs start at
 * 0. -1 for 0xc1, which is no msgpack type. */
static int type_shape(unsigned char b, size_t *skip, size_t *lenbytes, size_t *n, int *children)
{
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
        return 0;
    } else if (b <= 0x8f) {
        *n = b & 0x0f, *children = 2;
    } else if (b <= 0x9f) {
        *n = b & 0x0f, *children = 1;
    } else if (b <= 0xbf) {
        *skip = b & 0x1f;
    } else {
        switch (b) {
        case 0xc4:
        case 0xd9:
            *lenbytes = 1;
            break; /* bin8, str8 */
        case 0xc5:
        case 0xda:
            *lenbytes = 2;
            break; /* bin16, str16 */
        case 0xc6:
        case 0xdb:
            *lenbytes = 4;
            break; /* bin32, str32 */
        case 0xc7:
            *lenbytes = 1, *skip = 1;
            break; /* ext8 + type */
        case 0xc8:
            *lenbytes = 2, *skip = 1;
            break;
        case 0xc9:
            *lenbytes = 4, *skip = 1;
            break;
        case 0xca:
            *skip = 4;
            break;
        case 0xcb:
            *skip = 8;
            break;
        case 0xcc:
        case 0xd0:
            *skip = 1;
            break;
        case 0xcd:
        case 0xd1:
            *skip = 2;
            break;
        case 0xce:
        case 0xd2:
            *skip = 4;
            break;
        case 0xcf:
        case 0xd3:
            *skip = 8;
            break;
        case 0xd4:
            *skip = 2;
            break; /* fixext 1..16 + type */
        case 0xd5:
            *skip = 3;
            break;
        case 0xd6:
            *skip = 5;
            break;
        case 0xd7:
            *skip = 9;
            break;
        case 0xd8:
            *skip = 17;
            break;
        case 0xdc:
            *lenbytes = 2, *children = 1;
            break;
        case 0xdd:
            *lenbytes = 4, *children = 1;
            break;
        case 0xde:
            *lenbytes = 2, *children = 2;
            break;
        case 0xdf:
            *lenbytes = 4, *children = 2;
            break;
        default:
            return -1; /* 0xc1 */
        }
    }
    return 0;
}

/* Counts the values of the document without building anything, and
 * returns the address of the first value beyond max_items, or NULL when
 * there are not that many (or the bytes end or go wrong first: the
 * decoding pass then says where and why). The decoder checks the budget as
 * it builds, but a document of many small containers passes each declared
 * count and gets refused only after max_items values are in memory (830 MB
 * for 16M values); this pass refuses it before the first allocation. Each
 * value takes at least one byte, so it runs only when len > max_items, and
 * pending (values announced, not yet seen) never exceeds the bytes left. */
static const unsigned char *beyond_item_budget(const unsigned char *p, const unsigned char *end,
                                               size_t max_items, int *kind, size_t *declared)
{
    *kind = 0; /* the running total; 1, 2: an array's, a map's declared size */
    size_t pending = 1, items = 0;
    while (pending > 0) {
        if (p >= end || pending > (size_t)(end - p))
            return NULL;
        const unsigned char *at = p;
        unsigned char b = *p++;
        pending--;
        if (++items > max_items)
            return at;
        size_t left = (size_t)(end - p), skip = 0, n = 0, lenbytes = 0;
        int children = 0; /* 1: n elements follow, 2: n key/value pairs */
        if (type_shape(b, &skip, &lenbytes, &n, &children) != 0)
            return NULL; /* 0xc1: the decoding pass names it */
        if (lenbytes) {
            if (left < lenbytes)
                return NULL;
            size_t v = (size_t)load_be(p, lenbytes);
            p += lenbytes;
            left -= lenbytes;
            if (children)
                n = v;
            else
                skip += v;
        }
        if (children) {
            /* bounded by the bytes left, so pending cannot overflow */
            if (n > left || (children == 2 && n > left / 2))
                return NULL;
            /* as the decoding pass words it: the declaration alone is over */
            if ((children == 2 ? 2 * n : n) > max_items - items) {
                *kind = children;
                *declared = n;
                return at;
            }
            pending += children == 2 ? 2 * n : n;
        } else {
            if (skip > left)
                return NULL;
            p += skip;
        }
    }
    return NULL;
}

int codec_decode(const void *buf, size_t len, const codec_limits_t *limits, json_t **out,
                 err_t *err)
{
    return codec_decode_progress(buf, len, limits, out, err, NULL, NULL);
}

/* codec_decode with a progress callback (see codec.h): checks the size and
 * item limits, decodes one document and refuses trailing bytes. Returns 0
 * with *out set, or -1 with *out NULL and err naming the offset and path. */
int codec_decode_progress(const void *buf, size_t len, const codec_limits_t *limits, json_t **out,
                          err_t *err, codec_progress_fn progress, void *progress_arg)
{
    *out = NULL;
    reader_t r = {
        .start = buf,
        .p = buf,
        .end = (const unsigned char *)buf + len,
        .lim = limits,
        .items = 0,
        .err = err,
        .progress = progress,
        .progress_arg = progress_arg,
    };
    if (len > limits->max_bytes)
        return fail(&r, r.p, NULL, "frame of %zu bytes exceeds the limit of %zu bytes", len,
                    limits->max_bytes);
    if (len == 0)
        return fail(&r, r.p, NULL, "empty input");
    if (len > limits->max_items) {
        int kind;
        size_t n = 0;
        const unsigned char *over = beyond_item_budget(r.p, r.end, limits->max_items, &kind, &n);
        if (over && kind == 1)
            return fail(&r, over, NULL,
                        "declared array of %zu elements exceeds the limit of %zu values", n,
                        limits->max_items);
        if (over && kind == 2)
            return fail(&r, over, NULL,
                        "declared map of %zu entries exceeds the limit of %zu values (keys count)",
                        n, limits->max_items);
        if (over)
            return fail(&r, over, NULL,
                        "more than %zu values in the document (counted before decoding)",
                        limits->max_items);
    }
    json_t *doc = NULL;
    if (decode_value(&r, NULL, 1, &doc) != 0)
        return -1;
    if (r.p != r.end) {
        json_decref(doc);
        return fail(&r, r.p, NULL, "%zu trailing bytes after the end of the document",
                    remaining(&r));
    }
    *out = doc;
    return 0;
}

const char *codec_type_name(const json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT:
        return "map";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "double";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    default:
        return "null";
    }
}

/* ---- encoder ---------------------------------------------------------- */

typedef struct {
    msgpack_packer pk;
    err_t *err;
} writer_t;

static int enc_fail(writer_t *w, const path_seg_t *seg, const char *what)
{
    char path[200];
    path_render(seg, path, sizeof path);
    return err_set(w->err, "encoding msgpack, at %s: %s", path, what);
}

/* Packs v (and what it contains) onto w's packer; seg is its path for
 * errors. -1 (w's error set) on a non-finite real, a key with a NUL byte,
 * nesting deeper than 1000 levels or a packer failure. */
static int encode_value(writer_t *w, const json_t *v, const path_seg_t *seg, int depth)
{
    msgpack_packer *pk = &w->pk;
    int rc;
    switch (json_typeof(v)) {
    case JSON_NULL:
        rc = msgpack_pack_nil(pk);
        break;
    case JSON_TRUE:
        rc = msgpack_pack_true(pk);
        break;
    case JSON_FALSE:
        rc = msgpack_pack_false(pk);
        break;
    case JSON_INTEGER:
        rc = msgpack_pack_int64(pk, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL: {
        double d = json_real_value(v);
        if (!isfinite(d))
            return enc_fail(w, seg, "not a finite number");
        rc = msgpack_pack_double(pk, d);
        break;
    }
    case JSON_STRING: {
        size_t n = json_string_length(v);
        rc = msgpack_pack_str(pk, n);
        if (rc == 0)
            rc = msgpack_pack_str_body(pk, json_string_value(v), n);
        break;
    }
    case JSON_ARRAY: {
        if (depth > ENCODE_MAX_DEPTH)
            return enc_fail(w, seg, "nesting deeper than 1000 levels (cyclic tree?)");
        size_t n = json_array_size(v);
        rc = msgpack_pack_array(pk, n);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            path_seg_t child = {.parent = seg, .key = NULL, .key_len = 0, .index = i};
            if (encode_value(w, json_array_get(v, i), &child, depth + 1) != 0)
                return -1;
        }
        break;
    }
    case JSON_OBJECT: {
        if (depth > ENCODE_MAX_DEPTH)
            return enc_fail(w, seg, "nesting deeper than 1000 levels (cyclic tree?)");
        rc = msgpack_pack_map(pk, json_object_size(v));
        /* jansson iterates objects in insertion order: map order survives. */
        for (void *it = json_object_iter((json_t *)v); rc == 0 && it;
             it = json_object_iter_next((json_t *)v, it)) {
            const char *key = json_object_iter_key(it);
            size_t klen = json_object_iter_key_len(it);
            path_seg_t child = {.parent = seg, .key = key, .key_len = klen, .index = 0};
            if (memchr(key, '\0', klen))
                return enc_fail(w, &child, "map key contains a NUL byte");
            rc = msgpack_pack_str(pk, klen);
            if (rc == 0)
                rc = msgpack_pack_str_body(pk, key, klen);
            if (rc == 0 && encode_value(w, json_object_iter_value(it), &child, depth + 1) != 0)
                return -1;
        }
        break;
    }
    default:
        return enc_fail(w, seg, "value of unknown type");
    }
    if (rc != 0)
        return enc_fail(w, seg, "out of memory");
    return 0;
}

int codec_encode(const json_t *doc, char **buf, size_t *len, err_t *err)
{
    *buf = NULL;
    *len = 0;
    if (!doc)
        return err_set(err, "encoding msgpack: no document");
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init(&sbuf);
    writer_t w = {.err = err};
    msgpack_packer_init(&w.pk, &sbuf, msgpack_sbuffer_write);
    if (encode_value(&w, doc, NULL, 1) != 0) {
        msgpack_sbuffer_destroy(&sbuf);
        return -1;
    }
    *len = sbuf.size;
    *buf = msgpack_sbuffer_release(&sbuf);
    return 0;
}
