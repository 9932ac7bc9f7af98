/*
 * outfile.c - writing an output file safely (outfile.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* mkostemp */
#endif
#include "common/outfile.h"

#include "common/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40 /* as the kernel's ELOOP limit */

struct outfile {
    FILE *f;
    outfile_kind_t kind;
    char path[PATH_MAX]; /* the target */
    char tmp[PATH_MAX];  /* the temporary file (files only) */
};

/* The directory part of p ("." when none) into dir. */
static void dir_of(const char *p, char *dir, size_t len)
{
    const char *slash = strrchr(p, '/');
    if (!slash)
        snprintf(dir, len, ".");
    else if (slash == p)
        snprintf(dir, len, "/");
    else
        snprintf(dir, len, "%.*s", (int)(slash - p), p);
}

/* Follows symbolic links (to a target that may not exist yet). */
static int resolve(const char *path, char *out, size_t len, err_t *err)
{
    if (snprintf(out, len, "%s", path) >= (int)len)
        return err_set(err, "%s: path too long", path);
    for (int hops = 0; hops <= MAX_LINKS; hops++) {
        struct stat st;
        if (lstat(out, &st) != 0) {
            if (errno == ENOENT)
                return 0;
            return err_set(err, "%s: %s", out, strerror(errno));
        }
        if (!S_ISLNK(st.st_mode))
            return 0;
        char target[PATH_MAX];
        ssize_t n = readlink(out, target, sizeof target - 1);
        if (n < 0)
            return err_set(err, "%s: cannot read the link: %s", out, strerror(errno));
        target[n] = '\0';
        char next[PATH_MAX];
        if (target[0] == '/') {
            snprintf(next, sizeof next, "%s", target);
        } else {
            char dir[PATH_MAX];
            dir_of(out, dir, sizeof dir);
            if (snprintf(next, sizeof next, "%s/%s", dir, target) >= (int)sizeof next)
                return err_set(err, "%s: link target path too long", path);
        }
        snprintf(out, len, "%s", next);
    }
    return err_set(err, "%s: too many levels of symbolic links", path);
}

int outfile_classify(const char *path, outfile_kind_t *kind, char *resolved, size_t len, err_t *err)
{
    char buf[PATH_MAX];
    if (!path || !*path)
        return err_set(err, "no output path given");
    if (resolve(path, buf, sizeof buf, err) != 0)
        return -1;
    const char *via = strcmp(buf, path) != 0 ? " (the target of the link)" : "";
    struct stat st;
    if (stat(buf, &st) != 0) {
        if (errno != ENOENT)
            return err_set(err, "%s%s: %s", buf, via, strerror(errno));
        *kind = OUTFILE_NEW;
    } else if (S_ISREG(st.st_mode)) {
        *kind = OUTFILE_REGULAR;
    } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        *kind = OUTFILE_STREAM;
    } else if (S_ISDIR(st.st_mode)) {
        return err_set(err, "%s%s is a directory: give a file name to write to", buf, via);
    } else {
        return err_set(err,
                       "%s%s is not a regular file, a FIFO or a character device: not written "
                       "to",
                       buf, via);
    }
    if (resolved)
        snprintf(resolved, len, "%s", buf);
    return 0;
}

int outfile_open(const char *path, outfile_t **out, err_t *err)
{
    *out = NULL;
    outfile_t *o = xcalloc(1, sizeof *o);
    if (outfile_classify(path, &o->kind, o->path, sizeof o->path, err) != 0) {
        free(o);
        return -1;
    }
    if (o->kind == OUTFILE_STREAM) {
        /* In place, never truncated or replaced; a FIFO waits for its
         * reader here, as any writer of a FIFO does. */
        int fd = open(o->path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
            err_set(err, "cannot write %s: %s", o->path, strerror(errno));
            if (fd >= 0)
                close(fd);
            free(o);
            return -1;
        }
        *out = o;
        return 0;
    }
    if (snprintf(o->tmp, sizeof o->tmp, "%s.tmp.XXXXXX", o->path) >= (int)sizeof o->tmp) {
        err_set(err, "%s: path too long", o->path);
        free(o);
        return -1;
    }
    /* mkostemp creates the file 0600 with O_EXCL: nothing planted at a
     * guessable name can redirect the write. */
    int fd = mkostemp(o->tmp, O_CLOEXEC);
    if (fd < 0) {
        char dir[PATH_MAX];
        dir_of(o->path, dir, sizeof dir);
        err_set(err, "cannot write %s: cannot create a file in %s: %s", o->path, dir,
                strerror(errno));
        free(o);
        return -1;
    }
    if (!(o->f = fdopen(fd, "w"))) {
        err_set(err, "cannot write %s: %s", o->path, strerror(errno));
        close(fd);
        unlink(o->tmp);
        free(o);
        return -1;
    }
    *out = o;
    return 0;
}

FILE *outfile_stream(outfile_t *o)
{
    return o->f;
}

outfile_kind_t outfile_kind(const outfile_t *o)
{
    return o->kind;
}

const char *outfile_path(const outfile_t *o)
{
    return o->path;
}

/* fsyncs the directory holding path, so that a rename into it survives a
 * crash; -1 (errno set) when it cannot be opened or synced. */
static int fsync_dir_of(const char *path)
{
    char dir[PATH_MAX];
    dir_of(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int outfile_commit(outfile_t **op, err_t *err)
{
    outfile_t *o = *op;
    *op = NULL;
    if (!o)
        return err_set(err, "output: nothing open to commit");
    int rc = 0, e = 0;
    if (fflush(o->f) != 0 || ferror(o->f)) {
        e = errno ? errno : EIO;
        rc = -1;
    }
    if (rc == 0 && o->kind != OUTFILE_STREAM && fsync(fileno(o->f)) != 0) {
        e = errno;
        rc = -1;
    }
    if (fclose(o->f) != 0 && rc == 0) {
        e = errno;
        rc = -1;
    }
    o->f = NULL;
    if (rc != 0) {
        err_set(err, "writing %s: %s", o->path, strerror(e));
    } else if (o->kind != OUTFILE_STREAM) {
        if (rename(o->tmp, o->path) != 0)
            rc = err_set(err, "writing %s: cannot rename %s into place: %s", o->path, o->tmp,
                         strerror(errno));
        else
            o->tmp[0] = '\0';
        /* The rename is durable once the directory is. */
        if (rc == 0 && fsync_dir_of(o->path) != 0 && errno != EINVAL)
            rc = err_set(err, "writing %s: fsync of its directory: %s", o->path, strerror(errno));
    }
    if (o->tmp[0] && o->kind != OUTFILE_STREAM)
        unlink(o->tmp);
    free(o);
    return rc;
}

void outfile_destroy(outfile_t **op)
{
    if (!op || !*op)
        return;
    outfile_t *o = *op;
    if (o->f)
        fclose(o->f);
    if (o->kind != OUTFILE_STREAM && o->tmp[0])
        unlink(o->tmp);
    free(o);
    *op = NULL;
}

int outfile_write(const char *path, const void *buf, size_t len, err_t *err)
{
    outfile_t *o;
    if (outfile_open(path, &o, err) != 0)
        return -1;
    if (len && fwrite(buf, 1, len, o->f) != len) {
        int e = errno;
        outfile_destroy(&o);
        return err_set(err, "writing %s: %s", path, strerror(e ? e : EIO));
    }
    return outfile_commit(&o, err);
}
