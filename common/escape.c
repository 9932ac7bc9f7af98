/* escape.c - see escape.h. */
#include "common/escape.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes one UTF-8 sequence at s (n > 0 bytes left): its length, or 0 when
 * the bytes are not well-formed UTF-8 (overlong forms and surrogates
 * included, so every byte of a bad sequence is shown as \xNN). */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* Code points shown escaped (besides ASCII controls): C1 controls, and the
 * format characters that reorder or break displayed lines. */
static int cp_hidden(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The escape for one unit at s into tmp (NUL-terminated), or NULL when the
 * unit is kept as it is; *len is the unit's length in bytes. */
static const char *esc_unit(const unsigned char *s, size_t n, unsigned flags, size_t *len,
                            char tmp[16])
{
    uint32_t cp;
    size_t k = utf8_decode(s, n, &cp);
    if (k == 0) {
        *len = 1;
        snprintf(tmp, 16, "\\x%02x", s[0]);
        return tmp;
    }
    *len = k;
    if (cp < 0x20 || cp == 0x7F) {
        if ((flags & ESC_KEEP_NL) && (cp == '\n' || cp == '\t'))
            return NULL;
        if (cp == '\n')
            return "\\n";
        if (cp == '\r')
            return "\\r";
        if (cp == '\t')
            return "\\t";
        snprintf(tmp, 16, "\\x%02x", (unsigned)cp);
        return tmp;
    }
    if ((flags & ESC_QUOTE) && (cp == '"' || cp == '\\'))
        return cp == '"' ? "\\\"" : "\\\\";
    if (cp_hidden(cp)) {
        snprintf(tmp, 16, "\\u%04x", (unsigned)cp);
        return tmp;
    }
    return NULL;
}

int esc_needed(const char *s, size_t n, unsigned flags)
{
    const unsigned char *u = (const unsigned char *)s;
    char tmp[16];
    for (size_t i = 0; i < n;) {
        size_t len;
        if (esc_unit(u + i, n - i, flags, &len, tmp))
            return 1;
        i += len;
    }
    return 0;
}

void esc_append(strbuf_t *b, const char *s, size_t n, unsigned flags)
{
    const unsigned char *u = (const unsigned char *)s;
    char tmp[16];
    size_t run = 0; /* start of the bytes kept as they are */
    for (size_t i = 0; i < n;) {
        size_t len;
        const char *e = esc_unit(u + i, n - i, flags, &len, tmp);
        if (e) {
            strbuf_addn(b, s + run, i - run);
            strbuf_add(b, e);
            run = i + len;
        }
        i += len;
    }
    strbuf_addn(b, s + run, n - run);
}

const char *esc_str(const char *s, unsigned flags, char *out, size_t cap)
{
    if (!s)
        s = "";
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), o = 0;
    size_t dots_at = 0; /* last unit boundary after which "..." still fits */
    char tmp[16];
    for (size_t i = 0; i < n;) {
        size_t len;
        const char *e = esc_unit(u + i, n - i, flags, &len, tmp);
        const char *piece = e ? e : s + i;
        size_t plen = e ? strlen(e) : len;
        if (o + 4 <= cap)
            dots_at = o;
        if (o + plen + 1 > cap) {
            memcpy(out + dots_at, "...", 3);
            o = dots_at + 3;
            break;
        }
        memcpy(out + o, piece, plen);
        o += plen;
        i += len;
    }
    out[o] = '\0';
    return out;
}

char *esc_dup(const char *s, unsigned flags)
{
    strbuf_t b = {0};
    esc_append(&b, s ? s : "", s ? strlen(s) : 0, flags);
    return strbuf_take(&b);
}
