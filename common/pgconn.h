/*
 * pgconn.h - the one way pgopt opens a libpq connection and waits for an
 * answer: every wait is bounded, so a database (or a network path) that
 * freezes can never hang a coordinator or pin a worker's job slot.
 *
 * Why not PQconnectdb/PQexec: both block in poll() with no limit once the TCP
 * connection exists. statement_timeout is enforced by the server, so it does
 * nothing when the server (or a proxy, a NAT, a stalled VM) stops answering;
 * TCP keepalives are answered by whatever kernel holds the other end of the
 * socket (a frozen proxy's, for one) and tcp_user_timeout only fires while
 * sent data stays unacknowledged. Only a wait bounded on our side is safe.
 *
 * What a pgconn_t does:
 *  - connects with PQconnectStartParams + PQconnectPoll, adding
 *    connect_timeout=10, keepalives=1 (idle 30 s, interval 10 s, count 3) and
 *    tcp_user_timeout=30000 in front of the caller's keywords, so a value in
 *    the user's conninfo still wins; the connect wait itself is bounded by
 *    connect_timeout and by the bounds below;
 *  - runs statements with PQsendQuery/PQsendQueryParams on a non-blocking
 *    connection and waits in poll() on PQsocket, in slices of
 *    PGCONN_SLICE_MS, until the answer is complete or a bound is reached:
 *    the connection's deadline (an absolute clock_mono_ms() time, e.g. the
 *    collection's end or a job's deadline), the per-statement bound
 *    (query_timeout_ms), or the calling thread's stop hook (see
 *    pgconn_set_thread_stop: a worker's job thread stops when its job is
 *    cancelled);
 *  - when a bound is reached: sends a cancel request from a detached thread
 *    (PQcancel opens a new connection and may itself hang on the same frozen
 *    path, so nobody waits for it), marks the connection broken and returns
 *    NULL with the reason in pgconn_error(); every later call fails at once,
 *    and pgconn_destroy() closes the socket without waiting for the peer.
 *
 * Results follow PQexec's rules: the last result of a multi-statement string,
 * an error result when a statement failed. NULL means no answer at all (see
 * pgconn_error and pgconn_broken).
 *
 * Link: libpq, pthreads.
 */
#ifndef PGOPT_COMMON_PGCONN_H
#define PGOPT_COMMON_PGCONN_H

#include <libpq-fe.h>
#include <stdint.h>

#include "common/error.h"

/* How often a wait looks at the stop hook and the clock. */
#define PGCONN_SLICE_MS 100

/* connect_timeout pgopt asks for unless the conninfo names its own (s). */
#define PGCONN_CONNECT_TIMEOUT_S 10

typedef struct pgconn pgconn_t;

typedef struct {
    int64_t deadline_at;    /* clock_mono_ms() time after which nothing waits; 0 = none */
    int64_t query_bound_ms; /* each statement's wait; 0 = only the deadline */
    const char *what;       /* names the deadline in messages, e.g. "--collect-timeout 5m" */
} pgconn_bounds_t;

/* A stop hook returns 1 when the caller no longer wants the answer. */
typedef int (*pgconn_stop_fn)(void *arg);

/* Sets the calling thread's stop hook (NULL clears it): every pgconn wait on
 * this thread polls it each PGCONN_SLICE_MS and gives up when it returns 1.
 * The worker runtime sets it on each job thread to "the job is cancelled". */
void pgconn_set_thread_stop(pgconn_stop_fn fn, void *arg);

/* Connects with the keywords/values of PQconnectdbParams (expand_dbname on),
 * after pgopt's defaults listed on top. bounds may be NULL (no deadline; the
 * connect is still bounded by connect_timeout). Returns -1 with one line in
 * err (libpq's reason, or which bound was reached); *out then still holds the
 * broken connection when libpq made one (PQhost/PQerrorMessage name what was
 * tried): destroy it. */
int pgconn_open(const char *const *keys, const char *const *vals, const pgconn_bounds_t *bounds,
                pgconn_t **out, err_t *err);

/* Closes the connection (without waiting on a broken one). Safe on NULL and
 * twice. */
void pgconn_destroy(pgconn_t **c);

/* The libpq handle, for PQhost/PQescapeIdentifier/PQserverVersion and the
 * like. Never wait on it directly. */
PGconn *pgconn_pq(const pgconn_t *c);

/* Moves the deadline (e.g. a session reused for a later job). */
void pgconn_set_bounds(pgconn_t *c, const pgconn_bounds_t *bounds);

/* Runs sql (several statements allowed) as PQexec would, each statement
 * marked with PGOPT_SQL_MARK first (common/pgmark.h: this is the one place
 * pgopt's statements get their mark). NULL: no result;
 * pgconn_error() says why, and pgconn_broken() is 1 when a bound was reached
 * or the connection was lost. */
PGresult *pgconn_exec(pgconn_t *c, const char *sql);

/* Same with text parameters $1..$n as PQexecParams (one statement, marked
 * the same way). */
PGresult *pgconn_exec_params(pgconn_t *c, const char *sql, int nparams, const char *const *params);

/* 1 once the connection was given up (bound reached, connection lost). */
int pgconn_broken(const pgconn_t *c);

/* 1 when the last failure was a bound (deadline, statement bound, stop hook)
 * rather than an error of the server or the connection. */
int pgconn_timed_out(const pgconn_t *c);

/* The last failure in one line (libpq's message, or which bound). */
const char *pgconn_error(const pgconn_t *c);

/* Cancel requests sent for abandoned statements since the process started
 * (they run on detached threads; for tests and logs). */
int64_t pgconn_cancels_sent(void);

#endif
