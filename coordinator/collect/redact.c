/*
 * redact.c - secrets out of statement texts (redact.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strcasestr */
#endif
#include "coordinator/collect/redact.h"

#include <ctype.h>
#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/strbuf.h"

#define MAX_DEPTH 4 /* dollar-quoted bodies inside bodies */

/* A function whose string arguments at some positions are secrets: bit i of
 * args set = argument i (0-based). */
static const struct {
    const char *name;
    unsigned args;
} SECRET_FUNCS[] = {
    {"pgp_sym_encrypt", 1u << 1},
    {"pgp_sym_encrypt_bytea", 1u << 1},
    {"pgp_sym_decrypt", 1u << 1},
    {"pgp_sym_decrypt_bytea", 1u << 1},
    {"pgp_pub_decrypt", 1u << 1 | 1u << 2},
    {"pgp_pub_decrypt_bytea", 1u << 1 | 1u << 2},
    {"encrypt", 1u << 1},
    {"decrypt", 1u << 1},
    {"encrypt_iv", 1u << 1 | 1u << 2},
    {"decrypt_iv", 1u << 1 | 1u << 2},
    {"hmac", 1u << 1},
    {"crypt", 1u << 0 | 1u << 1},
};

/* Words after which the fallback cuts an unscannable text. */
static const char *const SENSITIVE_WORDS[] = {
    "password", "program", "pgp_", "crypt", "hmac", "dblink", "connection", NULL,
};

typedef struct {
    size_t start, end; /* byte range of a literal to replace */
    int recurse;       /* a dollar-quoted body: scan inside instead */
} span_t;

typedef struct {
    span_t *v;
    size_t n, cap;
} spans_t;

/* Appends the span [start, end) of a secret literal (recurse: a dollar-quoted body to scan again),
 * once per literal. */
static void spans_add(spans_t *s, size_t start, size_t end, int recurse)
{
    if (s->n && s->v[s->n - 1].start == start)
        return; /* the same literal by two rules */
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        s->v = xreallocarray(s->v, cap, sizeof *s->v);
        s->cap = cap;
    }
    s->v[s->n++] = (span_t){start, end, recurse};
}

static int is_literal(PgQuery__Token t)
{
    return t == PG_QUERY__TOKEN__SCONST || t == PG_QUERY__TOKEN__USCONST;
}

/* A literal holding a connection string with a password: password=... or a
 * URI with user:secret@host. */
static int conninfo_with_secret(const char *p, size_t len)
{
    for (size_t i = 0; i + 8 <= len; i++) {
        if (strncasecmp(p + i, "password", 8) != 0)
            continue;
        size_t j = i + 8;
        while (j < len && (p[j] == ' ' || p[j] == '\t'))
            j++;
        if (j < len && p[j] == '=')
            return 1;
    }
    for (size_t i = 0; i + 3 <= len; i++) {
        if (memcmp(p + i, "://", 3) != 0)
            continue;
        size_t j = i + 3, colon = 0;
        for (; j < len && p[j] != '/' && p[j] != '@' && p[j] != '\'' && p[j] != ' '; j++)
            if (p[j] == ':' && !colon)
                colon = j;
        if (j < len && p[j] == '@' && colon)
            return 1;
    }
    return 0;
}

/* The identifier's name without quotes, lower-cased (quoted names keep
 * their case: "Crypt" is not crypt). */
static void ident_name(const char *p, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    if (len >= 2 && p[0] == '"') {
        for (size_t i = 1; i + 1 < len && o + 1 < cap; i++)
            out[o++] = p[i];
    } else {
        for (size_t i = 0; i < len && o + 1 < cap; i++)
            out[o++] = (char)tolower((unsigned char)p[i]);
    }
    out[o] = '\0';
}

static unsigned secret_args(const char *name)
{
    for (size_t i = 0; i < sizeof SECRET_FUNCS / sizeof *SECRET_FUNCS; i++)
        if (strcmp(SECRET_FUNCS[i].name, name) == 0)
            return SECRET_FUNCS[i].args;
    return 0;
}

/* Finds the literals to replace in sql by the rules of redact.h. -1 when
 * the scanner cannot read sql. */
static int find_secrets(const char *sql, spans_t *out)
{
    PgQueryScanResult r = pg_query_scan(sql);
    if (r.error) {
        pg_query_free_scan_result(r);
        return -1;
    }
    PgQuery__ScanResult *sr =
        pg_query__scan_result__unpack(NULL, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    pg_query_free_scan_result(r);
    if (!sr)
        return -1;
    size_t n = sr->n_tokens, len = strlen(sql);
    PgQuery__ScanToken **t = sr->tokens;
    int copy_stmt = 0;
    /* Open calls of secret functions: the argument index per paren depth. */
    enum { MAXD = 64 };
    unsigned call_args[MAXD];
    int call_arg[MAXD], depth = 0;
    memset(call_args, 0, sizeof call_args);
    for (size_t i = 0; i < n; i++) {
        size_t s = (size_t)t[i]->start, e = (size_t)t[i]->end;
        if (s > len || e > len || e < s)
            continue;
        PgQuery__Token tok = t[i]->token;
        if (tok == PG_QUERY__TOKEN__ASCII_59) {
            copy_stmt = 0; /* a new statement */
            depth = 0;
            continue;
        }
        if (tok == PG_QUERY__TOKEN__COPY)
            copy_stmt = 1;
        if (tok == PG_QUERY__TOKEN__ASCII_40) {
            if (depth + 1 < MAXD) {
                depth++;
                call_args[depth] = 0;
                call_arg[depth] = 0;
                /* IDENT '(' : a call; which of its arguments are secrets */
                if (i > 0 && t[i - 1]->token == PG_QUERY__TOKEN__IDENT) {
                    char name[64];
                    ident_name(sql + t[i - 1]->start, (size_t)(t[i - 1]->end - t[i - 1]->start),
                               name, sizeof name);
                    call_args[depth] = secret_args(name);
                }
            }
            continue;
        }
        if (tok == PG_QUERY__TOKEN__ASCII_41) {
            if (depth > 0)
                depth--;
            continue;
        }
        if (tok == PG_QUERY__TOKEN__ASCII_44) {
            if (depth > 0)
                call_arg[depth]++;
            continue;
        }
        if (!is_literal(tok))
            continue;
        int secret = 0;
        /* PASSWORD 'x' (also ENCRYPTED PASSWORD, OPTIONS (password 'x')) */
        if (i > 0 && t[i - 1]->token == PG_QUERY__TOKEN__PASSWORD)
            secret = 1;
        /* COPY ... PROGRAM 'command' */
        if (copy_stmt && i > 0 && t[i - 1]->token == PG_QUERY__TOKEN__PROGRAM)
            secret = 1;
        /* a secret argument of a pgcrypto function, at any depth inside it */
        for (int d = depth; d > 0 && !secret; d--)
            if (call_args[d] && call_arg[d] < 32 && (call_args[d] >> call_arg[d] & 1u))
                secret = 1;
        if (!secret && conninfo_with_secret(sql + s, e - s))
            secret = 1;
        if (secret)
            spans_add(out, s, e, 0);
        else if (sql[s] == '$')
            spans_add(out, s, e, 1); /* a body: look inside */
    }
    pg_query__scan_result__free_unpacked(sr, NULL);
    return 0;
}

/* Everything from the first sensitive word to the end, replaced. */
static char *fallback_cut(const char *sql, size_t *literals)
{
    size_t len = strlen(sql), cut = len;
    for (size_t i = 0; i < len; i++) {
        for (const char *const *w = SENSITIVE_WORDS; *w; w++) {
            size_t wl = strlen(*w);
            if (i + wl <= len && strncasecmp(sql + i, *w, wl) == 0) {
                cut = i;
                break;
            }
        }
        if (cut < len)
            break;
    }
    strbuf_t b = {0};
    strbuf_printf(&b, "%.*s", (int)cut, sql);
    if (cut < len) {
        strbuf_add(&b, REDACT_LITERAL " /* rest redacted: unreadable text */");
        (*literals)++;
    }
    return strbuf_take(&b);
}

/* The body of a dollar-quoted literal: between "$tag$" and "$tag$". */
static int dollar_body(const char *p, size_t len, size_t *from, size_t *to)
{
    const char *close = memchr(p + 1, '$', len - 1);
    if (!close)
        return -1;
    size_t tag = (size_t)(close - p) + 1;
    if (len < 2 * tag)
        return -1;
    *from = tag;
    *to = len - tag;
    return 0;
}

/* sql with every secret literal replaced by '<redacted>', dollar-quoted bodies scanned again up to
 * MAX_DEPTH, counting into *literals; text the scanner cannot read is cut at the first sensitive
 * word (*fallback set). */
static char *redact_depth(const char *sql, size_t *literals, int *fallback, int level)
{
    spans_t sp = {0};
    if (find_secrets(sql, &sp) != 0) {
        free(sp.v);
        if (fallback)
            *fallback = 1;
        return fallback_cut(sql, literals);
    }
    strbuf_t b = {0};
    size_t prev = 0;
    for (size_t i = 0; i < sp.n; i++) {
        strbuf_printf(&b, "%.*s", (int)(sp.v[i].start - prev), sql + prev);
        const char *lit = sql + sp.v[i].start;
        size_t llen = sp.v[i].end - sp.v[i].start;
        size_t from, to;
        if (!sp.v[i].recurse) {
            strbuf_add(&b, REDACT_LITERAL);
            (*literals)++;
        } else if (level < MAX_DEPTH && dollar_body(lit, llen, &from, &to) == 0) {
            char *body = xstrndup(lit + from, to - from);
            size_t before = *literals;
            char *inner = redact_depth(body, literals, fallback, level + 1);
            if (*literals > before) {
                strbuf_printf(&b, "%.*s%s%.*s", (int)from, lit, inner, (int)(llen - to), lit + to);
            } else {
                strbuf_printf(&b, "%.*s", (int)llen, lit);
            }
            free(body);
            free(inner);
        } else {
            strbuf_printf(&b, "%.*s", (int)llen, lit);
        }
        prev = sp.v[i].end;
    }
    strbuf_add(&b, sql + prev);
    free(sp.v);
    return strbuf_take(&b);
}

/* Every rule needs one of the trigger words in the text (a keyword, a
 * function name, password= or a URI's "://"), so a text without any is left
 * alone without scanning: the scan (about 45 us a statement) would
 * otherwise cost a collection of 10,000 statements half a second. */
static int word_at(const char *p, const char *w)
{
    return strncasecmp(p, w, strlen(w)) == 0;
}

/* One pass over the text, looking further only at the letters the trigger
 * words start with: password, program, pgp_, crypt, hmac, "://". */
static int may_hold_secret(const char *sql)
{
    for (const char *p = sql; *p; p++) {
        int c = *p | 0x20, n = p[1] | 0x20; /* ASCII lower case */
        /* the second letter first: most p, c and h start other words */
        if (c == 'p' && (n == 'a' || n == 'r' || n == 'g')) {
            if (word_at(p, "password") || word_at(p, "program") || word_at(p, "pgp_"))
                return 1;
        } else if (c == 'c' && n == 'r') {
            if (word_at(p, "crypt"))
                return 1;
        } else if (c == 'h' && n == 'm') {
            if (word_at(p, "hmac"))
                return 1;
        } else if (*p == ':' && p[1] == '/' && p[2] == '/') {
            return 1;
        }
    }
    return 0;
}

char *redact_sql(const char *sql, size_t *literals, int *fallback)
{
    *literals = 0;
    if (fallback)
        *fallback = 0;
    if (!sql)
        sql = "";
    if (!may_hold_secret(sql))
        return xstrdup(sql);
    return redact_depth(sql, literals, fallback, 0);
}

void redact_note(const redact_stats_t *st, char *buf, size_t len)
{
    snprintf(buf, len,
             "statements: %zu secret literal(s) (passwords, keys, connection strings, COPY "
             "PROGRAM commands) redacted in %zu statement text(s) before the snapshot left the "
             "collector; queryids kept%s",
             st->literals, st->statements,
             st->fallback ? "; some texts could not be scanned and were cut at the first "
                            "sensitive word"
                          : "");
}

void redact_snapshot(json_t *snap, redact_stats_t *stats)
{
    redact_stats_t local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    double t0 = clock_mono_ms_precise();
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(snap, "statements"), i, row)
    {
        const char *q = json_string_value(json_object_get(row, "query"));
        if (!q || !may_hold_secret(q))
            continue; /* the common case: no copy made */
        size_t lits;
        int fb;
        char *r = redact_sql(q, &lits, &fb);
        if (lits) {
            json_object_set_new(row, "query", json_string(r));
            stats->statements++;
            stats->literals += lits;
            stats->fallback += (size_t)fb;
        }
        free(r);
    }
    stats->ms = clock_mono_ms_precise() - t0;
    json_t *meta = json_object_get(snap, "meta");
    if (!json_is_object(meta))
        return;
    json_t *prev = json_object_get(meta, "redaction");
    json_int_t ps = json_integer_value(json_object_get(prev, "statements"));
    json_int_t pl = json_integer_value(json_object_get(prev, "literals"));
    json_int_t pf = json_integer_value(json_object_get(prev, "fallback"));
    json_object_set_new(meta, "redaction",
                        json_pack("{s:I, s:I, s:I, s:f}", "statements",
                                  ps + (json_int_t)stats->statements, "literals",
                                  pl + (json_int_t)stats->literals, "fallback",
                                  pf + (json_int_t)stats->fallback, "ms", stats->ms));
}
