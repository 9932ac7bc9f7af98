/*
 * codedir.h - the snapshot's `code` section: the application's Python
 * sources (--code DIR), shipped inside the snapshot so that remote workers
 * need no access to the coordinator's disk.
 *
 * Every *.py file under DIR, recursively, in byte order of its relative
 * path, until the total budget is spent; each file at most max_file bytes.
 * Left out, each with a {path, reason} entry in `skipped`: hidden files and
 * directories, virtualenvs (venv/, directories holding pyvenv.cfg),
 * site-packages, dist-packages, __pycache__, node_modules, symlinks that
 * lead outside DIR (or are broken), symlinked directories (not followed, so
 * no file is read twice and no cycle is possible), binary files (NUL bytes),
 * files that are not valid UTF-8, files over the per-file limit, files that
 * no longer fit the total budget, unreadable files. Files that are not *.py
 * are not listed.
 */
#ifndef PGOPT_COORDINATOR_CODEDIR_H
#define PGOPT_COORDINATOR_CODEDIR_H

#include <jansson.h>
#include <stddef.h>

#include "common/error.h"

#define CODEDIR_DEFAULT_MAX_BYTES      (8u * 1024u * 1024u)
#define CODEDIR_DEFAULT_MAX_FILE_BYTES (1024u * 1024u)

/* *files: array of {path, content, bytes}; entries are appended to skipped
 * (an array). Fails (-1, err) only when dir itself is unusable: missing,
 * not a directory, unreadable. */
int codedir_collect(const char *dir, size_t max_total, size_t max_file, json_t **files,
                    json_t *skipped, err_t *err);

#endif
