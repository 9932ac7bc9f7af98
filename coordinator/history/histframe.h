/*
 * histframe.h - the frame format of the history store's segment files
 * (docs/HISTORY.md): encoding one frame, and reading a segment's bytes back
 * into frames while finding every intact frame however the rest is damaged.
 *
 *   "PGH1" | header_len u32 | body_len u32 | body_crc u32 | header_crc u32 |
 *   header (H bytes) | body (B bytes)                 (integers little-endian)
 *
 * header_crc covers bytes 4..15 (both lengths and the body checksum) and the
 * header, so a frame whose lengths were damaged is never followed. When the
 * bytes at a frame boundary are not a good frame, the reader resynchronises:
 * it looks for the next "PGH1" whose lengths fit and whose header checksum
 * holds (a random match passes with probability 2^-32), so one damaged byte
 * costs the frame it hit, never the frames after it.
 *
 * Unreadable bytes at the end of a segment are a *torn tail* only when they
 * look like what a writer killed in mid-write(2) leaves: a prefix of a frame
 * (the magic, then lengths that run past the end of the file), or zeros (a
 * file extended by the file system whose data never reached the disk). Only
 * a torn tail may be cut by a writer; any other damage is kept for a human
 * to look at (history.c moves such a segment aside at compaction).
 *
 * Pure functions over memory: no file I/O here, so the reader is fuzzed
 * directly (tests/fuzz/fuzz_history_frames.c).
 */
#ifndef PGOPT_COORDINATOR_HISTFRAME_H
#define PGOPT_COORDINATOR_HISTFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define HISTFRAME_MAGIC      "PGH1"
#define HISTFRAME_FIXED      20
#define HISTFRAME_MAX_HEADER (16u << 20)
#define HISTFRAME_MAX_BODY   (512u << 20)

/* CRC-32 (IEEE 802.3, the value zlib's crc32() gives). */
uint32_t histframe_crc(uint32_t crc, const void *data, size_t len);

/* Builds one frame from an encoded header (1..HISTFRAME_MAX_HEADER bytes)
 * and body (0..HISTFRAME_MAX_BODY). *frame is malloc()ed. */
int histframe_encode(const void *header, size_t hlen, const void *body, size_t blen, char **frame,
                     size_t *len, err_t *err);

/* One good frame (its header checksum holds) found in a buffer. */
typedef struct {
    size_t off;                         /* where the frame starts */
    size_t len;                         /* HISTFRAME_FIXED + hlen + blen */
    uint32_t hlen, blen;                /* header and body lengths */
    uint32_t body_crc;                  /* the body's recorded checksum */
    uint32_t header_crc;                /* the frame's header checksum (identifies it) */
    const unsigned char *header, *body; /* inside the scanned buffer */
} histframe_t;

/* What a scan found. Every byte of the buffer is accounted for:
 * good_bytes + damaged_bytes + torn_bytes == the buffer's length. */
typedef struct {
    size_t frames;        /* good frames */
    size_t good_bytes;    /* bytes in good frames */
    size_t damaged;       /* damaged regions (each ends at a good frame or the end) */
    size_t damaged_bytes; /* bytes in damaged regions */
    size_t first_damage;  /* offset of the first damaged region (when damaged > 0) */
    int torn;             /* 1 when the buffer ends in a torn tail */
    size_t torn_off;      /* where the torn tail starts (when torn) */
    size_t torn_bytes;    /* its length */
    size_t append_off;    /* where a writer may append: the end, or torn_off */
    int clean_end;        /* 1 when the buffer ends on a good frame (or is empty) or a
                           * torn tail: appending there keeps every frame readable */
} histframe_scan_t;

/* Called for each good frame in order; a non-zero return stops the scan
 * and is returned by histframe_scan (its stats then cover what was seen). */
typedef int (*histframe_fn)(void *ctx, const histframe_t *frame);

/* Walks buf[0..len) frame by frame, resynchronising after damage (see the
 * top of this file). fn may be NULL. Returns 0 or fn's non-zero value. */
int histframe_scan(const unsigned char *buf, size_t len, histframe_fn fn, void *ctx,
                   histframe_scan_t *stats);

#endif
