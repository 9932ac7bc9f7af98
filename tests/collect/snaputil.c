/* snaputil.c - see snaputil.h. */
#include "tests/collect/snaputil.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/pgtest.h"

json_t *snap_find(const json_t *array, const char *k1, const char *v1, const char *k2,
                  const char *v2)
{
    size_t i;
    json_t *row;
    json_array_foreach(array, i, row)
    {
        const char *a = json_string_value(json_object_get(row, k1));
        if (!a || strcmp(a, v1) != 0)
            continue;
        if (k2) {
            const char *b = json_string_value(json_object_get(row, k2));
            if (!b || strcmp(b, v2) != 0)
                continue;
        }
        return row;
    }
    return NULL;
}

const char *snap_note(const json_t *doc, ...)
{
    json_t *notes = json_object_get(json_object_get(doc, "meta"), "notes");
    size_t i;
    json_t *n;
    json_array_foreach(notes, i, n)
    {
        const char *text = json_string_value(n);
        if (!text)
            continue;
        va_list ap;
        va_start(ap, doc);
        int all = 1;
        for (const char *sub = va_arg(ap, const char *); sub; sub = va_arg(ap, const char *))
            if (!strstr(text, sub))
                all = 0;
        va_end(ap);
        if (all)
            return text;
    }
    return NULL;
}

void snap_print_notes(const json_t *doc)
{
    json_t *notes = json_object_get(json_object_get(doc, "meta"), "notes");
    size_t i;
    json_t *n;
    json_array_foreach(notes, i, n) fprintf(stderr, "  note: %s\n", json_string_value(n));
}

int snap_strings_equal(const json_t *array, ...)
{
    if (!json_is_array(array))
        return 0;
    va_list ap;
    va_start(ap, array);
    size_t i = 0;
    int ok = 1;
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *), i++) {
        const char *v = json_string_value(json_array_get(array, i));
        if (!v || strcmp(v, s) != 0)
            ok = 0;
    }
    va_end(ap);
    return ok && i == json_array_size(array);
}

const char *snap_tempdir(int slot, const char *prefix)
{
    static char dirs[4][512];
    const char *tmp = getenv("TMPDIR");
    snprintf(dirs[slot], sizeof dirs[slot], "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
    if (!mkdtemp(dirs[slot])) {
        fprintf(stderr, "mkdtemp %s: %s\n", dirs[slot], strerror(errno));
        exit(1);
    }
    return dirs[slot];
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void snap_rmtree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void snap_write(const char *dir, const char *rel, const void *data, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "writing %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

void snap_conninfo(const char *dbname, const char *user, char *buf, size_t len)
{
    const char *host = pgtest_env("PGHOST");
    const char *port = pgtest_env("PGPORT");
    const char *defuser = pgtest_env("PGUSER");
    if (!host || !port) {
        fprintf(stderr, "PGOPT_TEST_PGENV not set or unreadable (run through ctest)\n");
        exit(1);
    }
    snprintf(buf, len, "host=%s port=%s user=%s dbname=%s", host, port,
             user ? user : (defuser ? defuser : "postgres"), dbname);
}
