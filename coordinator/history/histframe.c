/*
 * histframe.c - history store frames: encoding, and a reader that finds every
 * intact frame of a damaged segment (histframe.h).
 */
#include "coordinator/history/histframe.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

/* Fills the CRC-32 table (IEEE polynomial 0xEDB88320, reflected). */
static void crc_build(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t v = i;
        for (int k = 0; k < 8; k++)
            v = (v & 1) ? 0xEDB88320u ^ (v >> 1) : v >> 1;
        crc_table[i] = v;
    }
}

uint32_t histframe_crc(uint32_t crc, const void *data, size_t len)
{
    pthread_once(&crc_once, crc_build);
    const unsigned char *p = data;
    crc = ~crc;
    while (len--)
        crc = crc_table[(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The header checksum covers the lengths and the body checksum too, so a
 * frame whose lengths were damaged is never trusted. */
static uint32_t header_crc(const unsigned char *fixed, const void *header, size_t hlen)
{
    return histframe_crc(histframe_crc(0, fixed + 4, 12), header, hlen);
}

int histframe_encode(const void *header, size_t hlen, const void *body, size_t blen, char **frame,
                     size_t *len, err_t *err)
{
    *frame = NULL;
    *len = 0;
    if (hlen == 0 || hlen > HISTFRAME_MAX_HEADER || blen > HISTFRAME_MAX_BODY)
        return err_set(err, "history record too large or empty (header %zu, body %zu bytes)", hlen,
                       blen);
    unsigned char *f = xmalloc(HISTFRAME_FIXED + hlen + blen);
    memcpy(f, HISTFRAME_MAGIC, 4);
    put_u32(f + 4, (uint32_t)hlen);
    put_u32(f + 8, (uint32_t)blen);
    put_u32(f + 12, histframe_crc(0, body, blen));
    put_u32(f + 16, header_crc(f, header, hlen));
    memcpy(f + HISTFRAME_FIXED, header, hlen);
    if (blen)
        memcpy(f + HISTFRAME_FIXED + hlen, body, blen);
    *frame = (char *)f;
    *len = HISTFRAME_FIXED + hlen + blen;
    return 0;
}

/* A good frame at off: magic, sane lengths, fits in the buffer, header
 * checksum holds. */
static int frame_at(const unsigned char *buf, size_t len, size_t off, histframe_t *f)
{
    size_t rem = len - off;
    if (rem < HISTFRAME_FIXED || memcmp(buf + off, HISTFRAME_MAGIC, 4) != 0)
        return 0;
    const unsigned char *p = buf + off;
    uint32_t hlen = get_u32(p + 4), blen = get_u32(p + 8);
    if (hlen == 0 || hlen > HISTFRAME_MAX_HEADER || blen > HISTFRAME_MAX_BODY)
        return 0;
    size_t total = (size_t)HISTFRAME_FIXED + hlen + blen;
    if (total > rem || header_crc(p, p + HISTFRAME_FIXED, hlen) != get_u32(p + 16))
        return 0;
    f->off = off;
    f->len = total;
    f->hlen = hlen;
    f->blen = blen;
    f->body_crc = get_u32(p + 12);
    f->header_crc = get_u32(p + 16);
    f->header = p + HISTFRAME_FIXED;
    f->body = p + HISTFRAME_FIXED + hlen;
    return 1;
}

/* What a writer killed mid-write() leaves: a prefix of a frame, i.e. the
 * magic (or a prefix of it) and lengths that run past the end; or zeros
 * (file extended, data never written). The header checksum is not asked
 * for: a prefix may end inside the header. */
static int torn_at(const unsigned char *buf, size_t len, size_t off)
{
    const unsigned char *p = buf + off;
    size_t rem = len - off, i;
    for (i = 0; i < rem && p[i] == 0; i++)
        ;
    if (i == rem)
        return 1;
    if (rem < HISTFRAME_FIXED)
        return memcmp(p, HISTFRAME_MAGIC, rem < 4 ? rem : 4) == 0;
    if (memcmp(p, HISTFRAME_MAGIC, 4) != 0)
        return 0;
    uint32_t hlen = get_u32(p + 4), blen = get_u32(p + 8);
    return hlen > 0 && hlen <= HISTFRAME_MAX_HEADER && blen <= HISTFRAME_MAX_BODY &&
           (size_t)HISTFRAME_FIXED + hlen + blen > rem;
}

/* The next good frame starting after off, or len when there is none. */
static size_t next_good(const unsigned char *buf, size_t len, size_t off, histframe_t *f)
{
    for (size_t p = off + 1; p + HISTFRAME_FIXED <= len; p++) {
        const unsigned char *m = memchr(buf + p, 'P', len - p);
        if (!m)
            break;
        p = (size_t)(m - buf);
        if (frame_at(buf, len, p, f))
            return p;
    }
    return len;
}

int histframe_scan(const unsigned char *buf, size_t len, histframe_fn fn, void *ctx,
                   histframe_scan_t *st)
{
    memset(st, 0, sizeof *st);
    st->clean_end = 1;
    size_t off = 0;
    int rc = 0;
    while (off < len) {
        histframe_t f;
        if (!frame_at(buf, len, off, &f)) {
            size_t next = next_good(buf, len, off, &f);
            if (next == len && torn_at(buf, len, off)) {
                st->torn = 1;
                st->torn_off = off;
                st->torn_bytes = len - off;
                break;
            }
            if (st->damaged == 0)
                st->first_damage = off;
            st->damaged++;
            st->damaged_bytes += next - off;
            off = next;
            if (next == len) {
                st->clean_end = 0;
                break;
            }
        }
        st->frames++;
        st->good_bytes += f.len;
        off += f.len;
        if (fn && (rc = fn(ctx, &f)) != 0)
            break;
    }
    st->append_off = st->torn ? st->torn_off : len;
    return rc;
}
