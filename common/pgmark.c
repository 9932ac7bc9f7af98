/*
 * pgmark.c - marks every statement pgopt sends (pgmark.h).
 */
#include "common/pgmark.h"

#include "common/alloc.h"

#include <ctype.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

#define MARK_LEN (sizeof PGOPT_SQL_MARK - 1)

/* Offset of the first non-space byte of [from, to). */
static size_t skip_space(const char *sql, size_t from, size_t to)
{
    while (from < to && isspace((unsigned char)sql[from]))
        from++;
    return from;
}

/* The mark without its trailing space, so "/ * pgopt * /SELECT" counts too. */
static int marked_at(const char *sql, size_t at, size_t end)
{
    size_t core = MARK_LEN - 1;
    return end - at >= core && memcmp(sql + at, PGOPT_SQL_MARK, core) == 0;
}

/* Where each statement's mark goes (the first non-space byte of each
 * unmarked statement), in increasing order; *n of them. -1 when the text
 * cannot be scanned. */
static int insert_points(const char *sql, size_t **at, size_t *n)
{
    *at = NULL;
    *n = 0;
    PgQuerySplitResult r = pg_query_split_with_scanner(sql);
    if (r.error) {
        pg_query_free_split_result(r);
        return -1;
    }
    size_t *v = xmalloc(((size_t)r.n_stmts + 1) * sizeof *v);
    size_t len = strlen(sql);
    for (int i = 0; i < r.n_stmts; i++) {
        size_t from = (size_t)r.stmts[i]->stmt_location;
        size_t to = from + (size_t)r.stmts[i]->stmt_len;
        if (from > len || to > len || to < from)
            continue;
        size_t p = skip_space(sql, from, to);
        if (p < to && !marked_at(sql, p, to))
            v[(*n)++] = p;
    }
    pg_query_free_split_result(r);
    *at = v;
    return 0;
}

char *pgmark_sql(const char *sql)
{
    if (!sql)
        sql = "";
    size_t len = strlen(sql), *at, n;
    if (insert_points(sql, &at, &n) != 0) {
        /* Unscannable: mark the start once, unless it is marked. */
        size_t p = skip_space(sql, 0, len);
        n = marked_at(sql, p, len) ? 0 : 1;
        at = xmalloc(sizeof *at);
        at[0] = p;
    }
    char *out = xmalloc(len + n * MARK_LEN + 1);
    size_t o = 0, prev = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(out + o, sql + prev, at[i] - prev);
        o += at[i] - prev;
        memcpy(out + o, PGOPT_SQL_MARK, MARK_LEN);
        o += MARK_LEN;
        prev = at[i];
    }
    memcpy(out + o, sql + prev, len - prev + 1);
    free(at);
    return out;
}

int pgmark_is_marked(const char *sql)
{
    size_t *at, n;
    if (insert_points(sql, &at, &n) != 0) {
        size_t len = strlen(sql);
        return marked_at(sql, skip_space(sql, 0, len), len);
    }
    free(at);
    return n == 0;
}
