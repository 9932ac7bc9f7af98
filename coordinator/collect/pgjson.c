/* pgjson.c - see pgjson.h. */
#include "coordinator/collect/pgjson.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"

/* Built-in type OIDs (src/include/catalog/pg_type.dat); stable across
 * PostgreSQL releases, so no catalog lookup is needed. */
enum {
    OID_BOOL = 16,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_OID = 26,
    OID_XID = 28,
    OID_JSON = 114,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
    OID_BOOL_ARRAY = 1000,
    OID_CHAR_ARRAY = 1002,
    OID_NAME_ARRAY = 1003,
    OID_INT2_ARRAY = 1005,
    OID_INT4_ARRAY = 1007,
    OID_TEXT_ARRAY = 1009,
    OID_VARCHAR_ARRAY = 1015,
    OID_INT8_ARRAY = 1016,
    OID_FLOAT4_ARRAY = 1021,
    OID_FLOAT8_ARRAY = 1022,
    OID_OID_ARRAY = 1028,
    OID_TIMESTAMP = 1114,
    OID_TIMESTAMPTZ = 1184,
    OID_NUMERIC_ARRAY = 1231,
    OID_NUMERIC = 1700,
    OID_ANYARRAY = 2277,
    OID_JSONB = 3802,
};

/* Length of the valid UTF-8 sequence starting at s (at most n bytes), or 0
 * when the bytes there are not one. Rejects overlongs, surrogates and code
 * points above U+10FFFF, like jansson does. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

json_t *pgjson_string(const char *s, size_t len, pgjson_stats_t *stats)
{
    json_t *v = json_stringn(s, len);
    if (v)
        return v;
    /* Invalid UTF-8 (or an embedded NUL, which PostgreSQL text cannot hold):
     * keep what is readable rather than dropping the value. */
    char *buf = xmalloc(len * 3 + 1);
    size_t o = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t l = u[i] == 0 ? 0 : utf8_seq_len(u + i, len - i);
        if (l == 0) {
            memcpy(buf + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(buf + o, u + i, l);
            o += l;
            i += l;
        }
    }
    v = json_stringn(buf, o);
    free(buf);
    if (v && stats)
        stats->repaired_strings++;
    return v;
}

/* A whole decimal integer into a JSON integer. -1 when s is not one or is out of range. */
static int parse_int(const char *s, json_t **out)
{
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return -1;
    *out = json_integer((json_int_t)v);
    return *out ? 0 : -1;
}

/* Doubles: PostgreSQL prints NaN, Infinity and -Infinity (float and
 * numeric); JSON cannot carry them, so they become null. */
static int parse_double(const char *s, json_t **out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0')
        return -1;
    /* Overflow gives HUGE_VAL, which is not finite either; underflow gives
     * a tiny value that is still the best double for the text. */
    *out = isfinite(v) ? json_real(v) : json_null();
    return *out ? 0 : -1;
}

/* PostgreSQL's boolean text (t/f, true/false). -1 for anything else. */
static int parse_bool(const char *s, json_t **out)
{
    if (strcmp(s, "t") == 0 || strcmp(s, "true") == 0)
        *out = json_true();
    else if (strcmp(s, "f") == 0 || strcmp(s, "false") == 0)
        *out = json_false();
    else
        return -1;
    return 0;
}

/* One array element of the given kind as JSON (string, integer, double, bool); -1 when its text is
 * not of that kind. */
static int elem_value(const char *s, size_t len, pgjson_elem_t kind, json_t **out,
                      pgjson_stats_t *stats)
{
    if (kind == PGJSON_ELEM_STRING) {
        *out = pgjson_string(s, len, stats);
        return *out ? 0 : -1;
    }
    char small[64];
    if (len >= sizeof small)
        return -1;
    memcpy(small, s, len);
    small[len] = '\0';
    switch (kind) {
    case PGJSON_ELEM_INT:
        return parse_int(small, out);
    case PGJSON_ELEM_DOUBLE:
        return parse_double(small, out);
    case PGJSON_ELEM_BOOL:
        return parse_bool(small, out);
    default:
        return -1;
    }
}

typedef struct {
    const char *text;
    size_t pos;
    pgjson_elem_t kind;
    pgjson_stats_t *stats;
    char *buf; /* scratch for unescaped quoted elements */
    size_t cap;
    err_t *err;
} array_parser_t;

static int ap_fail(array_parser_t *p, const char *what)
{
    return err_set(p->err, "array literal at offset %zu: %s", p->pos, what);
}

/* Grows the array parser's element buffer to hold need bytes. */
static void ap_reserve(array_parser_t *p, size_t need)
{
    if (need <= p->cap)
        return;
    size_t cap = p->cap ? p->cap : 256;
    while (cap < need)
        cap *= 2;
    p->buf = xrealloc(p->buf, cap);
    p->cap = cap;
}

static int ap_parse(array_parser_t *p, json_t *into, int depth);

/* Parses one element of an array literal at the parser's position (a nested {...} dimension, a
 * quoted element with escapes, NULL, or a bare element) and appends it to into. -1 with the
 * parser's error set. */
static int ap_element(array_parser_t *p, json_t *into, int depth)
{
    const char *t = p->text;
    json_t *v = NULL;
    if (t[p->pos] == '{') {
        json_t *sub = json_array();
        if (!sub)
            return ap_fail(p, "out of memory");
        if (ap_parse(p, sub, depth + 1) != 0) {
            json_decref(sub);
            return -1;
        }
        v = sub;
    } else if (t[p->pos] == '"') {
        p->pos++;
        size_t n = 0;
        for (;;) {
            char c = t[p->pos];
            if (c == '\0')
                return ap_fail(p, "unterminated quoted element");
            if (c == '"')
                break;
            if (c == '\\') {
                p->pos++;
                c = t[p->pos];
                if (c == '\0')
                    return ap_fail(p, "backslash at end of input");
            }
            ap_reserve(p, n + 1);
            p->buf[n++] = c;
            p->pos++;
        }
        p->pos++; /* closing quote */
        if (elem_value(p->buf ? p->buf : "", n, p->kind, &v, p->stats) != 0)
            return ap_fail(p, "element is not of the array's type");
    } else {
        size_t start = p->pos;
        while (t[p->pos] != '\0' && t[p->pos] != ',' && t[p->pos] != '}')
            p->pos++;
        size_t end = p->pos;
        while (end > start && (t[end - 1] == ' ' || t[end - 1] == '\t'))
            end--;
        if (end == start)
            return ap_fail(p, "empty element");
        if (end - start == 4 && strncasecmp(t + start, "NULL", 4) == 0)
            v = json_null();
        else if (elem_value(t + start, end - start, p->kind, &v, p->stats) != 0)
            return ap_fail(p, "element is not of the array's type");
    }
    if (json_array_append_new(into, v) != 0)
        return ap_fail(p, "out of memory");
    return 0;
}

static void ap_skip_space(array_parser_t *p)
{
    while (p->text[p->pos] == ' ' || p->text[p->pos] == '\t' || p->text[p->pos] == '\n')
        p->pos++;
}

/* Parses "{...}" at p->pos into the array `into`. */
static int ap_parse(array_parser_t *p, json_t *into, int depth)
{
    /* PostgreSQL allows at most 6 dimensions (MAXDIM). */
    if (depth > 6)
        return ap_fail(p, "more than 6 dimensions");
    if (p->text[p->pos] != '{')
        return ap_fail(p, "expected '{'");
    p->pos++;
    ap_skip_space(p);
    if (p->text[p->pos] == '}') {
        p->pos++;
        return 0;
    }
    for (;;) {
        ap_skip_space(p);
        if (ap_element(p, into, depth) != 0)
            return -1;
        ap_skip_space(p);
        char c = p->text[p->pos];
        if (c == ',') {
            p->pos++;
            continue;
        }
        if (c == '}') {
            p->pos++;
            return 0;
        }
        return ap_fail(p, "expected ',' or '}'");
    }
}

int pgjson_parse_array(const char *text, pgjson_elem_t kind, json_t **out, pgjson_stats_t *stats,
                       err_t *err)
{
    *out = NULL;
    array_parser_t p = {.text = text, .pos = 0, .kind = kind, .stats = stats, .err = err};
    /* Arrays whose lower bound is not 1 print as "[0:2]={...}". */
    if (text[0] == '[') {
        const char *eq = strchr(text, '=');
        if (!eq)
            return err_set(err, "array literal: dimension decoration without '='");
        p.pos = (size_t)(eq - text) + 1;
    }
    json_t *arr = json_array();
    if (!arr)
        return err_set(err, "out of memory");
    int rc = ap_parse(&p, arr, 1);
    if (rc == 0) {
        ap_skip_space(&p);
        if (text[p.pos] != '\0')
            rc = ap_fail(&p, "trailing characters after '}'");
    }
    free(p.buf);
    if (rc != 0) {
        json_decref(arr);
        return -1;
    }
    *out = arr;
    return 0;
}

/* "2024-05-01 10:11:12.345+00" (DateStyle ISO, TimeZone UTC) becomes
 * "2024-05-01T10:11:12.345Z"; other offsets are kept as printed. */
static json_t *iso_timestamp(const char *s, int with_zone)
{
    char buf[80];
    size_t n = strlen(s);
    if (n >= sizeof buf - 2 || n < 10)
        return json_string(s);
    memcpy(buf, s, n + 1);
    char *sp = strchr(buf, ' ');
    if (sp)
        *sp = 'T';
    if (with_zone && n > 3 && strcmp(buf + n - 3, "+00") == 0) {
        buf[n - 3] = 'Z';
        buf[n - 2] = '\0';
    }
    return json_string(buf);
}

/* A field's text as JSON by its column type (the table in pgjson.h). -1 with err naming the bad
 * value. */
static int convert(Oid type, const char *s, size_t len, json_t **out, pgjson_stats_t *stats,
                   err_t *err)
{
    switch (type) {
    case OID_BOOL:
        return parse_bool(s, out) == 0 ? 0 : err_set(err, "bad boolean \"%s\"", s);
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
    case OID_XID:
        return parse_int(s, out) == 0 ? 0 : err_set(err, "bad integer \"%.40s\"", s);
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC:
        return parse_double(s, out) == 0 ? 0 : err_set(err, "bad number \"%.40s\"", s);
    case OID_JSON:
    case OID_JSONB: {
        json_error_t je;
        *out = json_loadb(s, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        return *out ? 0 : err_set(err, "bad json: %s", je.text);
    }
    case OID_TIMESTAMPTZ:
    case OID_TIMESTAMP:
        *out = iso_timestamp(s, type == OID_TIMESTAMPTZ);
        return *out ? 0 : err_set(err, "out of memory");
    case OID_ANYARRAY: /* pg_stats.most_common_vals, histogram_bounds */
    case OID_TEXT_ARRAY:
    case OID_NAME_ARRAY:
    case OID_VARCHAR_ARRAY:
    case OID_CHAR_ARRAY:
        return pgjson_parse_array(s, PGJSON_ELEM_STRING, out, stats, err);
    case OID_INT2_ARRAY:
    case OID_INT4_ARRAY:
    case OID_INT8_ARRAY:
    case OID_OID_ARRAY:
        return pgjson_parse_array(s, PGJSON_ELEM_INT, out, stats, err);
    case OID_FLOAT4_ARRAY:
    case OID_FLOAT8_ARRAY:
    case OID_NUMERIC_ARRAY:
        return pgjson_parse_array(s, PGJSON_ELEM_DOUBLE, out, stats, err);
    case OID_BOOL_ARRAY:
        return pgjson_parse_array(s, PGJSON_ELEM_BOOL, out, stats, err);
    default:
        *out = pgjson_string(s, len, stats);
        return *out ? 0 : err_set(err, "out of memory");
    }
}

int pgjson_field(const PGresult *res, int row, int col, json_t **out, pgjson_stats_t *stats,
                 err_t *err)
{
    *out = NULL;
    if (PQgetisnull(res, row, col)) {
        *out = json_null();
        return 0;
    }
    const char *s = PQgetvalue(res, row, col);
    size_t len = (size_t)PQgetlength(res, row, col);
    if (convert(PQftype(res, col), s, len, out, stats, err) != 0)
        return err_prefix(err, "row %d, column %s: ", row + 1, PQfname(res, col));
    return 0;
}

int pgjson_row(const PGresult *res, int row, json_t **out, pgjson_stats_t *stats, err_t *err)
{
    *out = NULL;
    json_t *obj = json_object();
    if (!obj)
        return err_set(err, "out of memory");
    int ncols = PQnfields(res);
    for (int c = 0; c < ncols; c++) {
        json_t *v;
        if (pgjson_field(res, row, c, &v, stats, err) != 0 ||
            json_object_set_new(obj, PQfname(res, c), v) != 0) {
            json_decref(obj);
            return -1;
        }
    }
    *out = obj;
    return 0;
}

int pgjson_rows(const PGresult *res, json_t **out, pgjson_stats_t *stats, err_t *err)
{
    *out = NULL;
    json_t *arr = json_array();
    if (!arr)
        return err_set(err, "out of memory");
    int n = PQntuples(res);
    for (int r = 0; r < n; r++) {
        json_t *obj;
        if (pgjson_row(res, r, &obj, stats, err) != 0 || json_array_append_new(arr, obj) != 0) {
            json_decref(arr);
            return -1;
        }
    }
    *out = arr;
    return 0;
}
