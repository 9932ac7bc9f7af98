/* pgconn.c - see pgconn.h. */
#include "common/pgconn.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/pgmark.h"

struct pgconn {
    PGconn *conn;
    pgconn_bounds_t bounds;
    char what[96];
    int broken;
    int timed_out;
    err_t err;
};

static _Thread_local pgconn_stop_fn thread_stop;
static _Thread_local void *thread_stop_arg;
static atomic_llong cancels_sent;

void pgconn_set_thread_stop(pgconn_stop_fn fn, void *arg)
{
    thread_stop = fn;
    thread_stop_arg = fn ? arg : NULL;
}

int64_t pgconn_cancels_sent(void)
{
    return atomic_load(&cancels_sent);
}

/* libpq's message in one line, without "ERROR:  "/"FATAL:  " noise. */
static void one_line(const char *msg, char *out, size_t len)
{
    if (!msg || !*msg)
        msg = "unknown error";
    while (*msg == ' ' || *msg == '\n')
        msg++;
    size_t n = strcspn(msg, "\n");
    if (n >= len)
        n = len - 1;
    memcpy(out, msg, n);
    out[n] = '\0';
}

/* Copies the caller's bounds (limits and the label used in messages) into c;
 * none when b is NULL. */
static void set_bounds(pgconn_t *c, const pgconn_bounds_t *b)
{
    memset(&c->bounds, 0, sizeof c->bounds);
    c->what[0] = '\0';
    if (!b)
        return;
    c->bounds = *b;
    snprintf(c->what, sizeof c->what, "%s", b->what ? b->what : "");
    c->bounds.what = c->what;
}

void pgconn_set_bounds(pgconn_t *c, const pgconn_bounds_t *bounds)
{
    if (c)
        set_bounds(c, bounds);
}

/* Why a wait ends early. */
typedef enum { W_READY = 0, W_DEADLINE, W_STATEMENT, W_STOPPED, W_ERROR } wait_t;

/* Waits until fd is ready for events, the stop hook fires or the clock
 * passes until (0 = never). */
static wait_t wait_fd(int fd, short events, int64_t until, wait_t why_until)
{
    for (;;) {
        if (thread_stop && thread_stop(thread_stop_arg))
            return W_STOPPED;
        int64_t slice = PGCONN_SLICE_MS;
        if (until) {
            int64_t left = until - clock_mono_ms();
            if (left <= 0)
                return why_until;
            if (left < slice)
                slice = left;
        }
        struct pollfd p = {.fd = fd, .events = events};
        int n = poll(&p, 1, (int)slice);
        if (n > 0)
            return W_READY;
        if (n < 0 && errno != EINTR)
            return W_ERROR;
    }
}

/* The nearest of the connection's deadline and now + bound_ms. *why says
 * which one it is. */
static int64_t wait_until(const pgconn_t *c, int64_t bound_ms, wait_t bound_kind, wait_t *why)
{
    int64_t until = 0;
    *why = W_DEADLINE;
    if (bound_ms > 0) {
        until = clock_mono_ms() + bound_ms;
        *why = bound_kind;
    }
    if (c->bounds.deadline_at > 0 && (until == 0 || c->bounds.deadline_at <= until)) {
        until = c->bounds.deadline_at;
        *why = W_DEADLINE;
    }
    return until;
}

/* Sends the cancel request pc and frees it; on its own thread so that a
 * cancel never blocks the caller's deadline handling. */
static void *cancel_thread(void *arg)
{
    PGcancel *pc = arg;
    char buf[256];
    PQcancel(pc, buf, sizeof buf);
    PQfreeCancel(pc);
    return NULL;
}

/* Asks the server to stop the statement without waiting for the answer. */
static void send_cancel(pgconn_t *c)
{
    PGcancel *pc = PQgetCancel(c->conn);
    if (!pc)
        return;
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&t, &attr, cancel_thread, pc) == 0)
        atomic_fetch_add(&cancels_sent, 1);
    else
        PQfreeCancel(pc);
    pthread_attr_destroy(&attr);
}

/* Gives the connection up after a wait ended for reason why. */
static void abandon(pgconn_t *c, wait_t why, int64_t waited_ms, const char *phase)
{
    c->broken = 1;
    c->timed_out = why != W_ERROR;
    switch (why) {
    case W_DEADLINE:
        err_set(&c->err,
                "no answer from the server %s after %lld ms: deadline%s%s reached; "
                "connection abandoned",
                phase, (long long)waited_ms, c->what[0] ? " " : "", c->what);
        break;
    case W_STATEMENT:
        err_set(&c->err,
                "no answer from the server %s within %lld ms (statement_timeout plus a "
                "margin): the server or the network is not responding; connection abandoned",
                phase, (long long)c->bounds.query_bound_ms);
        break;
    case W_STOPPED:
        err_set(&c->err,
                "stopped waiting for the server %s after %lld ms (cancelled); "
                "connection abandoned",
                phase, (long long)waited_ms);
        break;
    default:
        err_set(&c->err, "waiting for the server %s: %s", phase, strerror(errno));
        break;
    }
}

/* A failed open: the reason in c->err and err; the connection stays in *out
 * (broken) so the caller can name the host it tried. */
static int open_failed(pgconn_t *c, wait_t w, int64_t waited, int64_t connect_ms, err_t *err)
{
    c->broken = 1;
    c->timed_out = w != W_ERROR && w != W_READY;
    if (w == W_STATEMENT)
        err_set(&c->err, "timeout expired: no connection within connect_timeout (%lld s)",
                (long long)(connect_ms / 1000));
    else if (w == W_DEADLINE)
        err_set(&c->err, "no connection after %lld ms: deadline%s%s reached", (long long)waited,
                c->what[0] ? " " : "", c->what);
    else if (w == W_STOPPED)
        err_set(&c->err, "stopped connecting after %lld ms (cancelled)", (long long)waited);
    else {
        char line[400];
        one_line(PQerrorMessage(c->conn), line, sizeof line);
        err_set(&c->err, "%s", line);
    }
    return err_set(err, "%s", c->err.msg);
}

int pgconn_open(const char *const *keys, const char *const *vals, const pgconn_bounds_t *bounds,
                pgconn_t **out, err_t *err)
{
    if (!out)
        return err_set(err, "pgconn_open: no output pointer");
    *out = NULL;
    static const char *const dkeys[] = {"connect_timeout",  "keepalives",
                                        "keepalives_idle",  "keepalives_interval",
                                        "keepalives_count", "tcp_user_timeout"};
    char ct[16];
    snprintf(ct, sizeof ct, "%d", PGCONN_CONNECT_TIMEOUT_S);
    const char *const dvals[] = {ct, "1", "30", "10", "3", "30000"};
    enum { ND = sizeof dkeys / sizeof dkeys[0] };
    size_t n = 0;
    while (keys && keys[n])
        n++;
    const char **k = xcalloc(n + ND + 1, sizeof *k);
    const char **v = xcalloc(n + ND + 1, sizeof *v);
    pgconn_t *c = xcalloc(1, sizeof *c);
    /* Defaults first: with expand_dbname, the conninfo's own values (and any
     * later keyword) override them. */
    size_t m = 0;
    for (size_t i = 0; i < ND; i++, m++) {
        k[m] = dkeys[i];
        v[m] = dvals[i];
    }
    for (size_t i = 0; i < n; i++, m++) {
        k[m] = keys[i];
        v[m] = vals[i];
    }
    set_bounds(c, bounds);
    c->conn = PQconnectStartParams(k, v, 1);
    free(k);
    free(v);
    if (!c->conn) { /* libpq's own allocation failed */
        free(c);
        return err_set(err, "connecting: out of memory");
    }
    *out = c;
    if (PQstatus(c->conn) == CONNECTION_BAD)
        return open_failed(c, W_ERROR, 0, 0, err);
    /* The effective connect_timeout (the user's, or ours). */
    int64_t connect_ms = 0;
    PQconninfoOption *opts = PQconninfo(c->conn);
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, "connect_timeout") == 0 && o->val && *o->val) {
            long s = strtol(o->val, NULL, 10);
            /* libpq treats 1 as 2 s; 0 or negative means wait forever, which
             * pgopt never does: the default applies. */
            connect_ms = (s <= 0 ? PGCONN_CONNECT_TIMEOUT_S : s < 2 ? 2 : s) * 1000;
        }
    PQconninfoFree(opts);
    if (!connect_ms)
        connect_ms = PGCONN_CONNECT_TIMEOUT_S * 1000;
    int64_t t0 = clock_mono_ms();
    wait_t why;
    int64_t until = wait_until(c, connect_ms, W_STATEMENT, &why);
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED)
            return open_failed(c, W_ERROR, 0, 0, err);
        wait_t w =
            wait_fd(PQsocket(c->conn), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, until, why);
        if (w != W_READY)
            return open_failed(c, w, clock_mono_ms() - t0, connect_ms, err);
        st = PQconnectPoll(c->conn);
    }
    /* From here on libpq never blocks on a send: a peer that stops reading
     * cannot hold a PQsendQuery or the final PQfinish. */
    PQsetnonblocking(c->conn, 1);
    return 0;
}

void pgconn_destroy(pgconn_t **c)
{
    if (!c || !*c)
        return;
    if ((*c)->conn) {
        PQsetnonblocking((*c)->conn, 1);
        PQfinish((*c)->conn);
    }
    free(*c);
    *c = NULL;
}

PGconn *pgconn_pq(const pgconn_t *c)
{
    return c ? c->conn : NULL;
}

int pgconn_broken(const pgconn_t *c)
{
    return !c || c->broken;
}

int pgconn_timed_out(const pgconn_t *c)
{
    return c && c->timed_out;
}

const char *pgconn_error(const pgconn_t *c)
{
    return c ? c->err.msg : "no connection";
}

/* Sends what libpq buffered, then collects results until the last one, each
 * wait bounded. */
static PGresult *finish(pgconn_t *c)
{
    int64_t t0 = clock_mono_ms();
    wait_t why;
    int64_t until = wait_until(c, c->bounds.query_bound_ms, W_STATEMENT, &why);
    int fd = PQsocket(c->conn);
    for (;;) {
        int f = PQflush(c->conn);
        if (f < 0)
            goto lost;
        if (f == 0)
            break;
        wait_t w = wait_fd(fd, POLLIN | POLLOUT, until, why);
        if (w != W_READY) {
            abandon(c, w, clock_mono_ms() - t0, "while sending a statement");
            return NULL;
        }
        /* Reading while the send is pending keeps a server that answers
         * NOTICEs from deadlocking against us. */
        if (PQconsumeInput(c->conn) == 0)
            goto lost;
    }
    PGresult *last = NULL;
    for (;;) {
        while (PQisBusy(c->conn)) {
            wait_t w = wait_fd(fd, POLLIN, until, why);
            if (w != W_READY) {
                PQclear(last);
                send_cancel(c);
                abandon(c, w, clock_mono_ms() - t0, "while waiting for a result");
                return NULL;
            }
            if (PQconsumeInput(c->conn) == 0) {
                PQclear(last);
                goto lost;
            }
        }
        PGresult *r = PQgetResult(c->conn);
        if (!r)
            break;
        ExecStatusType st = PQresultStatus(r);
        if (last && PQresultStatus(last) == PGRES_FATAL_ERROR) {
            PQclear(r); /* the first error explains the failure */
        } else {
            PQclear(last);
            last = r;
        }
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH) {
            err_set(&c->err, "COPY is not supported on a pgopt connection");
            break;
        }
        if (PQstatus(c->conn) == CONNECTION_BAD)
            break;
    }
    if (PQstatus(c->conn) == CONNECTION_BAD)
        c->broken = 1;
    if (last && PQresultStatus(last) == PGRES_FATAL_ERROR) {
        char line[400];
        one_line(PQresultErrorMessage(last), line, sizeof line);
        err_set(&c->err, "%s", line);
    }
    return last;
lost : {
    char line[400];
    one_line(PQerrorMessage(c->conn), line, sizeof line);
    err_set(&c->err, "%s", line);
    c->broken = 1;
    c->timed_out = 0;
    return NULL;
}
}

/* c can take a statement: connected and not lost earlier (c's error then
 * says so). Clears the previous time-out flag. */
static int usable(pgconn_t *c)
{
    if (!c || !c->conn)
        return 0;
    if (c->broken) {
        if (!c->err.msg[0])
            err_set(&c->err, "the connection was lost earlier");
        return 0;
    }
    c->timed_out = 0;
    return 1;
}

/* Every statement pgopt sends goes through here, marked (common/pgmark.h). */
static char *marked(const char *sql)
{
    return pgmark_sql(sql);
}

PGresult *pgconn_exec(pgconn_t *c, const char *sql_in)
{
    if (!usable(c))
        return NULL;
    char *sql = marked(sql_in);
    int sent = PQsendQuery(c->conn, sql);
    free(sql);
    if (!sent) {
        char line[400];
        one_line(PQerrorMessage(c->conn), line, sizeof line);
        err_set(&c->err, "%s", line);
        if (PQstatus(c->conn) == CONNECTION_BAD)
            c->broken = 1;
        return NULL;
    }
    return finish(c);
}

PGresult *pgconn_exec_params(pgconn_t *c, const char *sql_in, int nparams,
                             const char *const *params)
{
    if (!usable(c))
        return NULL;
    char *sql = marked(sql_in);
    int sent = PQsendQueryParams(c->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    free(sql);
    if (!sent) {
        char line[400];
        one_line(PQerrorMessage(c->conn), line, sizeof line);
        err_set(&c->err, "%s", line);
        if (PQstatus(c->conn) == CONNECTION_BAD)
            c->broken = 1;
        return NULL;
    }
    return finish(c);
}
