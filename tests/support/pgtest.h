/*
 * pgtest.h - test helpers for the throwaway PostgreSQL started by the ctest
 * fixture (scripts/pg-sandbox.sh; tests/CMakeLists.txt pgopt_test_needs_pg).
 *
 * The fixture writes an env file (PGHOST, PGPORT, PGUSER, ...) whose path is
 * in PGOPT_TEST_PGENV. Each test creates its own database so tests stay
 * independent and can run in parallel.
 */
#ifndef PGOPT_TESTS_PGTEST_H
#define PGOPT_TESTS_PGTEST_H

#include <libpq-fe.h>
#include <stddef.h>

/* Fills buf with a conninfo for database dbname ("host=... port=... user=...
 * dbname=..."). Returns 0, or -1 when the fixture is not available. */
int pgtest_conninfo(const char *dbname, char *buf, size_t len);

/* Value of a key of the env file (PGHOST, PGPORT, PGDATA, ...) or NULL. */
const char *pgtest_env(const char *key);

/* Drops (if present) and creates dbname; returns 0 or -1 (message on stderr). */
int pgtest_create_db(const char *dbname);

/* Connects to dbname; aborts the test process with a message on failure. */
PGconn *pgtest_connect(const char *dbname);

/* Runs SQL (may be several statements); aborts with a message on failure. */
void pgtest_exec(PGconn *conn, const char *sql);

/* Resets pg_stat_statements for conn's database only: tests run in
 * parallel on one server and each counts its own statements. (pg_qualstats
 * has no per-database reset and needs none: each test's database is new and
 * the collector reads only its rows.) Aborts with a message on failure. */
void pgtest_reset_statements(PGconn *conn);

/* Runs a query returning one value; returns a malloc()ed copy or NULL. */
char *pgtest_scalar(PGconn *conn, const char *sql);

#endif
