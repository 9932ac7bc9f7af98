/*
 * pgmark.h - the comment pgopt puts at the start of every statement it sends
 * to a target database (collector, what-if sessions, verification runs).
 *
 * pg_stat_statements keeps a statement's text as first seen, comment
 * included, so the collector can leave pgopt's own statements out of the
 * workload it reports: without the mark, an analysis would see the previous
 * analysis's catalog queries and hypothetical-index calls as application
 * traffic. A DBA reading pg_stat_activity or the server log can tell
 * pgopt's sessions apart the same way (README: every statement is marked).
 *
 * One function adds the mark: pgmark_sql(), which common/pgconn calls on
 * every statement text it sends (pgconn_exec, pgconn_exec_params), so no
 * caller can forget it. It marks each statement of a multi-statement string
 * (pg_stat_statements records them one by one, each with the text from the
 * previous semicolon), and leaves a statement already marked as it is.
 */
#ifndef PGOPT_COMMON_PGMARK_H
#define PGOPT_COMMON_PGMARK_H

#define PGOPT_SQL_MARK "/* pgopt */ "

/* LIKE pattern matching marked statement texts. */
#define PGOPT_SQL_MARK_LIKE "/* pgopt */%"

/* A malloc()ed copy of sql in which every statement starts (after its
 * leading white space) with PGOPT_SQL_MARK. Statements are found with
 * libpg_query's scanner; text it cannot scan (an unterminated quote: the
 * server will refuse it anyway) is marked once at the start. Never NULL. */
char *pgmark_sql(const char *sql);

/* 1 when every statement of sql starts with the mark (as pgmark_sql makes
 * it), 0 otherwise; for tests and assertions. */
int pgmark_is_marked(const char *sql);

#endif
