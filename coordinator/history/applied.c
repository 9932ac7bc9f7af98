/*
 * applied.c - verification of applied advice (applied.h).
 */
#include "coordinator/history/applied.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/alloc.h"
#include "common/jsonget.h"
#include "common/steptest.h"
#include "common/strbuf.h"
#include "coordinator/history/history.h"

#define MIN_SIDE     3
#define HELPED_RATIO 1.5 /* same threshold as the agent's step test */
#define ALPHA        0.05
#define STATS_LAG_S  60 /* the longest a backend defers its statistics (PGSTAT_MAX_INTERVAL) */

typedef struct {
    double t;
    const json_t *e;
} ent_t;

static int cmp_ent(const void *a, const void *b)
{
    double x = ((const ent_t *)a)->t, y = ((const ent_t *)b)->t;
    return x < y ? -1 : x > y;
}

/* "CREATE INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON [ONLY] table [USING m]
 * (cols) [INCLUDE (..)] [WHERE ..]" -> table and the text from "(" on,
 * lower-cased without spaces or quotes, for comparison with
 * pg_get_indexdef() of an existing index. */
static int index_shape(const char *sql, char *table, size_t tlen, char *rest, size_t rlen)
{
    if (!sql)
        return -1;
    const char *on = strcasestr(sql, " ON ");
    if (!on)
        return -1;
    const char *p = on + 4;
    while (*p == ' ')
        p++;
    if (!strncasecmp(p, "ONLY ", 5))
        p += 5;
    size_t n = strcspn(p, " (");
    snprintf(table, tlen, "%.*s", (int)n, p);
    const char *paren = strchr(p, '(');
    if (!paren)
        return -1;
    size_t k = 0;
    for (const char *q = paren; *q && k + 1 < rlen; q++) {
        if (*q == ';')
            break;
        if (isspace((unsigned char)*q) || *q == '"')
            continue;
        rest[k++] = (char)tolower((unsigned char)*q);
    }
    rest[k] = 0;
    return 0;
}

/* Whether two table names denote the same table, case-insensitively: the
 * relation names must match, the schemas too when both carry one
 * ("public.orders" matches "orders"). 1 or 0; cannot fail. */
static int same_table(const char *a, const char *b)
{
    /* "public.orders" vs "orders": compare the relation names, and the
     * schemas when both are given. */
    const char *da = strrchr(a, '.'), *db = strrchr(b, '.');
    const char *na = da ? da + 1 : a, *nb = db ? db + 1 : b;
    if (strcasecmp(na, nb) != 0)
        return 0;
    if (da && db)
        return (size_t)(da - a) == (size_t)(db - b) && !strncasecmp(a, b, (size_t)(da - a));
    return 1;
}

/* The entry's index matching the recommended shape, or NULL. */
static const json_t *find_index(const json_t *entry, const char *table, const char *rest)
{
    size_t i;
    const json_t *ix;
    json_array_foreach(json_object_get(entry, "indexes"), i, ix)
    {
        char t[256], r[1024];
        if (index_shape(jget_str(ix, "definition"), t, sizeof t, r, sizeof r) != 0)
            continue;
        if (same_table(t, table) && !strcmp(r, rest))
            return ix;
    }
    return NULL;
}

/* "9709kB", "2GB", "16384 8kB", "0.9", "on" -> a comparable value: bytes
 * for memory, milliseconds for time, the number otherwise; strings compare
 * as text (*is_num 0). */
static double norm_value(const char *v, int *is_num, char *text, size_t tlen)
{
    *is_num = 0;
    snprintf(text, tlen, "%s", v ? v : "");
    if (!v)
        return NAN;
    char *end;
    double x = strtod(v, &end);
    if (end == v)
        return NAN;
    while (*end == ' ')
        end++;
    static const struct {
        const char *u;
        double f;
    } units[] = {
        {"8kB", 8192},
        {"16MB", 16777216},
        {"kB", 1024},
        {"MB", 1048576},
        {"GB", 1073741824.0},
        {"TB", 1099511627776.0},
        {"B", 1},
        {"ms", 1},
        {"s", 1000},
        {"min", 60000},
        {"h", 3600000},
        {"d", 86400000},
        {"", 1},
    };
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (!strcmp(end, units[i].u)) {
            *is_num = 1;
            return x * units[i].f;
        }
    return NAN;
}

/* A setting's value as a DBA writes it: pg_settings' "16384 8kB" is
 * "128MB", "128 MB" is "128MB"; other values unchanged. */
static const char *pretty_setting(const char *v, char *out, size_t len)
{
    snprintf(out, len, "%s", v ? v : "?");
    char *end;
    double x = v ? strtod(v, &end) : NAN;
    if (!v || end == v || !isfinite(x))
        return out;
    while (*end == ' ')
        end++;
    int is_num;
    char t[8];
    double bytes = norm_value(v, &is_num, t, sizeof t);
    int memory = strstr(end, "B") != NULL && is_num;
    if (memory) {
        static const struct {
            const char *u;
            double f;
        } units[] = {{"TB", 1099511627776.0}, {"GB", 1073741824.0}, {"MB", 1048576}, {"kB", 1024}};
        for (size_t i = 0; i < sizeof units / sizeof *units; i++)
            if (bytes >= units[i].f && fmod(bytes, units[i].f) == 0) {
                snprintf(out, len, "%.0f%s", bytes / units[i].f, units[i].u);
                return out;
            }
        snprintf(out, len, "%.0fB", bytes);
    } else if (*end && is_num) {
        snprintf(out, len, "%.*s%s", (int)(end - v), v, end); /* "200 ms" -> "200 ms" kept */
        size_t k = 0;
        for (size_t i = 0; out[i]; i++)
            if (out[i] != ' ')
                out[k++] = out[i];
        out[k] = 0;
    }
    return out;
}

/* Whether a setting's current value is the recommended one: numerically, with
 * units normalised, when both parse as numbers, else as case-insensitive
 * text. 1 or 0; cannot fail. */
static int same_setting(const char *current, const char *recommended)
{
    int na, nb;
    char ta[128], tb[128];
    double a = norm_value(current, &na, ta, sizeof ta);
    double b = norm_value(recommended, &nb, tb, sizeof tb);
    if (na && nb)
        return fabs(a - b) <= 1e-9 * fmax(1, fabs(b));
    return !strcasecmp(ta, tb);
}

/* Per-interval (delta time / delta calls) of the statements in ids (all
 * when ids is empty) between consecutive entries carrying statements. */
typedef struct {
    double t0, t1, mean, calls, time;
} ipt_t;

/* Whether queryid q is one of ids (every queryid is when ids is empty). 1 or
 * 0; a non-integer element matches nothing. */
static int in_ids(const json_t *ids, json_int_t q)
{
    if (json_array_size(ids) == 0)
        return 1;
    size_t i;
    const json_t *v;
    json_array_foreach(ids, i, v)
    {
        if (json_is_integer(v) && json_integer_value(v) == q)
            return 1;
    }
    return 0;
}

/* 1 when q is in ids (an empty list holds nothing, unlike in_ids). */
static int in_ids_strict(const json_t *ids, json_int_t q)
{
    return json_array_size(ids) > 0 && in_ids(ids, q);
}

/* Total calls and total_exec_time over history entry e's statements in ids
 * (all when ids is empty) into *calls and *time; rows with a missing or
 * non-finite number are left out, no statements give 0. */
static void sums(const json_t *e, const json_t *ids, double *calls, double *time)
{
    *calls = *time = 0;
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(e, "statements"), i, r)
    {
        if (!in_ids(ids, json_integer_value(json_object_get(r, "queryid"))))
            continue;
        double c = jget_num(r, "calls"), t = jget_num(r, "total_exec_time");
        if (isfinite(c) && isfinite(t)) {
            *calls += c;
            *time += t;
        }
    }
}

/* Fills out (room for ne) with one point per pair of consecutive entries that
 * carry statements: the interval's time per call of the statements in ids.
 * Returns how many; an interval whose delta is negative (a reset, an
 * eviction) or has no calls gives none. */
static size_t intervals(const ent_t *es, size_t ne, const json_t *ids, ipt_t *out)
{
    size_t n = 0, prev = ne;
    double pc = 0, pt = 0;
    for (size_t i = 0; i < ne; i++) {
        if (!json_is_array(json_object_get(es[i].e, "statements")))
            continue;
        double c, t;
        sums(es[i].e, ids, &c, &t);
        if (prev < ne) {
            double dc = c - pc, dt = t - pt;
            /* A reset or an eviction makes a delta negative: skip it. */
            if (dc > 0 && dt >= 0)
                out[n++] = (ipt_t){es[prev].t, es[i].t, dt / dc, dc, dt};
        }
        prev = i;
        pc = c;
        pt = t;
    }
    return n;
}

static void fmt_time(double t, char *buf, size_t len)
{
    history_format_time((int64_t)floor(t), buf, len);
}

/* Measures time per call of the statements ids_before before t_before and
 * of ids_after after t_after (the same statements for an index or a
 * setting; the original, then the rewritten statement for a rewrite);
 * fills m and returns the verdict. */
static const char *measure(const ent_t *es, size_t ne, const json_t *ids_before,
                           const json_t *ids_after, double t_before, double t_after, json_t *m)
{
    ipt_t *pts = xmalloc((ne ? ne : 1) * sizeof *pts);
    double xb[STEPTEST_MAX_N], xa[STEPTEST_MAX_N];
    size_t nb = 0, na = 0;
    double cb = 0, tb = 0, ca = 0, ta = 0;
    /* The most recent STEPTEST_MAX_N / 2 intervals on each side. */
    size_t n = intervals(es, ne, ids_before, pts);
    for (size_t i = n; i-- > 0;) {
        if (pts[i].t1 <= t_before + 1e-3 && nb < STEPTEST_MAX_N / 2) {
            xb[nb++] = pts[i].mean;
            cb += pts[i].calls;
            tb += pts[i].time;
        }
    }
    n = intervals(es, ne, ids_after, pts);
    for (size_t i = 0; i < n; i++) {
        if (pts[i].t0 >= t_after - 1e-3 && na < STEPTEST_MAX_N / 2) {
            xa[na++] = pts[i].mean;
            ca += pts[i].calls;
            ta += pts[i].time;
        }
    }
    free(pts);
    json_object_set_new(m, "intervals_before", json_integer((json_int_t)nb));
    json_object_set_new(m, "intervals_after", json_integer((json_int_t)na));
    if (nb < MIN_SIDE || na < MIN_SIDE || cb <= 0 || ca <= 0) {
        json_object_set_new(m, "status",
                            json_sprintf("needs >= %d intervals with calls on each side, have %zu "
                                         "before and %zu after",
                                         MIN_SIDE, nb, na));
        return nb < MIN_SIDE ? "not measurable" : "too early to tell";
    }
    double mb = tb / cb, ma = ta / ca;
    /* U for "after is lower": pairs where the after value exceeds the
     * before one (ties 1/2); small U = faster after. */
    double u_down = 0, u_up = 0;
    for (size_t j = 0; j < na; j++)
        for (size_t i = 0; i < nb; i++) {
            u_down += xa[j] > xb[i] ? 1 : xa[j] == xb[i] ? 0.5 : 0;
            u_up += xa[j] < xb[i] ? 1 : xa[j] == xb[i] ? 0.5 : 0;
        }
    double p_down = steptest_mw_p(nb, na, u_down), p_up = steptest_mw_p(nb, na, u_up);
    json_object_set_new(m, "mean_ms_before", json_real(mb));
    json_object_set_new(m, "mean_ms_after", json_real(ma));
    json_object_set_new(m, "calls_before", json_real(cb));
    json_object_set_new(m, "calls_after", json_real(ca));
    json_object_set_new(m, "speedup", json_real(ma > 0 ? mb / ma : INFINITY));
    json_object_set_new(m, "p_faster", json_real(p_down));
    json_object_set_new(m, "p_slower", json_real(p_up));
    json_object_set_new(m, "test",
                        json_sprintf("exact one-sided Mann-Whitney on per-interval time per call, "
                                     "%zu intervals before and %zu after the change (split fixed "
                                     "by the change, no search)",
                                     nb, na));
    if (ma > 0 && mb / ma >= HELPED_RATIO && p_down <= ALPHA)
        return "helped";
    if (mb > 0 && ma / mb >= HELPED_RATIO && p_up <= ALPHA)
        return "made it worse";
    return "did not help";
}

typedef struct {
    ent_t *es;
    size_t ne;
    json_t *items;
} ctx_t;

static json_t *item(const char *id, const char *kind, const char *title)
{
    return json_pack("{s:s, s:s, s:s}", "id", id ? id : "?", "kind", kind, "title",
                     title ? title : "?");
}

/* The plan_hash (generic-plan shape) of statement q in history entry e, or
 * NULL when the entry holds none for it (only the top statements carry one). */
static const char *plan_hash_of(const json_t *e, json_int_t q)
{
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(e, "statements"), i, r)
    {
        if (json_integer_value(json_object_get(r, "queryid")) == q && jget_str(r, "plan_hash"))
            return jget_str(r, "plan_hash");
    }
    return NULL;
}

/* 1 when every statement in ids (at least one) has a plan hash in both
 * entries and they are equal: the index appeared between them and changed
 * none of their generic plans; the hash of the first one into hash. */
static int plans_unchanged(const json_t *before, const json_t *after, const json_t *ids, char *hash,
                           size_t len)
{
    if (json_array_size(ids) == 0)
        return 0;
    size_t i;
    const json_t *v;
    json_array_foreach(ids, i, v)
    {
        const char *hb = plan_hash_of(before, json_integer_value(v));
        const char *ha = plan_hash_of(after, json_integer_value(v));
        if (!hb || !ha || strcmp(hb, ha) != 0)
            return 0;
        if (i == 0)
            snprintf(hash, len, "%s", hb);
    }
    return 1;
}

/* Checks one recommended index (rec) against the history: whether a valid
 * index of the same shape appeared, when, and, with entries before it, the
 * time per call of the affected statements before and after. Appends the item
 * to c->items; what cannot be told (a create statement that does not parse, a
 * history without index definitions) is the verdict "not checked" with why. */
static void verify_index(ctx_t *c, const json_t *rec)
{
    const char *sql = jget_str(rec, "create_statement");
    json_t *it = item(jget_str(rec, "id"), "index", sql);
    char table[256], rest[1024];
    if (index_shape(sql, table, sizeof table, rest, sizeof rest) != 0) {
        json_object_set_new(it, "applied", json_null());
        json_object_set_new(it, "verdict", json_string("not checked"));
        json_object_set_new(it, "evidence", json_string("the create statement does not parse"));
        json_array_append_new(c->items, it);
        return;
    }
    size_t first = c->ne, last_without = c->ne;
    const json_t *found = NULL;
    int have_indexes = 0;
    for (size_t i = 0; i < c->ne; i++) {
        if (!json_is_array(json_object_get(c->es[i].e, "indexes")))
            continue;
        have_indexes = 1;
        const json_t *ix = find_index(c->es[i].e, table, rest);
        if (ix && json_is_true(json_object_get(ix, "is_valid"))) {
            if (first == c->ne) {
                first = i;
                found = ix;
            }
        } else {
            first = c->ne; /* dropped again: the latest appearance counts */
            found = NULL;
            last_without = i;
        }
    }
    json_object_set_new(it, "predicted",
                        json_string(jget_str(rec, "estimated_improvement")
                                        ? jget_str(rec, "estimated_improvement")
                                        : "not estimated"));
    if (!have_indexes) {
        json_object_set_new(it, "applied", json_null());
        json_object_set_new(it, "verdict", json_string("not checked"));
        json_object_set_new(it, "evidence",
                            json_string("the history has no index definitions (recorded by "
                                        "pgopt-coordinator snapshot since issue 16)"));
    } else if (!found) {
        json_object_set_new(it, "applied", json_false());
        json_object_set_new(it, "verdict", json_string("not applied"));
        json_object_set_new(
            it, "evidence",
            json_sprintf("no valid index on %s %s in the newest history entry", table, rest));
    } else {
        json_object_set_new(it, "applied", json_true());
        char a[32] = "", b[32];
        fmt_time(c->es[first].t, b, sizeof b);
        if (last_without < c->ne)
            fmt_time(c->es[last_without].t, a, sizeof a);
        json_object_set_new(it, "applied_between",
                            last_without < c->ne ? json_pack("[s, s]", a, b) : json_null());
        json_object_set_new(it, "evidence",
                            json_sprintf("index %s exists and is valid: %s",
                                         jget_str(found, "name"), jget_str(found, "definition")));
        json_t *m = json_object();
        const char *verdict = last_without < c->ne
                                  ? measure(c->es, c->ne, json_object_get(rec, "affected_queryids"),
                                            json_object_get(rec, "affected_queryids"),
                                            c->es[last_without].t, c->es[first].t, m)
                                  : "not measurable";
        if (last_without == c->ne)
            json_object_set_new(m, "status",
                                json_string("the index exists since the first "
                                            "history entry: no before to compare"));
        /* An index no statement has scanned since it appeared (its
         * idx_scan, from pg_stat_user_indexes, the same in the newest
         * entry as when it was first seen) neither helped nor hurt any
         * plan: a time change of its statements, either way, has another
         * cause (a busier server, a warmer cache), and it only costs
         * writes. A backend reports its scans up to a minute late
         * (PostgreSQL 15 flushes its statistics at most once a second,
         * and defers them under lock contention up to PGSTAT_MAX_INTERVAL,
         * 60 s), so the rule needs the index seen for longer than that.
         * Histories from before idx_scan was kept lack it. */
        double s0 = jget_num(found, "idx_scan");
        const json_t *newest = find_index(c->es[c->ne - 1].e, table, rest);
        double s1 = newest ? jget_num(newest, "idx_scan") : NAN;
        if ((!strcmp(verdict, "helped") || !strcmp(verdict, "made it worse")) && isfinite(s0) &&
            isfinite(s1) && s1 == s0 && c->es[c->ne - 1].t - c->es[first].t > STATS_LAG_S) {
            json_object_set_new(
                m, "not_attributed",
                json_sprintf("%s after, but the index was not scanned once since it appeared "
                             "(idx_scan %.0f in both the first and the newest snapshot with it): "
                             "no plan uses it, so the change is not its doing",
                             !strcmp(verdict, "helped") ? "faster" : "slower", s0));
            verdict = "did not help";
        }
        /* A slower time per call is blamed on the index only when it
         * changed a plan: with the same generic plan before and after, the
         * statements do not use it, and the slowdown (a busier server, a
         * colder cache) has another cause. The advice is the same either
         * way (roll it back); the claim of harm needs the plan change. */
        char hash[64];
        if (!strcmp(verdict, "made it worse") && !json_object_get(m, "not_attributed") &&
            plans_unchanged(c->es[last_without].e, c->es[first].e,
                            json_object_get(rec, "affected_queryids"), hash, sizeof hash)) {
            verdict = "did not help";
            json_object_set_new(
                m, "not_attributed",
                json_sprintf("slower after, but the generic plan of every affected statement is "
                             "the same before and after (plan hash %s): the index is not in "
                             "their plans, so the slowdown is not its doing",
                             hash));
        }
        json_object_set_new(it, "measured", m);
        json_object_set_new(it, "verdict", json_string(verdict));
        if (!strcmp(verdict, "did not help") || !strcmp(verdict, "made it worse"))
            json_object_set_new(it, "rollback",
                                json_string(jget_str(rec, "rollback") ? jget_str(rec, "rollback")
                                            : jget_str(rec, "drop_statement")
                                                ? jget_str(rec, "drop_statement")
                                                : "DROP INDEX ..."));
    }
    json_array_append_new(c->items, it);
}

/* Checks one recommended setting (name, its recommendation s) against the
 * settings the history recorded: whether and when the value took effect, and,
 * with entries before it, the time per call of all statements before and
 * after. Appends the item to c->items; a history without settings gives the
 * verdict "not checked". */
static void verify_setting(ctx_t *c, const char *name, const json_t *s)
{
    const char *want = jget_str(s, "recommended");
    char title[256], pv[64];
    snprintf(title, sizeof title, "%s = %s", name, want ? want : "?");
    json_t *it = item(name, "setting", title);
    json_object_set_new(it, "predicted",
                        json_string(jget_str(s, "reason") ? jget_str(s, "reason") : ""));
    size_t first = c->ne, last_without = c->ne;
    int have = 0;
    const char *now = NULL;
    for (size_t i = 0; i < c->ne; i++) {
        const json_t *map = json_object_get(c->es[i].e, "settings");
        if (!json_is_object(map))
            continue;
        have = 1;
        now = jget_str(map, name);
        if (now && same_setting(now, want)) {
            if (first == c->ne)
                first = i;
        } else {
            first = c->ne;
            last_without = i;
        }
    }
    if (!have) {
        json_object_set_new(it, "applied", json_null());
        json_object_set_new(it, "verdict", json_string("not checked"));
        json_object_set_new(it, "evidence", json_string("the history has no settings"));
    } else if (first == c->ne) {
        json_object_set_new(it, "applied", json_false());
        json_object_set_new(it, "verdict", json_string("not applied"));
        json_object_set_new(
            it, "evidence",
            json_sprintf("%s is %s in the newest entry", name,
                         now ? pretty_setting(now, pv, sizeof pv) : "at its built-in default"));
    } else {
        json_object_set_new(it, "applied", json_true());
        json_object_set_new(it, "evidence",
                            json_sprintf("%s is %s", name, pretty_setting(now, pv, sizeof pv)));
        json_t *m = json_object();
        const char *verdict =
            last_without < c->ne
                ? measure(c->es, c->ne, NULL, NULL, c->es[last_without].t, c->es[first].t, m)
                : "not measurable";
        if (last_without < c->ne) {
            char a[32], b[32];
            fmt_time(c->es[last_without].t, a, sizeof a);
            fmt_time(c->es[first].t, b, sizeof b);
            json_object_set_new(it, "applied_between", json_pack("[s, s]", a, b));
        }
        json_object_set_new(it, "measured", m);
        json_object_set_new(it, "verdict", json_string(verdict));
        if (!strcmp(verdict, "did not help") || !strcmp(verdict, "made it worse"))
            json_object_set_new(
                it, "rollback",
                json_sprintf("ALTER SYSTEM SET %s = '%s'; SELECT "
                             "pg_reload_conf();  -- the value before: check "
                             "`current` in the earlier result",
                             name, jget_str(s, "current") ? jget_str(s, "current") : "?"));
    }
    json_array_append_new(c->items, it);
}

/* Calls of the statements ids per interval between consecutive entries
 * carrying statements, zero-call intervals included (a negative delta, a
 * reset, gives no interval). */
typedef struct {
    double t0, t1, calls;
} cpt_t;

/* Fills out (room for ne) with the calls of the statements in ids per
 * interval between consecutive entries carrying statements, zero-call
 * intervals included. Returns how many; a negative delta gives no interval. */
static size_t call_intervals(const ent_t *es, size_t ne, const json_t *ids, cpt_t *out)
{
    size_t n = 0, prev = ne;
    double pc = 0;
    for (size_t i = 0; i < ne; i++) {
        if (!json_is_array(json_object_get(es[i].e, "statements")))
            continue;
        double cl, t;
        sums(es[i].e, ids, &cl, &t);
        if (prev < ne && cl >= pc)
            out[n++] = (cpt_t){es[prev].t, es[i].t, cl - pc};
        prev = i;
        pc = cl;
    }
    return n;
}

/* Appends to ids the queryids of the statements whose text fingerprint is
 * fp, other than orig: the rewritten statement (several queryids when it
 * runs under several users). -1 when no entry carries fingerprints. */
static int fingerprint_ids(const ent_t *es, size_t ne, const char *fp, json_int_t orig, json_t *ids)
{
    int have = 0;
    for (size_t i = 0; i < ne; i++) {
        size_t k;
        const json_t *r;
        json_array_foreach(json_object_get(es[i].e, "statements"), k, r)
        {
            const char *f = jget_str(r, "text_fingerprint");
            json_int_t q = json_integer_value(json_object_get(r, "queryid"));
            if (!f)
                continue;
            have = 1;
            if (strcmp(f, fp) != 0 || q == orig || in_ids_strict(ids, q))
                continue;
            json_array_append_new(ids, json_integer(q));
        }
    }
    return have ? 0 : -1;
}

/* Why the rewritten statement cannot be looked for in the history, or NULL
 * (then *fp is its fingerprint and rw_ids its queryids, maybe none). */
static const char *rewritten_ids(const ctx_t *c, const json_t *rw, json_int_t orig, char *fp,
                                 size_t fplen, json_t *rw_ids)
{
    char fo[32];
    if (history_fingerprint(jget_str(rw, "optimized"), fp, fplen) != 0)
        return "the rewritten SQL does not parse, so it has no fingerprint to look for";
    if (history_fingerprint(jget_str(rw, "original"), fo, sizeof fo) == 0 && !strcmp(fo, fp))
        return "the rewritten statement has the original's text fingerprint (they differ only "
               "in constants or list lengths), so the history cannot tell them apart";
    if (fingerprint_ids(c->es, c->ne, fp, orig, rw_ids) != 0)
        return "the history keeps no statement fingerprints (snapshots taken by an older "
               "pgopt-coordinator): the rewritten statement cannot be looked for";
    return NULL;
}

/* A code change (the query rewriter's findings in application code): its
 * effect is fewer calls or round trips of a statement, not a faster
 * rewritten statement, so it is listed, not verified. */
static void code_change(ctx_t *c, const json_t *rw)
{
    char title[512];
    const json_t *line = json_object_get(rw, "line");
    snprintf(title, sizeof title, "%s%s%.0f%s%s%s", jget_str(rw, "file"),
             json_is_number(line) ? ":" : "", json_is_number(line) ? json_number_value(line) : 0,
             jget_str(rw, "type") ? " (" : "", jget_str(rw, "type") ? jget_str(rw, "type") : "",
             jget_str(rw, "type") ? ")" : "");
    if (!json_is_number(line)) /* no ":0" */
        snprintf(title, sizeof title, "%s", jget_str(rw, "file"));
    json_t *it = item(jget_str(rw, "id"), "code", title);
    json_object_set_new(it, "applied", json_null());
    json_object_set_new(it, "verdict", json_string("not checked"));
    json_object_set_new(it, "evidence",
                        json_string("a change to application code, not verified: its effect "
                                    "is fewer calls or round trips of a statement, which the "
                                    "history shows but cannot tie to this change"));
    json_array_append_new(c->items, it);
}

/* Checks one query rewrite (rw) against the history: a code rewrite (with a
 * file) goes to code_change; otherwise whether the original statement
 * stopped being called, when the rewritten one (found by its text's
 * fingerprint) started, and the time per call of the one before against the
 * other after. Appends the item to c->items; without a queryid for the
 * original it is the verdict "not checked" with that reason as evidence. */
static void verify_rewrite(ctx_t *c, const json_t *rw)
{
    if (jget_str(rw, "file")) {
        code_change(c, rw);
        return;
    }
    json_t *qid = json_object_get(rw, "queryid");
    json_t *it = item(jget_str(rw, "id"), "rewrite", jget_str(rw, "optimized"));
    json_object_set_new(it, "predicted",
                        json_string(jget_str(rw, "estimated_gain") ? jget_str(rw, "estimated_gain")
                                                                   : "not estimated"));
    if (!json_is_integer(qid)) {
        json_object_set_new(it, "applied", json_null());
        json_object_set_new(it, "verdict", json_string("not checked"));
        json_object_set_new(it, "evidence", json_string("no queryid for the original statement"));
        json_array_append_new(c->items, it);
        return;
    }
    cpt_t *po = xmalloc((c->ne ? c->ne : 1) * sizeof *po);
    cpt_t *pr = xmalloc((c->ne ? c->ne : 1) * sizeof *pr);
    json_int_t orig = json_integer_value(qid);
    /* The original: called at some point, then not in the last MIN_SIDE
     * intervals. */
    json_t *orig_ids = json_pack("[I]", orig);
    size_t no = call_intervals(c->es, c->ne, orig_ids, po), zero_tail = 0;
    double ever = 0;
    for (size_t k = 0; k < no; k++) {
        ever += po[k].calls;
        zero_tail = po[k].calls == 0 ? zero_tail + 1 : 0;
    }
    int stopped = ever > 0 && zero_tail >= MIN_SIDE;
    /* The rewritten statement: the first interval in which it is called. */
    char fp[32] = "";
    json_t *rw_ids = json_array();
    const char *why = rewritten_ids(c, rw, orig, fp, sizeof fp, rw_ids);
    size_t nr = 0, onset = 0;
    int seen = 0;
    if (!why && json_array_size(rw_ids) > 0) {
        nr = call_intervals(c->es, c->ne, rw_ids, pr);
        while (onset < nr && pr[onset].calls == 0)
            onset++;
        seen = onset < nr;
    }
    strbuf_t ev = {0};
    strbuf_printf(&ev, "original queryid %lld: %s", (long long)orig,
                  stopped    ? "no calls in the last intervals after being called"
                  : ever > 0 ? "still called"
                             : "not called in the history");
    if (seen) {
        char a[32], b[32];
        fmt_time(pr[onset].t0, a, sizeof a);
        fmt_time(pr[onset].t1, b, sizeof b);
        json_object_set_new(it, "applied", json_true());
        if (onset > 0)
            json_object_set_new(it, "applied_between", json_pack("[s, s]", a, b));
        strbuf_printf(&ev, "; rewritten statement (text fingerprint %s, queryid", fp);
        for (size_t k = 0; k < json_array_size(rw_ids); k++)
            strbuf_printf(&ev, "%s %lld", k ? "," : "",
                          (long long)json_integer_value(json_array_get(rw_ids, k)));
        if (onset > 0)
            strbuf_printf(&ev, ") first called between %s and %s", a, b);
        else
            strbuf_add(&ev, ") called since the first history interval: the workload ran it "
                            "before the history starts");
        if (!stopped && ever > 0)
            strbuf_add(&ev, "; both are called: the rewrite is applied on part of the workload");
        json_t *m = json_object();
        const char *verdict = "not measurable";
        if (onset == 0)
            json_object_set_new(m, "status", json_string("no before to compare"));
        else
            verdict = measure(c->es, c->ne, orig_ids, rw_ids, pr[onset].t0, pr[onset].t1, m);
        json_object_set_new(m, "before_is", json_string("the original statement"));
        json_object_set_new(m, "after_is", json_string("the rewritten statement"));
        json_object_set_new(it, "measured", m);
        json_object_set_new(it, "verdict", json_string(verdict));
        if (!strcmp(verdict, "did not help") || !strcmp(verdict, "made it worse"))
            json_object_set_new(
                it, "rollback",
                json_sprintf("go back to the original statement: %s",
                             jget_str(rw, "original") ? jget_str(rw, "original") : "(not kept)"));
    } else if (stopped) {
        json_object_set_new(it, "applied", json_null());
        json_object_set_new(it, "verdict",
                            json_string("original no longer called, rewritten statement not seen"));
        if (why)
            strbuf_printf(&ev, "; %s", why);
        else
            strbuf_printf(&ev,
                          "; no statement with the rewritten text's fingerprint %s was called "
                          "(the code may have changed otherwise, or stopped running it)",
                          fp);
    } else {
        json_object_set_new(it, "applied", json_false());
        json_object_set_new(it, "verdict", json_string("not applied"));
        if (why)
            strbuf_printf(&ev, "; %s", why);
        else
            strbuf_printf(&ev, "; no statement with the rewritten text's fingerprint %s was called",
                          fp);
    }
    char *e = strbuf_take(&ev);
    json_object_set_new(it, "evidence", json_string(e ? e : ""));
    free(e);
    json_decref(orig_ids);
    json_decref(rw_ids);
    free(po);
    free(pr);
    json_array_append_new(c->items, it);
}

int applied_verify(const json_t *result, const json_t *history, json_t **out, err_t *err)
{
    *out = NULL;
    if (!json_is_object(result) || !json_object_get(result, "phase"))
        return err_set(err, "verify: the result is not a phase3_output (no \"phase\")");
    size_t nh = json_array_size(history);
    ctx_t c = {xmalloc((nh ? nh : 1) * sizeof(ent_t)), 0, json_array()};
    for (size_t i = 0; i < nh; i++) {
        const json_t *e = json_array_get(history, i);
        double t;
        if (history_parse_time(jget_str(e, "collected_at"), &t, NULL) == 0)
            c.es[c.ne++] = (ent_t){t, e};
    }
    qsort(c.es, c.ne, sizeof *c.es, cmp_ent);
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(json_object_get(result, "index_advisor"), "recommendations"),
                       i, r) verify_index(&c, r);
    const json_t *pg = json_object_get(json_object_get(result, "config_tuner"), "postgresql");
    const char *group;
    const json_t *g;
    json_object_foreach((json_t *)pg, group, g)
    {
        const char *name;
        const json_t *s;
        if (!json_is_object(g))
            continue;
        json_object_foreach((json_t *)g, name, s)
        {
            if (json_is_object(s) && json_is_true(json_object_get(s, "change")) &&
                jget_str(s, "recommended"))
                verify_setting(&c, name, s);
        }
    }
    json_array_foreach(json_object_get(json_object_get(result, "query_rewriter"), "rewrites"), i, r)
        verify_rewrite(&c, r);
    char from[32] = "", to[32] = "";
    if (c.ne) {
        fmt_time(c.es[0].t, from, sizeof from);
        fmt_time(c.es[c.ne - 1].t, to, sizeof to);
    }
    *out = json_pack("{s:s, s:{s:I, s:o, s:o}, s:o}", "result_timestamp",
                     jget_str(result, "timestamp") ? jget_str(result, "timestamp") : "?", "history",
                     "entries", (json_int_t)c.ne, "from", c.ne ? json_string(from) : json_null(),
                     "to", c.ne ? json_string(to) : json_null(), "items", c.items);
    free(c.es);
    return 0;
}

const char *applied_fmt_ratio(double r, char *buf, size_t len)
{
    /* %.3g would print 2240 as 2.24e+03 */
    snprintf(buf, len, r >= 100 ? "%.0fx" : "%.3gx", r);
    return buf;
}

const char *applied_fmt_p(double p, char *buf, size_t len)
{
    if (p < 0.001)
        snprintf(buf, len, "p < 0.001");
    else
        snprintf(buf, len, "p = %.2g", p);
    return buf;
}

/* The measured figures in words: a ratio and its p-value when the test
 * says the change is real, "no measurable change" when it does not (a
 * p-value of 0.4 or 1 tells a DBA nothing). */
static void measured_text(const json_t *m, strbuf_t *b)
{
    double mb = jget_num(m, "mean_ms_before"), ma = jget_num(m, "mean_ms_after");
    if (!isfinite(mb) || !isfinite(ma)) {
        if (jget_str(m, "status"))
            strbuf_printf(b, "; %s", jget_str(m, "status"));
        return;
    }
    double pf = jget_num(m, "p_faster"), ps = jget_num(m, "p_slower");
    double nb = jget_num(m, "intervals_before"), na = jget_num(m, "intervals_after");
    char n[96] = "";
    if (isfinite(nb) && isfinite(na))
        snprintf(n, sizeof n, "; %.0f intervals before, %.0f after", nb, na);
    char r[32], p[32];
    strbuf_printf(b, "; %.3g ms -> %.3g ms per call", mb, ma);
    if (ma > 0 && mb / ma >= 1 && isfinite(pf) && pf <= ALPHA)
        strbuf_printf(b, ", %s faster (Mann-Whitney %s%s)%s",
                      applied_fmt_ratio(mb / ma, r, sizeof r), applied_fmt_p(pf, p, sizeof p), n,
                      mb / ma < HELPED_RATIO ? ": real but below the 1.5x that counts as a help"
                                             : "");
    else if (mb > 0 && ma / mb >= 1 && isfinite(ps) && ps <= ALPHA)
        strbuf_printf(b, ", %s slower (Mann-Whitney %s%s)%s",
                      applied_fmt_ratio(ma / mb, r, sizeof r), applied_fmt_p(ps, p, sizeof p), n,
                      ma / mb < HELPED_RATIO ? ": real but small" : "");
    else
        strbuf_printf(b,
                      ": no measurable change (the difference is within the noise of the "
                      "intervals compared%s)",
                      n);
    /* a slowdown that is not the change's doing (an index in no plan) */
    if (jget_str(m, "not_attributed"))
        strbuf_printf(b, "; %s", jget_str(m, "not_attributed"));
}

void applied_item_text(const json_t *it, strbuf_t *b)
{
    const char *verdict = jget_str(it, "verdict") ? jget_str(it, "verdict") : "?";
    const char *title = jget_str(it, "title") ? jget_str(it, "title") : "?";
    const char *kind = jget_str(it, "kind") ? jget_str(it, "kind") : "?";
    size_t tl = strlen(title);
    while (tl > 0 && (title[tl - 1] == ';' || title[tl - 1] == ' '))
        tl--; /* the statement's own ';' would double the separator */
    strbuf_printf(b, "%s: %s %.*s", verdict, kind, (int)tl, title);
    const json_t *between = json_object_get(it, "applied_between");
    const char *b0 = json_string_value(json_array_get(between, 0)),
               *b1 = json_string_value(json_array_get(between, 1));
    if (b0 && b1 && !strcmp(b0, b1)) /* entries within one second */
        strbuf_printf(b, "; applied at %s", b0);
    else if (b0 && b1)
        strbuf_printf(b, "; applied between %s and %s", b0, b1);
    measured_text(json_object_get(it, "measured"), b);
    /* A setting's "predicted" is the reason it was recommended, not a
     * figure; it is long, so it goes after the facts. */
    int is_setting = !strcmp(kind, "setting");
    const char *pred = jget_str(it, "predicted");
    if (pred && *pred && !is_setting)
        strbuf_printf(b, "; predicted: %s", pred);
    if (jget_str(it, "evidence"))
        strbuf_printf(b, "; %s", jget_str(it, "evidence"));
    if (jget_str(it, "rollback"))
        strbuf_printf(b, "; roll back with: %s", jget_str(it, "rollback"));
    if (pred && *pred && is_setting)
        strbuf_printf(b, "; recommended because: %s", pred);
}

int applied_with_store(json_t *result, const json_t *snapshot, const char *store_dir, err_t *err)
{
    const json_t *meta = json_object_get(snapshot, "meta");
    const char *sysid = jget_str(meta, "system_identifier"), *db = jget_str(meta, "database");
    if (!sysid || !db)
        return err_set(err, "verify: the snapshot has no system identifier or database name");
    history_store_t *hs = NULL;
    if (history_open(store_dir, sysid, db, &hs, err) != 0)
        return -1;
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/result-latest.json", history_path(hs));
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    history_close(&hs);
    json_error_t je;
    json_t *prev = json_load_file(path, 0, &je);
    if (prev) {
        json_t *ver = NULL;
        if (applied_verify(prev, json_object_get(snapshot, "history"), &ver, err) == 0)
            json_object_set_new(result, "verification", ver);
        json_decref(prev);
    }
    if (json_dump_file(result, tmp, JSON_COMPACT) != 0 || rename(tmp, path) != 0) {
        remove(tmp);
        return err_set(err, "verify: cannot keep the result in %s", path);
    }
    return 0;
}
