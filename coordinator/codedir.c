/* codedir.c - see codedir.h. */
#include "coordinator/codedir.h"
#include "coordinator/pgjson.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
} entry_t;

typedef struct {
    entry_t *v;
    size_t n, cap;
    const char *root; /* realpath of DIR */
    size_t root_len;
    int oom;
} walk_t;

static void add(walk_t *w, const char *rel, const char *reason, const char *abs)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        entry_t *nv = realloc(w->v, cap * sizeof *nv);
        if (!nv) {
            w->oom = 1;
            return;
        }
        w->v = nv;
        w->cap = cap;
    }
    entry_t *e = &w->v[w->n];
    e->rel = strdup(rel);
    e->abs = abs ? strdup(abs) : NULL;
    e->reason = reason;
    if (!e->rel || (abs && !e->abs)) {
        free(e->rel);
        free(e->abs);
        w->oom = 1;
        return;
    }
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
    while ((e = readdir(d)) != NULL && !w->oom) {
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
            walk(w, cabs, crel, depth + 1);
            continue;
        }
        if (!is_py)
            continue;
        if (name[0] == '.')
            add(w, crel, "hidden file", NULL);
        else if (!S_ISREG(lst.st_mode))
            add(w, crel, "not a regular file", NULL);
        else
            add(w, crel, NULL, cabs);
    }
    closedir(d);
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const entry_t *)a)->rel, ((const entry_t *)b)->rel);
}

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
    char *b = malloc(cap + 1);
    if (!b) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
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

    walk_t w = {.root = root, .root_len = strlen(root)};
    walk(&w, root, "", 0);
    if (w.oom) {
        for (size_t i = 0; i < w.n; i++) {
            free(w.v[i].rel);
            free(w.v[i].abs);
        }
        free(w.v);
        return err_set(err, "--code %s: out of memory while listing files", dir);
    }
    if (w.n > 1)
        qsort(w.v, w.n, sizeof *w.v, by_path);

    json_t *out = json_array();
    size_t total = 0;
    char reason[160];
    for (size_t i = 0; i < w.n; i++) {
        entry_t *e = &w.v[i];
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
