/* pgtest.c - see pgtest.h. */
#include "tests/support/pgtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PGTEST_KEYS 8

static char keys[PGTEST_KEYS][32];
static char values[PGTEST_KEYS][512];
static int loaded = -1;

static int load_env(void)
{
    if (loaded >= 0)
        return loaded;
    loaded = 0;
    const char *path = getenv("PGOPT_TEST_PGENV");
    if (!path)
        return 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[600];
    int n = 0;
    while (n < PGTEST_KEYS && fgets(line, sizeof line, f)) {
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        line[strcspn(line, "\n")] = '\0';
        char *val = eq + 1;
        val[strcspn(val, "\n")] = '\0';
        snprintf(keys[n], sizeof keys[n], "%s", line);
        snprintf(values[n], sizeof values[n], "%s", val);
        n++;
    }
    fclose(f);
    loaded = n;
    return n;
}

const char *pgtest_env(const char *key)
{
    int n = load_env();
    for (int i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return values[i];
    return NULL;
}

int pgtest_conninfo(const char *dbname, char *buf, size_t len)
{
    const char *host = pgtest_env("PGHOST");
    const char *port = pgtest_env("PGPORT");
    const char *user = pgtest_env("PGUSER");
    if (!host || !port)
        return -1;
    snprintf(buf, len, "host=%s port=%s user=%s dbname=%s", host, port, user ? user : "postgres",
             dbname);
    return 0;
}

PGconn *pgtest_connect(const char *dbname)
{
    char ci[1024];
    if (pgtest_conninfo(dbname, ci, sizeof ci) != 0) {
        fprintf(stderr, "pgtest: PGOPT_TEST_PGENV not set or unreadable (run through ctest)\n");
        exit(1);
    }
    PGconn *c = PQconnectdb(ci);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "pgtest: cannot connect (%s): %s\n", ci, PQerrorMessage(c));
        exit(1);
    }
    PQsetNoticeProcessor(c, NULL, NULL);
    return c;
}

void pgtest_exec(PGconn *conn, const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fprintf(stderr, "pgtest: SQL failed: %s\n--- %s\n", PQerrorMessage(conn), sql);
        PQclear(r);
        exit(1);
    }
    PQclear(r);
}

void pgtest_reset_statements(PGconn *conn)
{
    pgtest_exec(conn, "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE "
                      "datname = current_database()), 0)");
}

char *pgtest_scalar(PGconn *conn, const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    char *out = NULL;
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        out = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return out;
}

int pgtest_create_db(const char *dbname)
{
    PGconn *c = pgtest_connect("postgres");
    char sql[512];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", dbname);
    pgtest_exec(c, sql);
    snprintf(sql, sizeof sql, "CREATE DATABASE \"%s\"", dbname);
    pgtest_exec(c, sql);
    PQfinish(c);
    return 0;
}
