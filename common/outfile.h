/*
 * outfile.h - the one way pgopt writes an output file (reports in every
 * format, the SQL scripts, analysis results, saved snapshots), so that -o
 * means the same thing everywhere:
 *
 *  - a regular file (or a new name) is written to a temporary file in the
 *    same directory (mkostemp: an unpredictable name, so nothing planted in
 *    advance can redirect it), fsync()ed and rename()d over the target:
 *    readers see the old file or the new one, never half of one, and a
 *    failed write leaves the old file as it was. Mode 0600: outputs hold
 *    query texts, settings and sometimes a DSN;
 *  - a symbolic link is followed to its target (also when the target does
 *    not exist yet), so `latest.json -> runs/42.json` keeps being a link;
 *  - a FIFO or a character device (/dev/null, /dev/stdout, a terminal) is
 *    opened and written in place, never replaced: renaming over it would
 *    turn the device node into a regular file. A write error there
 *    (/dev/full: ENOSPC) is an error like any other;
 *  - a directory, a block device or a socket is refused, naming the path.
 *
 * Usage: outfile_open, write to outfile_stream, outfile_commit (which
 * reports any write error, including those of buffered data). Abandoning
 * an open outfile (outfile_destroy without commit) removes the temporary
 * file and leaves the target untouched.
 */
#ifndef PGOPT_COMMON_OUTFILE_H
#define PGOPT_COMMON_OUTFILE_H

#include <stdio.h>

#include "common/error.h"

typedef struct outfile outfile_t;

/* What a path names, after following symbolic links. */
typedef enum {
    OUTFILE_NEW,     /* nothing there yet: created */
    OUTFILE_REGULAR, /* replaced atomically */
    OUTFILE_STREAM,  /* FIFO or character device: written in place */
} outfile_kind_t;

/* Classifies path as outfile_open would (symlinks followed); -1 with err for
 * a directory, a block device, a socket or a broken path. resolved (may be
 * NULL, else len >= 1 bytes) receives the path finally written. */
int outfile_classify(const char *path, outfile_kind_t *kind, char *resolved, size_t len,
                     err_t *err);

/* Opens path for writing as described on top. -1 with err naming path. */
int outfile_open(const char *path, outfile_t **out, err_t *err);

/* The stream to write to. */
FILE *outfile_stream(outfile_t *o);

/* What the target is (OUTFILE_STREAM: no companion files belong next to it). */
outfile_kind_t outfile_kind(const outfile_t *o);

/* The path finally written (symlinks resolved). */
const char *outfile_path(const outfile_t *o);

/* Flushes and checks every write, then for a file fsync()s, renames into
 * place and fsync()s the directory. Destroys *o (nulls it) whatever the
 * outcome; on failure the target is left as it was (a stream may hold part
 * of the output) and err names the path and the reason. */
int outfile_commit(outfile_t **o, err_t *err);

/* Abandons an uncommitted outfile: the temporary file is removed. Safe on
 * NULL and twice (nulls the pointer). */
void outfile_destroy(outfile_t **o);

/* Writes len bytes of buf to path in one go (open, write, commit). */
int outfile_write(const char *path, const void *buf, size_t len, err_t *err);

#endif
