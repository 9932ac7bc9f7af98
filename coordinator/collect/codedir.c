/* codedir.c - see codedir.h. */
#include "coordinator/collect/codedir.h"
#include "coordinator/collect/pgjson.h"
#include "common/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Deeper trees are almost certainly generated or pathological. */
#define CODEDIR_MAX_DEPTH 64

typedef struct {
    char *rel;          /* path relative to DIR, '/'-separated; directories end in '/' */
    const char *reason; /* NULL: a file to read */
    char *abs;          /* resolved path to read (files only) */
    size_t nfiles;      /* a directory left out whole: the .py files under it */
} entry_t;

typedef struct {
    entry_t *v;
    size_t n, cap;
    const char *root; /* realpath of DIR */
    size_t root_len;
    const codedir_opts_t *opts;
} walk_t;

/* Records one file of the walk: its relative path and, for a file left out, why (reason NULL:
 * shipped, read later from abs). */
static void add(walk_t *w, const char *rel, const char *reason, const char *abs)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        w->v = xreallocarray(w->v, cap, sizeof *w->v);
        w->cap = cap;
    }
    entry_t *e = &w->v[w->n];
    e->rel = xstrdup(rel);
    e->abs = abs ? xstrdup(abs) : NULL;
    e->reason = reason;
    e->nfiles = 0;
    w->n++;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int inside_root(const walk_t *w, const char *real)
{
    return strncmp(real, w->root, w->root_len) == 0 &&
           (real[w->root_len] == '/' || real[w->root_len] == '\0' ||
            (w->root_len == 1 && w->root[0] == '/'));
}

/* Why a directory is not descended into, or NULL. */
static const char *excluded_dir(const char *name, const char *abs)
{
    static const char *const names[] = {"venv", "site-packages", "dist-packages", "__pycache__",
                                        "node_modules"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return strcmp(name, "venv") == 0 ? "virtualenv directory"
                                             : "dependency or cache directory";
    char probe[PATH_MAX + 16];
    snprintf(probe, sizeof probe, "%s/pyvenv.cfg", abs);
    if (access(probe, F_OK) == 0)
        return "virtualenv directory (has pyvenv.cfg)";
    return NULL;
}

static int name_in(const char *name, const char *const *globs)
{
    for (size_t i = 0; globs[i]; i++)
        if (fnmatch(globs[i], name, 0) == 0)
            return 1;
    return 0;
}

/* Why a directory holds code that does not run in production ("tests", "migrations"), or NULL. */
static const char *not_runtime_dir(const char *name)
{
    static const char *const tests[] = {
        "test", "tests", "testing", "*_tests", "*tests_*", "*integrationtests", NULL};
    static const char *const migrations[] = {"migration", "migrations",   "*_migrations",
                                             "alembic",   "migrate_repo", NULL};
    if (name_in(name, tests))
        return "tests";
    if (name_in(name, migrations))
        return "migrations";
    return NULL;
}

/* Why a file is not production code ("tests", "seed scripts"), or NULL. */
static const char *not_runtime_file(const char *name)
{
    static const char *const tests[] = {"test_*.py", "*_test.py",   "*_tests.py",
                                        "tests.py",  "conftest.py", NULL};
    static const char *const seeds[] = {"seed*.py", "populate*.py", "*_seed.py", NULL};
    if (name_in(name, tests))
        return "tests";
    if (name_in(name, seeds))
        return "seed scripts";
    return NULL;
}

const char *codedir_not_runtime(const char *rel)
{
    char comp[PATH_MAX];
    const char *p = rel;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n >= sizeof comp)
            return NULL;
        memcpy(comp, p, n);
        comp[n] = '\0';
        const char *why = slash ? not_runtime_dir(comp) : not_runtime_file(comp);
        if (why)
            return why;
        if (!slash)
            break;
        p = slash + 1;
    }
    return NULL;
}

int codedir_glob_match(const char *glob, const char *rel)
{
    if (fnmatch(glob, rel, 0) == 0)
        return 1;
    if (strchr(glob, '/'))
        return 0;
    char comp[PATH_MAX];
    for (const char *p = rel; *p;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        if (n < sizeof comp) {
            memcpy(comp, p, n);
            comp[n] = '\0';
            if (fnmatch(glob, comp, 0) == 0)
                return 1;
        }
        if (!slash)
            break;
        p = slash + 1;
    }
    return 0;
}

static const char *glob_hit(const char *const *globs, size_t n, const char *rel)
{
    for (size_t i = 0; i < n; i++)
        if (codedir_glob_match(globs[i], rel))
            return globs[i];
    return NULL;
}

/* .py files under abs (not following symlinks), for the count of a
 * directory left out whole. */
static size_t count_py(const char *abs, int depth)
{
    DIR *d = depth > CODEDIR_MAX_DEPTH ? NULL : opendir(abs);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char c[PATH_MAX];
        if (snprintf(c, sizeof c, "%s/%s", abs, e->d_name) >= (int)sizeof c)
            continue;
        struct stat st;
        if (lstat(c, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            n += count_py(c, depth + 1);
        else if (S_ISREG(st.st_mode) && ends_with(e->d_name, ".py"))
            n++;
    }
    closedir(d);
    return n;
}

static const char *const REASON_EXCLUDED = "excluded by --code-exclude";

/* Walks the directory abs (rel from the code directory), recursively up to CODEDIR_MAX_DEPTH:
 * the *.py files to ship, and every file or directory left out with its reason (unreadable,
 * hidden, broken or escaping symlink, excluded directory, not runtime code, excluded by a glob,
 * too deep). The caller sorts the entries by path. */
static void walk(walk_t *w, const char *abs, const char *rel, int depth)
{
    DIR *d = opendir(abs);
    if (!d) {
        char relslash[PATH_MAX + 2];
        snprintf(relslash, sizeof relslash, "%s/", rel[0] ? rel : ".");
        add(w, relslash, "unreadable directory", NULL);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
            continue;
        char cabs[PATH_MAX], crel[PATH_MAX];
        if (snprintf(cabs, sizeof cabs, "%s/%s", abs, name) >= (int)sizeof cabs ||
            snprintf(crel, sizeof crel, "%s%s%s", rel, rel[0] ? "/" : "", name) >=
                (int)sizeof crel) {
            if (ends_with(name, ".py"))
                add(w, name, "path too long", NULL);
            continue;
        }
        struct stat lst;
        if (lstat(cabs, &lst) != 0)
            continue; /* vanished while walking */
        int is_py = ends_with(name, ".py");
        char dirrel[PATH_MAX + 1];
        snprintf(dirrel, sizeof dirrel, "%s/", crel);

        if (S_ISLNK(lst.st_mode)) {
            char real[PATH_MAX];
            struct stat st;
            if (!realpath(cabs, real) || stat(real, &st) != 0) {
                if (is_py)
                    add(w, crel, "broken symlink", NULL);
                continue;
            }
            if (!S_ISDIR(st.st_mode) && !is_py)
                continue;
            if (!inside_root(w, real)) {
                add(w, S_ISDIR(st.st_mode) ? dirrel : crel, "symlink to outside the code directory",
                    NULL);
                continue;
            }
            if (S_ISDIR(st.st_mode)) {
                add(w, dirrel, "symlinked directory (not followed)", NULL);
                continue;
            }
            if (name[0] == '.')
                add(w, crel, "hidden file", NULL);
            else if (!S_ISREG(st.st_mode))
                add(w, crel, "not a regular file", NULL);
            else
                add(w, crel, NULL, real);
            continue;
        }
        if (S_ISDIR(lst.st_mode)) {
            if (name[0] == '.') {
                add(w, dirrel, "hidden directory", NULL);
                continue;
            }
            const char *why = excluded_dir(name, cabs);
            if (why) {
                add(w, dirrel, why, NULL);
                continue;
            }
            if (depth + 1 > CODEDIR_MAX_DEPTH) {
                add(w, dirrel, "nested deeper than 64 directories", NULL);
                continue;
            }
            /* Left out whole when no glob can reach inside: an exclude
             * glob that matches the directory, or the default rule and no
             * include glob at all (one entry, with the file count). */
            const codedir_opts_t *o = w->opts;
            int excluded = glob_hit(o->exclude, o->nexclude, crel) != NULL;
            const char *nr = !excluded && o->ninclude == 0 ? not_runtime_dir(name) : NULL;
            if (excluded || nr) {
                add(w, dirrel, excluded ? REASON_EXCLUDED : nr, NULL);
                w->v[w->n - 1].nfiles = count_py(cabs, depth + 1);
                continue;
            }
            walk(w, cabs, crel, depth + 1);
            continue;
        }
        if (!is_py)
            continue;
        const codedir_opts_t *o = w->opts;
        const char *nr = codedir_not_runtime(crel);
        if (name[0] == '.')
            add(w, crel, "hidden file", NULL);
        else if (!S_ISREG(lst.st_mode))
            add(w, crel, "not a regular file", NULL);
        else if (glob_hit(o->exclude, o->nexclude, crel))
            add(w, crel, REASON_EXCLUDED, NULL);
        else if (nr && !glob_hit(o->include, o->ninclude, crel))
            add(w, crel, nr, NULL);
        else
            add(w, crel, NULL, cabs);
    }
    closedir(d);
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const entry_t *)a)->rel, ((const entry_t *)b)->rel);
}

/* Records in the skipped array that file path was left out and why (the path
 * made valid UTF-8 by pgjson_string). */
static void skip(json_t *skipped, const char *path, const char *reason)
{
    json_t *o = json_object();
    /* File names are bytes; the document holds UTF-8 only. */
    json_object_set_new(o, "path", pgjson_string(path, strlen(path), NULL));
    json_object_set_new(o, "reason", json_string(reason));
    json_array_append_new(skipped, o);
}

/* Reads at most limit + 1 bytes so an oversized file is recognised without
 * reading it whole. Returns 0 with the bytes in *buf and their count in *len, or -1 with errno. */
static int read_bounded(const char *path, size_t limit, char **buf, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t cap = limit + 1, n = 0;
    char *b = xmalloc(cap + 1);
    while (n < cap) {
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            free(b);
            close(fd);
            errno = saved;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

int codedir_collect(const char *dir, size_t max_total, size_t max_file, json_t **files,
                    json_t *skipped, err_t *err)
{
    codedir_opts_t o = {.max_total = max_total, .max_file = max_file};
    return codedir_collect_opts(dir, &o, files, skipped, err);
}

int codedir_collect_opts(const char *dir, const codedir_opts_t *opts, json_t **files,
                         json_t *skipped, err_t *err)
{
    codedir_opts_t defaults = {0};
    if (!opts)
        opts = &defaults;
    size_t max_total = opts->max_total ? opts->max_total : CODEDIR_DEFAULT_MAX_BYTES;
    size_t max_file = opts->max_file ? opts->max_file : CODEDIR_DEFAULT_MAX_FILE_BYTES;
    *files = NULL;
    char root[PATH_MAX];
    if (!dir || !*dir)
        return err_set(err, "--code: empty directory name");
    if (!realpath(dir, root))
        return err_set(err, "--code %s: %s", dir, strerror(errno));
    struct stat st;
    if (stat(root, &st) != 0)
        return err_set(err, "--code %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return err_set(err, "--code %s: not a directory", dir);
    DIR *probe = opendir(root);
    if (!probe)
        return err_set(err, "--code %s: %s", dir, strerror(errno));
    closedir(probe);

    walk_t w = {.root = root, .root_len = strlen(root), .opts = opts};
    walk(&w, root, "", 0);
    if (w.n > 1)
        qsort(w.v, w.n, sizeof *w.v, by_path);

    json_t *out = json_array();
    size_t total = 0;
    char reason[160];
    for (size_t i = 0; i < w.n; i++) {
        entry_t *e = &w.v[i];
        if (e->reason == REASON_EXCLUDED ||
            (e->reason &&
             (strcmp(e->reason, "tests") == 0 || strcmp(e->reason, "migrations") == 0 ||
              strcmp(e->reason, "seed scripts") == 0))) {
            int dir_entry = ends_with(e->rel, "/");
            if (e->reason == REASON_EXCLUDED)
                snprintf(reason, sizeof reason, "%s", REASON_EXCLUDED);
            else
                snprintf(reason, sizeof reason,
                         "not runtime code (%s): left out by default, --code-include GLOB keeps "
                         "%s",
                         e->reason, dir_entry ? "them" : "it");
            skip(skipped, e->rel, reason);
            if (dir_entry)
                json_object_set_new(json_array_get(skipped, json_array_size(skipped) - 1), "files",
                                    json_integer((json_int_t)e->nfiles));
            continue;
        }
        if (e->reason) {
            skip(skipped, e->rel, e->reason);
            continue;
        }
        json_t *path = json_string(e->rel);
        if (!path) {
            skip(skipped, e->rel, "file name is not valid UTF-8");
            continue;
        }
        char *buf;
        size_t len;
        if (read_bounded(e->abs, max_file, &buf, &len) != 0) {
            snprintf(reason, sizeof reason, "unreadable: %s", strerror(errno));
            skip(skipped, e->rel, reason);
            json_decref(path);
            continue;
        }
        json_t *content = NULL;
        if (len > max_file) {
            snprintf(reason, sizeof reason, "larger than the per-file limit of %zu bytes",
                     max_file);
        } else if (memchr(buf, '\0', len)) {
            snprintf(reason, sizeof reason, "binary (contains NUL bytes)");
        } else if ((content = json_stringn(buf, len)) == NULL) {
            snprintf(reason, sizeof reason, "not valid UTF-8");
        } else if (total + len > max_total) {
            snprintf(reason, sizeof reason,
                     "total --code budget of %zu bytes exhausted (%zu bytes used, file has %zu)",
                     max_total, total, len);
            json_decref(content);
            content = NULL;
        }
        free(buf);
        if (!content) {
            skip(skipped, e->rel, reason);
            json_decref(path);
            continue;
        }
        total += len;
        json_t *f = json_object();
        json_object_set_new(f, "path", path);
        json_object_set_new(f, "content", content);
        json_object_set_new(f, "bytes", json_integer((json_int_t)len));
        json_array_append_new(out, f);
    }
    for (size_t i = 0; i < w.n; i++) {
        free(w.v[i].rel);
        free(w.v[i].abs);
    }
    free(w.v);
    *files = out;
    return 0;
}
