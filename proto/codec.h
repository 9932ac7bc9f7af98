/*
 * codec.h - msgpack <-> document tree, strict on untrusted bytes.
 *
 * pgopt's in-memory document model is jansson's json_t: null, bool, int64,
 * double, UTF-8 string, array, map with string keys in insertion order.
 * Snapshots, agent results and the final phase3_output are all such trees,
 * so the same tree serialises to msgpack (the wire) and to JSON (files and
 * reports) without loss.
 *
 * Encoding uses msgpack-c's packer with the shortest encodings (canonical:
 * a canonical message decodes and re-encodes to the same bytes).
 *
 * Decoding does NOT use msgpack-c's unpacker: that allocates for a
 * container's declared size before reading it (5 bytes can cost 512 MB).
 * codec_decode() is a single-pass recursive reader that, before creating any
 * container, checks its declared count against the bytes that remain (every
 * element needs at least one byte, every map entry two), bounds nesting depth,
 * string length, total number of values and frame size, requires every byte
 * to be consumed, rejects ext types, bin (the model has no byte strings),
 * non-string map keys, duplicate keys, invalid UTF-8, NaN/Inf and integers
 * outside int64. Every rejection names what and where:
 *
 *   "offset 1234, at statements[17].calls: declared map of 4294967295 entries
 *    but only 12 bytes remain"
 */
#ifndef PGOPT_PROTO_CODEC_H
#define PGOPT_PROTO_CODEC_H

#include <jansson.h>
#include <stddef.h>

#include "common/error.h"

typedef struct {
    size_t max_bytes; /* whole input (one frame) */
    size_t max_depth; /* nesting of arrays/maps; the top-level value is depth 1 */
    size_t max_str;   /* bytes in one string or key */
    size_t max_items; /* total values decoded (bounds memory: ~100 bytes each) */
} codec_limits_t;

/* Header frames: tiny. */
extern const codec_limits_t CODEC_LIMITS_HEADER;
/* Snapshot and result frames: 256 MiB, depth 32, strings 32 MiB, 16M values. */
extern const codec_limits_t CODEC_LIMITS_DOCUMENT;

/* Decodes exactly len bytes into a new tree (*out, caller json_decref()s). */
int codec_decode(const void *buf, size_t len, const codec_limits_t *limits, json_t **out,
                 err_t *err);

/* Called during a long decode, every CODEC_PROGRESS_EVERY values, with the
 * offset reached: lets a worker's job loop keep beating (PROGRESS) while a
 * large snapshot is decoded, so a big snapshot is not mistaken for a hang. */
typedef void (*codec_progress_fn)(void *arg, size_t offset, size_t total);
#define CODEC_PROGRESS_EVERY 65536 /* a power of two */

int codec_decode_progress(const void *buf, size_t len, const codec_limits_t *limits, json_t **out,
                          err_t *err, codec_progress_fn progress, void *progress_arg);

/* The model's name of a value's type, for error messages: "map", "array",
 * "string", "integer", "double", "boolean" or "null" (also for NULL). */
const char *codec_type_name(const json_t *v);

/* Encodes a tree into a malloc()ed buffer (*buf, caller free()s). Fails on
 * values the model does not have (none in practice) with a path. */
int codec_encode(const json_t *doc, char **buf, size_t *len, err_t *err);

#endif
