/*
 * fuzz_history_frames.c - the history store's frame reader (histframe_scan,
 * coordinator/history/histframe.h) on any bytes: a segment file may be damaged by
 * a disk, a copy or a person.
 *
 * Every byte must be accounted for (good + damaged + torn = size); good
 * frames lie in order inside the input, their header checksum holds and
 * re-encoding one gives its bytes back when its body checksum holds; the
 * good frames alone scan back as exactly those frames, with no damage; a
 * header that passes its checksum but is refused by the decoder carries a
 * message (history.c counts it as damage).
 */
#include <stdlib.h>
#include <string.h>

#include "coordinator/history/histframe.h"
#include "fuzz_targets.h"
#include "proto/codec.h"

#define NAME "history_frames"

typedef struct {
    const uint8_t *base;
    size_t size, next_min, count;
    unsigned char *good; /* the good frames, concatenated */
    size_t good_len;
} ctx_t;

static int check_frame(void *arg, const histframe_t *f)
{
    ctx_t *c = arg;
    if (f->off < c->next_min || f->off > c->size || f->len > c->size - f->off)
        fuzz_fail(NAME, "frame out of order or outside the input", NULL);
    if (f->len != (size_t)HISTFRAME_FIXED + f->hlen + f->blen || f->hlen == 0 ||
        f->header != c->base + f->off + HISTFRAME_FIXED || f->body != f->header + f->hlen)
        fuzz_fail(NAME, "frame fields inconsistent", NULL);
    c->next_min = f->off + f->len;
    c->count++;
    char *re;
    size_t relen;
    err_t err = {{0}};
    if (histframe_encode(f->header, f->hlen, f->body, f->blen, &re, &relen, &err) != 0)
        fuzz_fail(NAME, "a good frame does not re-encode", err.msg);
    if (histframe_crc(0, f->body, f->blen) == f->body_crc &&
        (relen != f->len || memcmp(re, c->base + f->off, relen) != 0))
        fuzz_fail(NAME, "re-encoding a good frame changed its bytes", NULL);
    free(re);
    memcpy(c->good + c->good_len, c->base + f->off, f->len);
    c->good_len += f->len;
    json_t *h = NULL;
    if (codec_decode(f->header, f->hlen, &CODEC_LIMITS_DOCUMENT, &h, &err) != 0 &&
        err.msg[0] == '\0')
        fuzz_fail(NAME, "header refusal without a message", NULL);
    json_decref(h);
    return 0;
}

static int count_frame(void *arg, const histframe_t *f)
{
    (void)f;
    (*(size_t *)arg)++;
    return 0;
}

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    ctx_t c = {data, size, 0, 0, malloc(size ? size : 1), 0};
    if (!c.good)
        abort();
    histframe_scan_t st;
    if (histframe_scan(data, size, check_frame, &c, &st) != 0)
        fuzz_fail(NAME, "scan stopped without being asked to", NULL);
    if (st.good_bytes + st.damaged_bytes + st.torn_bytes != size)
        fuzz_fail(NAME, "bytes not accounted for", NULL);
    if (st.frames != c.count || st.good_bytes != c.good_len)
        fuzz_fail(NAME, "frame counts disagree", NULL);
    if (st.torn && (st.torn_off + st.torn_bytes != size || st.append_off != st.torn_off))
        fuzz_fail(NAME, "torn tail not at the end", NULL);
    if (!st.torn && st.append_off != size)
        fuzz_fail(NAME, "append offset not at the end", NULL);
    if ((st.damaged == 0) != (st.damaged_bytes == 0))
        fuzz_fail(NAME, "damage counted without bytes (or bytes without damage)", NULL);
    histframe_scan_t again;
    size_t n = 0;
    histframe_scan(c.good, c.good_len, count_frame, &n, &again);
    if (n != st.frames || again.damaged || again.torn || !again.clean_end)
        fuzz_fail(NAME, "the good frames alone do not scan back clean", NULL);
    free(c.good);
    return 0;
}
