/* pgbouncer_ini.c - see pgbouncer_ini.h. */
#include "coordinator/collect/pgbouncer_ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define INI_MAX_BYTES (1024 * 1024)

/* Strips leading and trailing white space from s in place. Returns a pointer
 * into s; cannot fail. */
static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int secret_name(const char *key)
{
    return strstr(key, "password") != NULL || strstr(key, "_key") != NULL ||
           strstr(key, "secret") != NULL;
}

int pgbouncer_ini_read(const char *path, json_t **out, err_t *err)
{
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(err, "%s: %s", path, strerror(errno));
    json_t *map = json_object();
    char line[4096];
    int lineno = 0, in_section = 0, seen_section = 0;
    long total = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        total += (long)strlen(line);
        if (total > INI_MAX_BYTES) {
            fclose(f);
            json_decref(map);
            return err_set(err, "%s: larger than %d bytes; not a pgbouncer.ini?", path,
                           INI_MAX_BYTES);
        }
        if (!strchr(line, '\n') && !feof(f)) {
            fclose(f);
            json_decref(map);
            return err_set(err, "%s:%d: line longer than %zu bytes", path, lineno, sizeof line - 1);
        }
        char *s = trim(line);
        if (*s == '\0' || *s == ';' || *s == '#')
            continue;
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close) {
                fclose(f);
                json_decref(map);
                return err_set(err, "%s:%d: section header without ']'", path, lineno);
            }
            *close = '\0';
            in_section = strcmp(trim(s + 1), "pgbouncer") == 0;
            seen_section |= in_section;
            continue;
        }
        if (!in_section)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            fclose(f);
            json_decref(map);
            return err_set(err, "%s:%d: expected 'name = value'", path, lineno);
        }
        *eq = '\0';
        char *key = trim(s);
        char *val = trim(eq + 1);
        for (char *k = key; *k; k++)
            *k = (char)tolower((unsigned char)*k);
        if (*key == '\0' || secret_name(key))
            continue;
        json_t *v = json_string(val);
        if (!v) {
            fclose(f);
            json_decref(map);
            return err_set(err, "%s:%d: value is not valid UTF-8", path, lineno);
        }
        json_object_set_new(map, key, v);
    }
    fclose(f);
    if (!seen_section) {
        json_decref(map);
        return err_set(err, "%s: no [pgbouncer] section", path);
    }
    *out = map;
    return 0;
}
