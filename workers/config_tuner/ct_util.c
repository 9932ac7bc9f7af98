/* ct_util.c - settings, units, times and JSON helpers of the config tuner
 * (ct_internal.h). */
#include "workers/config_tuner/ct_internal.h"

#include "common/alloc.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

char *ct_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

void ct_free_str(char *s)
{
    free(s);
}

void ct_note(ct_t *ct, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    json_array_append_new(ct->notes, json_string(s));
    free(s);
}

static int sane(double v)
{
    return isfinite(v) && fabs(v) <= CT_MAX_NUMBER;
}

int ct_clamp_int(double v, int lo, int hi)
{
    if (isnan(v) || v < lo)
        return lo;
    if (v > hi)
        return hi;
    return (int)v;
}

int ct_num(const json_t *obj, const char *key, double *value)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (!json_is_number(v) || !sane(json_number_value(v)))
        return 0;
    *value = json_number_value(v);
    return 1;
}

/* ct_num for integers: any JSON integer as is (a queryid near 2^63 stays exact), a real truncated.
 * Returns 1 when present and numeric, else 0. */
int ct_int(const json_t *obj, const char *key, int64_t *value)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (json_is_integer(v)) { /* any int64, e.g. a queryid near 2^63 */
        *value = (int64_t)json_integer_value(v);
        return 1;
    }
    double d;
    if (!ct_num(obj, key, &d))
        return 0;
    *value = (int64_t)d;
    return 1;
}

const char *ct_str(const json_t *obj, const char *key)
{
    const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int ct_parse_time(const char *text, double *epoch)
{
    if (!text)
        return -1;
    int y, mo, d, h, mi;
    double sec;
    int used = 0;
    char sep;
    if (sscanf(text, "%4d-%2d-%2d%c%2d:%2d:%lf%n", &y, &mo, &d, &sep, &h, &mi, &sec, &used) != 7)
        return -1;
    if ((sep != 'T' && sep != ' ') || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec < 0 || sec >= 61)
        return -1;
    const char *tz = text + used;
    double offset = 0;
    if (*tz == 'Z' || *tz == 'z' || *tz == '\0') {
        /* UTC (the snapshot's convention; a missing zone is read as UTC) */
    } else if (*tz == '+' || *tz == '-') {
        int oh = 0, om = 0;
        if (sscanf(tz + 1, "%2d:%2d", &oh, &om) < 1 && sscanf(tz + 1, "%2d%2d", &oh, &om) < 1)
            return -1;
        offset = (oh * 3600.0 + om * 60.0) * (*tz == '-' ? -1 : 1);
    } else {
        return -1;
    }
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = 0;
    time_t t = timegm(&tm);
    *epoch = (double)t + sec - offset;
    return 0;
}

const json_t *ct_setting_row(const ct_t *ct, const char *name)
{
    return ct->settings_by_name ? json_object_get(ct->settings_by_name, name) : NULL;
}

/* ---- PostgreSQL 15's catalog for the settings this agent recommends: the
 * docs page (runtime-config-<page>.html), unit and context, used for the
 * link and when the snapshot lacks the pg_settings row. ---- */
typedef struct {
    const char *name;
    const char *page;
    const char *unit;
    int postmaster;
} setting_meta_t;

static const setting_meta_t setting_meta[] = {
    {"shared_buffers", "resource", "8kB", 1},
    {"huge_pages", "resource", NULL, 1},
    {"work_mem", "resource", "kB", 0},
    {"maintenance_work_mem", "resource", "kB", 0},
    {"autovacuum_work_mem", "resource", "kB", 0},
    {"effective_io_concurrency", "resource", NULL, 0},
    {"max_worker_processes", "resource", NULL, 1},
    {"max_parallel_workers_per_gather", "resource", NULL, 0},
    {"max_parallel_workers", "resource", NULL, 0},
    {"max_parallel_maintenance_workers", "resource", NULL, 0},
    {"effective_cache_size", "query", "8kB", 0},
    {"random_page_cost", "query", NULL, 0},
    {"default_statistics_target", "query", NULL, 0},
    {"jit", "query", NULL, 0},
    {"wal_buffers", "wal", "8kB", 1},
    {"wal_compression", "wal", NULL, 0},
    {"min_wal_size", "wal", "MB", 0},
    {"max_wal_size", "wal", "MB", 0},
    {"checkpoint_timeout", "wal", "s", 0},
    {"checkpoint_completion_target", "wal", NULL, 0},
    {"autovacuum_max_workers", "autovacuum", NULL, 1},
    {"autovacuum_naptime", "autovacuum", "s", 0},
    {"autovacuum_vacuum_threshold", "autovacuum", NULL, 0},
    {"autovacuum_vacuum_scale_factor", "autovacuum", NULL, 0},
    {"autovacuum_analyze_scale_factor", "autovacuum", NULL, 0},
    {"autovacuum_vacuum_cost_delay", "autovacuum", "ms", 0},
    {"autovacuum_vacuum_cost_limit", "autovacuum", NULL, 0},
    {"max_connections", "connection", NULL, 1},
    {"timescaledb.max_background_workers", NULL, NULL, 1},
};

/* PostgreSQL 15's catalog row for a setting this agent recommends, or NULL. */
static const setting_meta_t *meta_of(const char *name)
{
    for (size_t i = 0; i < sizeof setting_meta / sizeof setting_meta[0]; i++)
        if (strcmp(setting_meta[i].name, name) == 0)
            return &setting_meta[i];
    return NULL;
}

const char *ct_setting_unit(const ct_t *ct, const char *name)
{
    const json_t *row = ct_setting_row(ct, name);
    if (row)
        return ct_str(row, "unit");
    const setting_meta_t *m = meta_of(name);
    return m ? m->unit : NULL;
}

int ct_restart_required(const ct_t *ct, const char *name)
{
    const json_t *row = ct_setting_row(ct, name);
    const char *context = row ? ct_str(row, "context") : NULL;
    if (context)
        return strcmp(context, "postmaster") == 0;
    const setting_meta_t *m = meta_of(name);
    return m ? m->postmaster : 0;
}

void ct_doc_url(const ct_t *ct, const char *name, char *buf, size_t len)
{
    const setting_meta_t *m = meta_of(name);
    if (strncmp(name, "timescaledb.", 12) == 0 || (m && !m->page)) {
        snprintf(buf, len,
                 "https://docs.timescale.com/self-hosted/latest/configuration/"
                 "timescaledb-config/");
        return;
    }
    char anchor[128];
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof anchor; i++)
        anchor[i] = name[i] == '_' || name[i] == '.' ? '-' : (char)toupper((unsigned char)name[i]);
    anchor[i] = '\0';
    snprintf(buf, len, "https://www.postgresql.org/docs/%d/runtime-config-%s.html#GUC-%s",
             ct->pg_major, m ? m->page : "resource", anchor);
}

/* Unit string to a multiplier into base units (bytes or ms); kind 'm' for
 * memory, 't' for time, 0 when not a unit. */
static int unit_factor(const char *unit, double *factor, char *kind)
{
    if (!unit || !*unit)
        return 0;
    char *end;
    double n = strtod(unit, &end); /* "8kB", "16MB": a count of a unit */
    if (end == unit)
        n = 1;
    static const struct {
        const char *name;
        double factor;
        char kind;
    } units[] = {{"B", 1, 'm'},       {"kB", CT_KB, 'm'},        {"MB", CT_MB, 'm'},
                 {"GB", CT_GB, 'm'},  {"TB", CT_GB * 1024, 'm'}, {"us", 0.001, 't'},
                 {"ms", 1, 't'},      {"s", 1000, 't'},          {"min", 60000, 't'},
                 {"h", 3600000, 't'}, {"d", 86400000, 't'}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].name) == 0) {
            *factor = n * units[i].factor;
            *kind = units[i].kind;
            return 1;
        }
    }
    return 0;
}

int ct_setting_value(const ct_t *ct, const char *name, double *value)
{
    const json_t *row = ct_setting_row(ct, name);
    const char *setting = row ? ct_str(row, "setting") : NULL;
    if (!setting)
        return 0;
    const char *vartype = ct_str(row, "vartype");
    if (vartype && strcmp(vartype, "integer") != 0 && strcmp(vartype, "real") != 0)
        return 0;
    char *end;
    double v = strtod(setting, &end);
    if (end == setting || *end || !sane(v))
        return 0;
    double factor;
    char kind;
    /* Negative values are sentinels (-1 = "use another setting"): no unit. */
    if (v >= 0 && unit_factor(ct_str(row, "unit"), &factor, &kind))
        v *= factor;
    if (!sane(v))
        return 0;
    *value = v;
    return 1;
}

void ct_format_number(double v, char *buf, size_t len)
{
    if (isfinite(v) && v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, len, "%lld", (long long)v);
    else
        snprintf(buf, len, "%.6g", v);
}

void ct_format_bytes(double bytes, char *buf, size_t len)
{
    static const struct {
        const char *name;
        double factor;
    } units[] = {{"TB", CT_GB * 1024}, {"GB", CT_GB}, {"MB", CT_MB}, {"kB", CT_KB}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        double q = bytes / units[i].factor;
        if (bytes != 0 && q == floor(q) && q >= 1) {
            snprintf(buf, len, "%lld%s", (long long)q, units[i].name);
            return;
        }
    }
    if (sane(bytes))
        snprintf(buf, len, "%lldB", (long long)bytes);
    else
        snprintf(buf, len, "%g B", bytes);
}

/* Milliseconds with the largest unit that divides them exactly ("5min", "2h"), else in ms. */
void ct_format_ms(double ms, char *buf, size_t len)
{
    static const struct {
        const char *name;
        double factor;
    } units[] = {{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        double q = ms / units[i].factor;
        if (ms != 0 && q == floor(q) && q >= 1) {
            snprintf(buf, len, "%lld%s", (long long)q, units[i].name);
            return;
        }
    }
    char num[32];
    ct_format_number(ms, num, sizeof num);
    snprintf(buf, len, "%sms", num);
}

int ct_setting_human(const ct_t *ct, const char *name, char *buf, size_t len)
{
    buf[0] = '\0';
    const json_t *row = ct_setting_row(ct, name);
    const char *setting = row ? ct_str(row, "setting") : NULL;
    if (!setting)
        return 0;
    const char *vartype = ct_str(row, "vartype");
    double factor;
    char kind;
    char *end;
    double v = strtod(setting, &end);
    if (vartype && (strcmp(vartype, "integer") == 0 || strcmp(vartype, "real") == 0) &&
        end != setting && !*end && v >= 0 && sane(v) &&
        unit_factor(ct_str(row, "unit"), &factor, &kind)) {
        if (kind == 'm')
            ct_format_bytes(v * factor, buf, len);
        else
            ct_format_ms(v * factor, buf, len);
        return 1;
    }
    snprintf(buf, len, "%s", setting);
    return 1;
}

int ct_parse_value(const ct_t *ct, const char *name, const char *text, double *value)
{
    if (!text)
        return 0;
    char *end;
    double v = strtod(text, &end);
    if (end == text || !sane(v))
        return 0;
    while (*end == ' ')
        end++;
    if (!*end) {
        /* A bare number is in the setting's own unit. */
        double factor;
        char kind;
        if (v >= 0 && unit_factor(ct_setting_unit(ct, name), &factor, &kind))
            v *= factor;
        *value = v;
        return 1;
    }
    double factor;
    char kind;
    if (!unit_factor(end, &factor, &kind))
        return 0;
    *value = v * factor;
    return 1;
}

/* PostgreSQL's spellings of a boolean (on/off, true/false, yes/no, 1/0, any case) into *b. Returns
 * 1 when s is one, else 0. */
static int bool_text(const char *s, int *b)
{
    if (!s)
        return 0;
    if (!strcasecmp(s, "on") || !strcasecmp(s, "true") || !strcasecmp(s, "yes") ||
        !strcmp(s, "1")) {
        *b = 1;
        return 1;
    }
    if (!strcasecmp(s, "off") || !strcasecmp(s, "false") || !strcasecmp(s, "no") ||
        !strcmp(s, "0")) {
        *b = 0;
        return 1;
    }
    return 0;
}

/* 1 when current (pg_settings row) and recommended denote the same value. */
static int same_value(const ct_t *ct, const char *name, const char *recommended)
{
    const json_t *row = ct_setting_row(ct, name);
    const char *setting = row ? ct_str(row, "setting") : NULL;
    if (!setting)
        return 0;
    double cur, rec;
    if (ct_setting_value(ct, name, &cur) && ct_parse_value(ct, name, recommended, &rec))
        return fabs(cur - rec) <= 1e-9 * fmax(1.0, fabs(cur));
    int bc, br;
    const char *vartype = ct_str(row, "vartype");
    if (vartype && strcmp(vartype, "bool") == 0 && bool_text(setting, &bc) &&
        bool_text(recommended, &br))
        return bc == br;
    return strcasecmp(setting, recommended) == 0;
}

json_t *ct_entry(ct_t *ct, json_t *group, const char *name, const char *recommended,
                 const char *method, const char *reason)
{
    char current[64], doc[256];
    int have_current = ct_setting_human(ct, name, current, sizeof current);
    ct_doc_url(ct, name, doc, sizeof doc);
    const char *unit = ct_setting_unit(ct, name);
    int restart = ct_restart_required(ct, name);
    int change = recommended && have_current && !same_value(ct, name, recommended);
    /* Without a current value there is nothing to compare with: the setting
     * is still recommended (applying it is harmless when it is already so). */
    if (recommended && !have_current)
        change = 1;
    if (!have_current && json_object_size(ct->settings_by_name) > 0 &&
        strncmp(name, "timescaledb.", 12) != 0)
        json_array_append_new(ct->missing_settings, json_string(name));

    json_t *e = json_object();
    json_object_set_new(e, "current", have_current ? json_string(current) : json_null());
    json_object_set_new(e, "recommended", recommended ? json_string(recommended) : json_null());
    json_object_set_new(e, "reason", json_string(reason ? reason : ""));
    json_object_set_new(e, "unit", unit ? json_string(unit) : json_null());
    json_object_set_new(e, "restart_required", json_boolean(restart));
    json_object_set_new(e, "doc", json_string(doc));
    json_object_set_new(e, "method", json_string(method));
    json_object_set_new(e, "change", json_boolean(change));
    json_object_set_new(group, name, e);

    if (change) {
        json_t *c = json_object();
        json_object_set_new(c, "name", json_string(name));
        json_object_set_new(c, "value", json_string(recommended));
        const json_t *row = ct_setting_row(ct, name);
        const char *source = row ? ct_str(row, "source") : NULL;
        /* ALTER SYSTEM RESET restores the built-in value when that is what
         * runs now ("default", or "override": computed at startup, like
         * wal_buffers = -1); otherwise the current value is written back. */
        const char *sourcefile = row ? ct_str(row, "sourcefile") : NULL;
        size_t sflen = sourcefile ? strlen(sourcefile) : 0;
        /* A value from postgresql.conf (not postgresql.auto.conf, which
         * ALTER SYSTEM RESET would lose) also comes back with RESET; that
         * needs pg_settings.sourcefile, which only superusers see. */
        int from_conf =
            source && strcmp(source, "configuration file") == 0 && sflen > 0 &&
            (sflen < 20 || strcmp(sourcefile + sflen - 20, "postgresql.auto.conf") != 0);
        int reset = !have_current || from_conf ||
                    (source && (strcmp(source, "default") == 0 || strcmp(source, "override") == 0));
        json_object_set_new(c, "current_sql", have_current ? json_string(current) : json_null());
        json_object_set_new(c, "reset", json_boolean(reset));
        json_object_set_new(c, "restart", json_boolean(restart));
        json_array_append_new(ct->changes, c);
    }
    return e;
}

/* PostgreSQL 15 reserved key words (and the "type or function name" ones),
 * which must be quoted as identifiers. */
static const char *const reserved_words[] = {
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "not",
    "notnull",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
};

void ct_quote_ident(const char *ident, char *buf, size_t len)
{
    int plain = ident[0] && (islower((unsigned char)ident[0]) || ident[0] == '_');
    for (const char *p = ident; plain && *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '$'))
            plain = 0;
    for (size_t i = 0; plain && i < sizeof reserved_words / sizeof reserved_words[0]; i++)
        if (strcmp(ident, reserved_words[i]) == 0)
            plain = 0;
    if (plain) {
        snprintf(buf, len, "%s", ident);
        return;
    }
    size_t o = 0;
    if (o + 1 < len)
        buf[o++] = '"';
    for (const char *p = ident; *p && o + 3 < len; p++) {
        if (*p == '"')
            buf[o++] = '"';
        buf[o++] = *p;
    }
    if (o + 1 < len)
        buf[o++] = '"';
    buf[o < len ? o : len - 1] = '\0';
}

void ct_quote_literal(const char *text, char *buf, size_t len)
{
    size_t o = 0;
    if (o + 1 < len)
        buf[o++] = '\'';
    for (const char *p = text; *p && o + 3 < len; p++) {
        if (*p == '\'')
            buf[o++] = '\'';
        buf[o++] = *p;
    }
    if (o + 1 < len)
        buf[o++] = '\'';
    buf[o < len ? o : len - 1] = '\0';
}
