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
 *
 * Code that does not run in production is left out by default, so that its
 * findings are not mixed with the application's and it does not spend the
 * budget (codedir_not_runtime names the rule): tests, migrations and
 * seed/populate scripts. A directory left out whole is one skipped entry
 * with the number of .py files under it ("files"); a file left out by its
 * own name is an entry of its own. --code-include GLOB keeps what a glob
 * matches although the default rule leaves it out; --code-exclude GLOB
 * leaves out what it matches, whatever else says (exclude wins over
 * include). Globs are fnmatch(3) patterns on the path relative to DIR,
 * where `*` also matches `/`; a glob without `/` is matched against each
 * path component as well (`--code-exclude 'scripts'`, `'*_old.py'`).
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

typedef struct {
    size_t max_total;           /* 0: CODEDIR_DEFAULT_MAX_BYTES */
    size_t max_file;            /* 0: CODEDIR_DEFAULT_MAX_FILE_BYTES */
    const char *const *include; /* --code-include globs */
    size_t ninclude;
    const char *const *exclude; /* --code-exclude globs */
    size_t nexclude;
} codedir_opts_t;

/* codedir_collect with globs; opts NULL: the defaults. */
int codedir_collect_opts(const char *dir, const codedir_opts_t *opts, json_t **files,
                         json_t *skipped, err_t *err);

/* Why a path relative to DIR ('/'-separated; a directory may end in '/')
 * is not runtime code, or NULL: "tests" (a directory test, tests, testing,
 * *_tests, *tests_* or *integrationtests, or a file test_*.py, *_test.py,
 * *_tests.py, tests.py, conftest.py), "migrations" (a directory
 * migration(s), *_migrations, alembic, migrate_repo), "seed scripts" (a
 * file seed*.py, populate*.py, *_seed.py). */
const char *codedir_not_runtime(const char *rel);

/* Whether glob matches rel under the rule above. */
int codedir_glob_match(const char *glob, const char *rel);

#endif
