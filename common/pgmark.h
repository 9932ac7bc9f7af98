/*
 * pgmark.h - the comment pgopt puts at the start of every statement it sends
 * to a target database (collector, what-if sessions, verification runs).
 *
 * pg_stat_statements keeps a statement's text as first seen, comment
 * included, so the collector can leave pgopt's own statements out of the
 * workload it reports: without the mark, an analysis would see the previous
 * analysis's catalog queries and hypothetical-index calls as application
 * traffic.
 */
#ifndef PGOPT_COMMON_PGMARK_H
#define PGOPT_COMMON_PGMARK_H

#define PGOPT_SQL_MARK "/* pgopt */ "

/* LIKE pattern matching marked statement texts. */
#define PGOPT_SQL_MARK_LIKE "/* pgopt */%"

#endif
