/*
 * config_file.c - configuration file and PGOPT_* variables merged into argv
 * (config_file.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/alloc.h"
#include "coordinator/config_file.h"

#define MAX_ENTRIES 512

typedef struct {
    const struct option *opt;
    char *value; /* NULL for a flag that is set */
} entry_t;

typedef struct {
    entry_t e[MAX_ENTRIES];
    int n;
} layer_t;

static void layer_free(layer_t *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->e[i].value);
    l->n = 0;
}

static int in_list(const char *const *list, const char *name)
{
    for (int i = 0; list && list[i]; i++)
        if (!strcmp(list[i], name))
            return 1;
    return 0;
}

/* The option named exactly (with '_' as '-'), or NULL. */
static const struct option *find_long(const config_spec_t *s, const char *name, size_t n)
{
    char key[128];
    if (n >= sizeof key)
        return NULL;
    for (size_t i = 0; i < n; i++)
        key[i] = name[i] == '_' ? '-' : (char)tolower((unsigned char)name[i]);
    key[n] = '\0';
    for (const struct option *o = s->longopts; o && o->name; o++)
        if (!strcmp(o->name, key))
            return o;
    return NULL;
}

/* As getopt_long resolves "--na": exact, else a unique prefix. */
static const struct option *resolve_long(const config_spec_t *s, const char *name, size_t n)
{
    const struct option *hit = NULL;
    for (const struct option *o = s->longopts; o && o->name; o++) {
        if (strlen(o->name) == n && !strncmp(o->name, name, n))
            return o;
        if (!strncmp(o->name, name, n)) {
            if (hit)
                return NULL; /* ambiguous: getopt_long will say so */
            hit = o;
        }
    }
    return hit;
}

static const struct option *by_short(const config_spec_t *s, int c)
{
    for (const struct option *o = s->longopts; o && o->name; o++)
        if (o->val == c && !o->flag)
            return o;
    return NULL;
}

/* Long names the command line sets; also finds --config. */
static void scan_cmdline(const config_spec_t *s, int argc, char **argv, const char **set, int *nset,
                         const char **config_path)
{
    *nset = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--"))
            break;
        if (!strncmp(a, "--", 2)) {
            const char *eq = strchr(a + 2, '=');
            size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            if (n == 6 && !strncmp(a + 2, "config", 6)) {
                if (eq)
                    *config_path = eq + 1;
                else if (i + 1 < argc)
                    *config_path = argv[++i];
                continue;
            }
            const struct option *o = resolve_long(s, a + 2, n);
            if (!o)
                continue;
            if (*nset < MAX_ENTRIES)
                set[(*nset)++] = o->name;
            if (o->has_arg == required_argument && !eq)
                i++;
        } else if (a[0] == '-' && a[1]) {
            for (const char *c = a + 1; *c; c++) {
                const char *d = strchr(s->shortopts ? s->shortopts : "", *c);
                if (!d || *c == ':')
                    break;
                const struct option *o = by_short(s, *c);
                if (o && *nset < MAX_ENTRIES)
                    set[(*nset)++] = o->name;
                if (d[1] == ':') {
                    if (!c[1])
                        i++;
                    break;
                }
            }
        }
    }
}

static int is_set(const char **set, int nset, const char *name)
{
    for (int i = 0; i < nset; i++)
        if (!strcmp(set[i], name))
            return 1;
    return 0;
}

/* Set by a higher layer, directly or through its exclusive partner. */
static int overridden(const config_spec_t *s, const char **set, int nset, const char *name)
{
    if (is_set(set, nset, name))
        return 1;
    for (int i = 0; s->exclusive_pairs && s->exclusive_pairs[i] && s->exclusive_pairs[i + 1];
         i += 2) {
        const char *a = s->exclusive_pairs[i], *b = s->exclusive_pairs[i + 1];
        if ((!strcmp(a, name) && is_set(set, nset, b)) ||
            (!strcmp(b, name) && is_set(set, nset, a)))
            return 1;
    }
    return 0;
}

/* A flag's value: true/false, yes/no, on/off, 1/0 (any case) into *out. -1 for anything else. */
static int parse_bool(const char *v, int *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (int i = 0; i < 4; i++) {
        if (!strcasecmp(v, yes[i])) {
            *out = 1;
            return 0;
        }
        if (!strcasecmp(v, no[i])) {
            *out = 0;
            return 0;
        }
    }
    return -1;
}

/* Adds name=value to a layer after the checks every source shares. */
static int add_entry(const config_spec_t *s, layer_t *l, const struct option *o, const char *value,
                     const char *where, err_t *err)
{
    if (o->has_arg == no_argument) {
        int on;
        if (parse_bool(value, &on) != 0)
            return err_set(err, "%s: %s is a flag: expected true or false, got '%s'", where,
                           o->name, value);
        if (!on)
            return 0;
        value = NULL;
    }
    if (!in_list(s->repeatable, o->name))
        for (int i = 0; i < l->n; i++)
            if (l->e[i].opt == o)
                return err_set(err, "%s: %s given twice (it takes one value)", where, o->name);
    if (l->n == MAX_ENTRIES)
        return err_set(err, "%s: too many settings (max %d)", where, MAX_ENTRIES);
    l->e[l->n].opt = o;
    l->e[l->n].value = value ? xstrdup(value) : NULL;
    l->n++;
    return 0;
}

/* Unquotes a double-quoted value in place ("\"" and "\\" escapes); an unquoted one is left as it
 * is. -1 with err (naming where) for an unterminated quote or text after it. */
static int parse_value(char *v, const char *where, err_t *err)
{
    /* v is trimmed; a quoted value is unescaped in place */
    if (v[0] != '"')
        return 0;
    char *w = v;
    char *r = v + 1;
    for (; *r && *r != '"'; r++) {
        if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
            r++;
        *w++ = *r;
    }
    if (*r != '"')
        return err_set(err, "%s: unterminated quoted value", where);
    for (char *t = r + 1; *t; t++)
        if (!isspace((unsigned char)*t))
            return err_set(err, "%s: text after the closing quote", where);
    *w = '\0';
    return 0;
}

/* The file's "key = value" lines into layer l, each key checked against the long options (s). -1
 * with err naming the file and line: unreadable, not text, no '=', unknown key, a flag's or
 * option's bad value. */
static int read_file(const config_spec_t *s, const char *path, layer_t *l, err_t *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(err, "config file %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int lineno = 0, rc = 0;
    while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
        lineno++;
        char where[4200];
        snprintf(where, sizeof where, "%s:%d", path, lineno);
        if (memchr(line, '\0', (size_t)got)) {
            rc = err_set(err, "%s: NUL byte (not a text file?)", where);
            break;
        }
        char *p = line;
        while (isspace((unsigned char)*p))
            p++;
        size_t n = strlen(p);
        while (n && isspace((unsigned char)p[n - 1]))
            p[--n] = '\0';
        if (!*p || *p == '#' || *p == ';')
            continue;
        char *eq = strchr(p, '=');
        if (!eq) {
            rc = err_set(err, "%s: expected 'key = value', got '%.80s'", where, p);
            break;
        }
        char *k_end = eq;
        while (k_end > p && isspace((unsigned char)k_end[-1]))
            k_end--;
        char *v = eq + 1;
        while (isspace((unsigned char)*v))
            v++;
        const struct option *o = find_long(s, p, (size_t)(k_end - p));
        if (!o || in_list(s->not_configurable, o->name)) {
            rc = err_set(err, "%s: unknown key '%.*s' (keys are the long options of --help)", where,
                         (int)(k_end - p), p);
            break;
        }
        if (parse_value(v, where, err) != 0) {
            rc = -1;
            break;
        }
        if (o->has_arg == required_argument && !*v) {
            rc = err_set(err, "%s: %s needs a value", where, o->name);
            break;
        }
        rc = add_entry(s, l, o, v, where, err);
    }
    if (rc == 0 && ferror(f))
        rc = err_set(err, "config file %s: read error", path);
    free(line);
    fclose(f);
    return rc;
}

/* The configuration file used when none is named: $XDG_CONFIG_HOME/APP/APP.conf (or
 * ~/.config/...), else /etc/APP/APP.conf, the first that exists; "" when neither does. */
static void default_path(const config_spec_t *s, char *out, size_t n)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    out[0] = '\0';
    if (xdg && *xdg)
        snprintf(out, n, "%s/%s/%s.conf", xdg, s->app, s->app);
    else if (home && *home)
        snprintf(out, n, "%s/.config/%s/%s.conf", home, s->app, s->app);
    if (out[0] && access(out, F_OK) == 0)
        return;
    snprintf(out, n, "/etc/%s/%s.conf", s->app, s->app);
    if (access(out, F_OK) != 0)
        out[0] = '\0';
}

/* Appends one layer's settings to av as "--name=value" (or "--name" for a flag). */
static void push_layer(const layer_t *l, char **av, int *ac)
{
    for (int i = 0; i < l->n; i++)
        av[(*ac)++] = l->e[i].value ? xasprintf("--%s=%s", l->e[i].opt->name, l->e[i].value)
                                    : xasprintf("--%s", l->e[i].opt->name);
}

int config_merge_argv(const config_spec_t *s, int argc, char **argv, int *out_argc,
                      char ***out_argv, char *config_used, err_t *err)
{
    const char *cmd_set[MAX_ENTRIES];
    int ncmd = 0;
    const char *explicit_path = NULL;
    *out_argv = NULL;
    *out_argc = 0;
    if (config_used)
        config_used[0] = '\0';
    scan_cmdline(s, argc, argv, cmd_set, &ncmd, &explicit_path);

    layer_t *env = xcalloc(1, sizeof *env), *file = xcalloc(1, sizeof *file);
    int rc = 0;
    /* environment: PGOPT_<NAME> */
    const char *prefix = s->env_prefix ? s->env_prefix : "PGOPT_";
    for (const struct option *o = s->longopts; rc == 0 && o && o->name; o++) {
        if (in_list(s->not_configurable, o->name))
            continue;
        char var[160];
        size_t k = (size_t)snprintf(var, sizeof var, "%s", prefix);
        for (const char *c = o->name; *c && k < sizeof var - 1; c++)
            var[k++] = *c == '-' ? '_' : (char)toupper((unsigned char)*c);
        var[k] = '\0';
        const char *v = getenv(var);
        if (!v || !*v || overridden(s, cmd_set, ncmd, o->name))
            continue;
        rc = add_entry(s, env, o, v, var, err);
    }
    /* the file */
    char path[4096];
    const char *env_path = getenv("PGOPT_CONFIG");
    if (explicit_path)
        snprintf(path, sizeof path, "%s", explicit_path);
    else if (env_path && *env_path)
        snprintf(path, sizeof path, "%s", env_path);
    else
        default_path(s, path, sizeof path);
    if (rc == 0 && path[0]) {
        layer_t *raw = xcalloc(1, sizeof *raw);
        rc = read_file(s, path, raw, err);
        if (rc == 0) {
            const char *higher[2 * MAX_ENTRIES];
            int nh = 0;
            for (int i = 0; i < ncmd; i++)
                higher[nh++] = cmd_set[i];
            for (int i = 0; i < env->n; i++)
                higher[nh++] = env->e[i].opt->name;
            for (int i = 0; i < raw->n; i++) {
                if (overridden(s, higher, nh, raw->e[i].opt->name))
                    continue;
                file->e[file->n++] = raw->e[i];
                raw->e[i].value = NULL;
            }
            if (config_used)
                snprintf(config_used, 4096, "%s", path);
        }
        layer_free(raw);
        free(raw);
    }
    if (rc == 0) {
        char **av = xcalloc((size_t)(argc + env->n + file->n + 1), sizeof *av);
        int ac = 0;
        av[ac++] = xstrdup(argc > 0 ? argv[0] : "pgopt");
        push_layer(file, av, &ac);
        push_layer(env, av, &ac);
        for (int i = 1; i < argc; i++)
            av[ac++] = xstrdup(argv[i]);
        *out_argv = av;
        *out_argc = ac;
    }
    layer_free(env);
    layer_free(file);
    free(env);
    free(file);
    return rc;
}

/* Frees an argument vector of argc strings and sets *argv to NULL; safe on
 * NULL and twice. */
void config_free_argv(int argc, char ***argv)
{
    if (!argv || !*argv)
        return;
    for (int i = 0; i < argc; i++)
        free((*argv)[i]);
    free(*argv);
    *argv = NULL;
}
