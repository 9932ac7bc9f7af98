/*
 * bench_orm_db.c - what each ORM fix is worth on a real PostgreSQL: the SQL
 * SQLAlchemy emits for the original and the rewritten access pattern, run
 * through libpq (extended protocol, like psycopg's server-side binding),
 * median wall time of REPEATS runs.
 *
 *   pgopt-bench-orm-db DSN [PARENTS [CHILDREN_PER_PARENT [ROWS [REPEATS]]]]
 *
 * Patterns (tables authors/books are created and filled in a schema of its
 * own, dropped at the end):
 *   n1:        SELECT PARENTS authors; then per author SELECT its books
 *              (lazy="select": 1 + N round trips)
 *   selectin:  SELECT authors; SELECT books WHERE author_id = ANY($1)
 *              (selectinload: 2 round trips)
 *   joined:    SELECT authors LEFT OUTER JOIN books (joinedload: 1)
 *   m2o_n1 / m2o_joined: books -> author per row vs one JOIN
 *   insert_row:    ROWS single-row INSERTs in one transaction (session.add
 *                  per iteration, flushed per row)
 *   insert_multi:  multi-row INSERTs of up to 1000 rows (execute(insert(M),
 *                  rows) / insertmanyvalues)
 *   commit_row:    ROWS single-row INSERTs, each followed by COMMIT
 *   commit_once:   the same INSERTs, one COMMIT
 * Every pattern's result is checked (row counts) so the fast form cannot win
 * by doing less.
 */
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"

static PGconn *conn;

static void die(const char *what)
{
    fprintf(stderr, "bench_orm_db: %s: %s", what, PQerrorMessage(conn));
    PQfinish(conn);
    exit(1);
}

static void run(const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        die(sql);
    PQclear(r);
}

/* One parameterized statement; returns its row count. */
static long q(const char *sql, int n, const char *const *vals)
{
    PGresult *r = PQexecParams(conn, sql, n, NULL, vals, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        die(sql);
    long rows = st == PGRES_TUPLES_OK ? PQntuples(r) : atol(PQcmdTuples(r));
    PQclear(r);
    return rows;
}

static int parents, children, rows_n;

/* Each pattern returns the number of rows it read or wrote. */
static long p_n1(void)
{
    char lim[32];
    snprintf(lim, sizeof lim, "%d", parents);
    const char *v[1] = {lim};
    PGresult *r = PQexecParams(conn, "SELECT id, name FROM authors ORDER BY id LIMIT $1", 1, NULL,
                               v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        die("authors");
    long total = PQntuples(r);
    for (int i = 0; i < PQntuples(r); i++) {
        const char *id[1] = {PQgetvalue(r, i, 0)};
        total += q("SELECT id, title, author_id FROM books WHERE $1 = author_id", 1, id);
    }
    PQclear(r);
    return total;
}

static long p_selectin(void)
{
    char lim[32];
    snprintf(lim, sizeof lim, "%d", parents);
    const char *v[1] = {lim};
    PGresult *r = PQexecParams(conn, "SELECT id, name FROM authors ORDER BY id LIMIT $1", 1, NULL,
                               v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        die("authors");
    long total = PQntuples(r);
    size_t cap = (size_t)PQntuples(r) * 12 + 4;
    char *arr = malloc(cap);
    size_t len = 0;
    arr[len++] = '{';
    for (int i = 0; i < PQntuples(r); i++)
        len += (size_t)snprintf(arr + len, cap - len, "%s%s", i ? "," : "", PQgetvalue(r, i, 0));
    arr[len++] = '}';
    arr[len] = 0;
    PQclear(r);
    const char *ids[1] = {arr};
    total += q("SELECT id, title, author_id FROM books WHERE author_id = ANY($1::int[])", 1, ids);
    free(arr);
    return total;
}

static long p_joined(void)
{
    char lim[32];
    snprintf(lim, sizeof lim, "%d", parents);
    const char *v[1] = {lim};
    /* joinedload: the parent query as a subquery (LIMIT), then the JOIN */
    long rows = q("SELECT a.id, a.name, b.id, b.title, b.author_id FROM (SELECT id, name FROM "
                  "authors ORDER BY id LIMIT $1) AS a LEFT OUTER JOIN books b ON a.id = "
                  "b.author_id ORDER BY a.id",
                  1, v);
    /* rows of the join = books (+ authors without books); count authors too
     * so that the check compares like with like */
    return rows + parents;
}

static long p_m2o_n1(void)
{
    char lim[32];
    snprintf(lim, sizeof lim, "%d", parents * children);
    const char *v[1] = {lim};
    PGresult *r = PQexecParams(conn, "SELECT id, title, author_id FROM books ORDER BY id LIMIT $1",
                               1, NULL, v, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK)
        die("books");
    long total = PQntuples(r);
    /* the identity map loads each author once: distinct author ids only */
    const char *last = "";
    for (int i = 0; i < PQntuples(r); i++) {
        const char *a = PQgetvalue(r, i, 2);
        if (strcmp(a, last) == 0)
            continue;
        last = a;
        const char *id[1] = {a};
        q("SELECT id, name FROM authors WHERE id = $1", 1, id);
    }
    PQclear(r);
    return total;
}

static long p_m2o_joined(void)
{
    char lim[32];
    snprintf(lim, sizeof lim, "%d", parents * children);
    const char *v[1] = {lim};
    return q("SELECT b.id, b.title, b.author_id, a.id, a.name FROM books b LEFT OUTER JOIN "
             "authors a ON a.id = b.author_id ORDER BY b.id LIMIT $1",
             1, v);
}

static long insert_rows(int commit_each)
{
    run("TRUNCATE reviews");
    run("BEGIN");
    for (int i = 0; i < rows_n; i++) {
        char a[16], b[16];
        snprintf(a, sizeof a, "%d", i % 1000 + 1);
        snprintf(b, sizeof b, "%d", i % 5 + 1);
        const char *v[3] = {a, b, "a review body of moderate length"};
        q("INSERT INTO reviews (book_id, stars, body) VALUES ($1, $2, $3) RETURNING id", 3, v);
        if (commit_each) {
            run("COMMIT");
            run("BEGIN");
        }
    }
    run("COMMIT");
    return rows_n;
}

static long p_insert_row(void)
{
    return insert_rows(0);
}

static long p_commit_row(void)
{
    return insert_rows(1);
}

static long p_insert_multi(void)
{
    run("TRUNCATE reviews");
    run("BEGIN");
    for (int start = 0; start < rows_n; start += 1000) {
        int n = rows_n - start < 1000 ? rows_n - start : 1000;
        size_t cap = (size_t)n * 40 + 200;
        char *sql = malloc(cap);
        const char **v = malloc(sizeof *v * (size_t)n * 3);
        char(*buf)[2][16] = malloc(sizeof *buf * (size_t)n);
        size_t len =
            (size_t)snprintf(sql, cap, "INSERT INTO reviews (book_id, stars, body) VALUES ");
        for (int k = 0; k < n; k++) {
            int i = start + k;
            snprintf(buf[k][0], 16, "%d", i % 1000 + 1);
            snprintf(buf[k][1], 16, "%d", i % 5 + 1);
            v[3 * k] = buf[k][0];
            v[3 * k + 1] = buf[k][1];
            v[3 * k + 2] = "a review body of moderate length";
            len += (size_t)snprintf(sql + len, cap - len, "%s($%d, $%d, $%d)", k ? ", " : "",
                                    3 * k + 1, 3 * k + 2, 3 * k + 3);
        }
        snprintf(sql + len, cap - len, " RETURNING id");
        q(sql, 3 * n, v);
        free(sql);
        free(v);
        free(buf);
    }
    run("COMMIT");
    return rows_n;
}

/* query_opt (SQL built with an f-string or %): the application's lookup of
 * each author's books with the author's name. The f-string sends a new
 * literal text each time, parsed and planned anew; psycopg2 binds
 * parameters on the client, so its "bound" query reaches the server the
 * same way. Drivers that bind on the server send one text with $1 (the
 * unnamed extended protocol, still planned per execution) and, once
 * prepared (psycopg 3 after prepare_threshold executions, asyncpg always),
 * reuse the statement and, after five executions, usually its generic
 * plan. */
#define LOOKUP_SQL                                                                                 \
    "SELECT b.id, b.title, a.name FROM books b JOIN authors a ON a.id = b.author_id WHERE "        \
    "b.author_id = "

static long p_literal(void)
{
    long total = 0;
    char sql[256];
    for (int i = 1; i <= parents; i++) {
        snprintf(sql, sizeof sql, LOOKUP_SQL "%d", i);
        PGresult *r = PQexec(conn, sql);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            die(sql);
        total += PQntuples(r);
        PQclear(r);
    }
    return total;
}

static long p_bound(void)
{
    long total = 0;
    char id[16];
    const char *v[1] = {id};
    for (int i = 1; i <= parents; i++) {
        snprintf(id, sizeof id, "%d", i);
        total += q(LOOKUP_SQL "$1", 1, v);
    }
    return total;
}

static long p_prepared(void)
{
    static bool prepared;
    if (!prepared) {
        PGresult *r = PQprepare(conn, "lookup", LOOKUP_SQL "$1", 1, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            die("prepare");
        PQclear(r);
        prepared = true;
    }
    long total = 0;
    char id[16];
    const char *v[1] = {id};
    for (int i = 1; i <= parents; i++) {
        snprintf(id, sizeof id, "%d", i);
        PGresult *r = PQexecPrepared(conn, "lookup", 1, v, NULL, NULL, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK)
            die("lookup");
        total += PQntuples(r);
        PQclear(r);
    }
    return total;
}

typedef struct {
    const char *name;
    long (*fn)(void);
} pattern_t;

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double measure(const pattern_t *p, int repeats, long *rows)
{
    double t[64];
    p->fn(); /* warm-up: caches, plans */
    for (int r = 0; r < repeats; r++) {
        double t0 = clock_mono_ms_precise();
        *rows = p->fn();
        t[r] = clock_mono_ms_precise() - t0;
    }
    qsort(t, (size_t)repeats, sizeof *t, cmp_d);
    return t[repeats / 2];
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DSN [PARENTS [CHILDREN [ROWS [REPEATS]]]]\n", argv[0]);
        return 2;
    }
    parents = argc > 2 ? atoi(argv[2]) : 100;
    children = argc > 3 ? atoi(argv[3]) : 10;
    rows_n = argc > 4 ? atoi(argv[4]) : 5000;
    int repeats = argc > 5 ? atoi(argv[5]) : 7;
    if (parents < 1 || children < 1 || rows_n < 1 || repeats < 1 || repeats > 64) {
        fprintf(stderr, "bench_orm_db: counts must be >= 1 (REPEATS <= 64)\n");
        return 2;
    }
    conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK)
        die("connect");
    run("SET client_min_messages = warning");
    run("DROP SCHEMA IF EXISTS pgopt_bench_orm CASCADE");
    run("CREATE SCHEMA pgopt_bench_orm");
    run("SET search_path = pgopt_bench_orm");
    run("CREATE TABLE authors (id int PRIMARY KEY, name text NOT NULL)");
    run("CREATE TABLE books (id serial PRIMARY KEY, title text NOT NULL, author_id int NOT NULL "
        "REFERENCES authors(id))");
    run("CREATE INDEX ON books (author_id)");
    run("CREATE TABLE reviews (id serial PRIMARY KEY, book_id int NOT NULL, stars int NOT NULL, "
        "body text NOT NULL)");
    char sql[512];
    int nauthors = parents * 10;
    snprintf(sql, sizeof sql,
             "INSERT INTO authors SELECT g, 'author ' || g FROM generate_series(1, %d) g",
             nauthors);
    run(sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO books (title, author_id) SELECT 'book ' || g, (g - 1) / %d + 1 FROM "
             "generate_series(1, %d) g",
             children, nauthors * children);
    run(sql);
    run("ANALYZE");
    const char *host = PQhost(conn);
    printf("server %s, via %s; %d parents x %d children; %d rows inserted; median of %d\n",
           PQparameterStatus(conn, "server_version"), host && host[0] == '/' ? "unix socket" : host,
           parents, children, rows_n, repeats);
    const pattern_t groups[][3] = {
        {{"n1 (lazy=select, 1+N)", p_n1},
         {"selectinload (2)", p_selectin},
         {"joinedload (1)", p_joined}},
        {{"many-to-one lazy (1+N distinct)", p_m2o_n1},
         {"joinedload (1)", p_m2o_joined},
         {NULL, NULL}},
        {{"insert per row", p_insert_row},
         {"multi-row insert (1000/stmt)", p_insert_multi},
         {NULL, NULL}},
        {{"commit per row", p_commit_row}, {"one commit", p_insert_row}, {NULL, NULL}},
        {{"f-string SQL (literal per value)", p_literal},
         {"bound, unnamed ($1, planned each)", p_bound},
         {"bound, prepared (plan reused)", p_prepared}},
    };
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        double base = 0;
        long base_rows = -1;
        for (int k = 0; k < 3 && groups[g][k].name; k++) {
            long rows = 0;
            double ms = measure(&groups[g][k], repeats, &rows);
            if (k == 0) {
                base = ms;
                base_rows = rows;
            }
            printf("  %-34s %9.2f ms  rows %6ld  %s%.1fx\n", groups[g][k].name, ms, rows,
                   k == 0 ? "baseline " : "speedup ", base / ms);
            if (rows != base_rows) {
                fprintf(stderr, "bench_orm_db: %s read/wrote %ld rows, the baseline %ld\n",
                        groups[g][k].name, rows, base_rows);
                PQfinish(conn);
                return 1;
            }
        }
    }
    run("DROP SCHEMA pgopt_bench_orm CASCADE");
    PQfinish(conn);
    return 0;
}
