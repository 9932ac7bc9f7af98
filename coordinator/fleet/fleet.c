/* fleet.c - see fleet.h. */
#include "coordinator/fleet/fleet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/escape.h"
#include "common/log.h"
#include "proto/codec.h"
#include "proto/message.h"
#include "proto/result_schema.h"
#include "proto/transport.h"

#define FLEET_MAX_ENDPOINTS 1024
#define BUSY_BACKOFF_MIN_MS 50
#define BUSY_BACKOFF_MAX_MS 1000
/* Default silence window. Validating a large snapshot (tens of MB) is one
 * step without beats and takes seconds on a loaded machine; a false "hung"
 * costs a whole re-run elsewhere, a late detection only seconds. */
#define HANG_MIN_MS 5000
/* How soon a DEALER retries an ipc:// worker that refused the connection. */
#define IPC_RECONNECT_MS 10
/* Clocks of coordinator and worker tick apart by scheduling noise. */
#define DEADLINE_SLACK_MS 100

typedef struct {
    char endpoint[256];
    void *sock;
    int answered;     /* a PONG arrived */
    int incompatible; /* speaks another protocol major version */
    int dead;         /* fell silent during a job, or crashed */
    char agent[33];
    char worker[129];
    int64_t load;
    int64_t capacity;
    int64_t busy_until; /* after BUSY: not a candidate before this time */
    int64_t busy_backoff;
    char note[ERR_MSG_MAX]; /* why it is unusable, for the report */
    int curve;              /* encrypted and authenticated */
} instance_t;

typedef struct {
    agent_outcome_t *out;
    int inst; /* current instance, -1 when none */
    char job[65];
    int64_t started;
    int64_t deadline;
    int64_t last_heard;
    int64_t retry_at;      /* waiting for a busy instance; 0 when not waiting */
    unsigned char *failed; /* per instance: this agent's job failed there */
    int last_silent;       /* the last failure was silence (hang or death) */
    fleet_agent_stats_t stats;
} agent_state_t;

struct fleet {
    fleet_opts_t opts;
    void *zctx;
    instance_t *inst;
    int ninst;
    err_t err;
    /* The last run's breakdown (fleet_last_stats). */
    int64_t discover_us, dispatch_us, total_us;
    fleet_agent_stats_t *stats;
    int nstats;
};

/* The status as the fleet section and the logs spell it ("ok", "timeout",
 * "error", "unavailable"); "pending" for a status not settled yet. Never NULL. */
const char *agent_status_name(agent_status_t status)
{
    switch (status) {
    case AGENT_OK:
        return "ok";
    case AGENT_TIMEOUT:
        return "timeout";
    case AGENT_ERROR:
        return "error";
    case AGENT_UNAVAILABLE:
        return "unavailable";
    default:
        return "pending";
    }
}

/* Fills opts with the defaults: 120 s per agent, PROGRESS every 200 ms, 1 s of
 * discovery, 1 s heartbeats, frames up to 256 MB; hang_ms 0 lets fleet_new
 * derive it from the PROGRESS cadence. Cannot fail. */
void fleet_opts_init(fleet_opts_t *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->timeout_ms = 120000;
    opts->progress_ms = 200;
    opts->hang_ms = 0; /* derived: max(HANG_MIN_MS, 10 x progress_ms) */
    opts->discover_ms = 1000;
    opts->heartbeat_ms = 1000;
    opts->max_frame = 256LL * 1024 * 1024;
}

/* A fleet with no endpoints yet, on opts (the defaults when NULL); a hang limit
 * not given is derived as 10 PROGRESS intervals, at least HANG_MIN_MS.
 * Returns NULL when ZeroMQ cannot give a context (there is no fleet yet to
 * carry an error message); memory runs out only by aborting (common/alloc.h). */
fleet_t *fleet_new(const fleet_opts_t *opts)
{
    fleet_t *self = xcalloc(1, sizeof *self);
    if (opts)
        self->opts = *opts;
    else
        fleet_opts_init(&self->opts);
    if (self->opts.progress_ms <= 0)
        self->opts.progress_ms = 200;
    if (self->opts.hang_ms <= 0) {
        self->opts.hang_ms = self->opts.progress_ms * 10;
        if (self->opts.hang_ms < HANG_MIN_MS)
            self->opts.hang_ms = HANG_MIN_MS;
    }
    self->zctx = zmq_ctx_new();
    if (!self->zctx) {
        free(self);
        return NULL;
    }
    self->inst = xcalloc(FLEET_MAX_ENDPOINTS, sizeof *self->inst);
    return self;
}

/* Closes every instance's socket, ends the ZeroMQ context and wipes the CURVE
 * secret key before freeing. Safe on NULL and twice: nulls *pself. */
void fleet_destroy(fleet_t **pself)
{
    if (!pself || !*pself)
        return;
    fleet_t *self = *pself;
    for (int i = 0; i < self->ninst; i++)
        if (self->inst[i].sock)
            zmq_close(self->inst[i].sock);
    zmq_ctx_term(self->zctx);
    free(self->inst);
    free(self->stats);
    memset(&self->opts.curve, 0, sizeof self->opts.curve); /* the secret key */
    free(self);
    *pself = NULL;
}

const char *fleet_error(const fleet_t *self)
{
    return self->err.msg;
}

int fleet_endpoint_count(const fleet_t *self)
{
    return self->ninst;
}

static int is_loopback_tcp(const char *ep);

int fleet_all_local(const fleet_t *self)
{
    for (int i = 0; i < self->ninst; i++) {
        const char *ep = self->inst[i].endpoint;
        if (strncmp(ep, "tcp://", 6) == 0 && !is_loopback_tcp(ep))
            return 0;
    }
    return 1;
}

int fleet_opts_load_curve(fleet_opts_t *opts, const char *secret_file,
                          const char *server_public_file, err_t *err)
{
    curve_keypair_t kp;
    if (curve_keypair_load(secret_file, &kp, err) != 0)
        return -1;
    if (server_public_file && curve_public_load(server_public_file, opts->curve_server, err) != 0) {
        memset(&kp, 0, sizeof kp);
        return -1;
    }
    opts->curve = kp;
    memset(&kp, 0, sizeof kp);
    return 0;
}

static int is_loopback_tcp(const char *ep)
{
    /* tcp endpoints are stored resolved to numeric addresses. */
    return strncmp(ep, "tcp://127.", 10) == 0 || strncmp(ep, "tcp://[::1]:", 12) == 0;
}

int fleet_is_secure(const fleet_t *self)
{
    for (int i = 0; i < self->ninst; i++) {
        const instance_t *in = &self->inst[i];
        if (strncmp(in->endpoint, "tcp://", 6) == 0 && !is_loopback_tcp(in->endpoint) && !in->curve)
            return 0;
    }
    return 1;
}

/* Connects one DEALER socket to one resolved address: CURVE on tcp:// when the
 * coordinator has keys (server_key, else the fleet's one worker key), a short
 * reconnect interval on ipc://. Returns 1 when added, 0 when that address is
 * an instance already, -1 with self->err set (too many endpoints, CURVE with
 * no worker key, socket setup or connect failed). */
static int add_one(fleet_t *self, const char *endpoint, const char *server_key)
{
    for (int i = 0; i < self->ninst; i++)
        if (strcmp(self->inst[i].endpoint, endpoint) == 0)
            return 0; /* the same address twice is one instance */
    if (self->ninst >= FLEET_MAX_ENDPOINTS)
        return err_set(&self->err, "too many worker endpoints (limit %d)", FLEET_MAX_ENDPOINTS);
    instance_t *in = &self->inst[self->ninst];
    memset(in, 0, sizeof *in);
    snprintf(in->endpoint, sizeof in->endpoint, "%s", endpoint);
    in->sock = zmq_socket(self->zctx, ZMQ_DEALER);
    if (!in->sock)
        return err_set(&self->err, "zmq_socket: %s", zmq_strerror(errno));
    /* CURVE for tcp:// when the coordinator has keys; ipc:// and inproc://
     * stay on this machine behind file permissions. */
    int curve = strncmp(endpoint, "tcp://", 6) == 0 && self->opts.curve.public_z85[0];
    const char *skey = server_key ? server_key : self->opts.curve_server;
    if (curve && !skey[0]) {
        zmq_close(in->sock);
        in->sock = NULL;
        return err_set(&self->err,
                       "%s: CURVE is on but no public key of this worker was given "
                       "(a server key for all, or one per endpoint)",
                       endpoint);
    }
    /* A local worker that is still starting (the embedded fleet forks it
     * just before) refuses the first connect; libzmq retries after 100 ms
     * by default, a fixed wait in the first analysis. Retrying an ipc://
     * path every 10 ms costs a failed connect() each time. */
    int reconnect_ms = IPC_RECONNECT_MS;
    if (strncmp(endpoint, "ipc://", 6) == 0 &&
        zmq_setsockopt(in->sock, ZMQ_RECONNECT_IVL, &reconnect_ms, sizeof reconnect_ms) != 0)
        log_debug("cannot shorten the reconnect interval", "endpoint=%s error=\"%s\"", endpoint,
                  zmq_strerror(errno));
    if (transport_setup_socket(in->sock, self->opts.max_frame, self->opts.heartbeat_ms,
                               &self->err) != 0 ||
        (curve && curve_setup_client(in->sock, &self->opts.curve, skey, &self->err) != 0) ||
        zmq_connect(in->sock, endpoint) != 0) {
        if (self->err.msg[0] == '\0')
            err_set(&self->err, "connecting to %s: %s", endpoint, zmq_strerror(errno));
        else
            err_prefix(&self->err, "%s: ", endpoint);
        zmq_close(in->sock);
        in->sock = NULL;
        return -1;
    }
    in->curve = curve;
    self->ninst++;
    return 1;
}

/* "tcp://host:port" -> one endpoint per address of host. Numeric addresses
 * and other transports are added as they are. */
static int add_endpoint(fleet_t *self, const char *endpoint, const char *server_key);

int fleet_add_endpoint(fleet_t *self, const char *endpoint)
{
    return add_endpoint(self, endpoint, NULL);
}

int fleet_add_endpoint_key(fleet_t *self, const char *endpoint, const char *server_public_z85)
{
    err_clear(&self->err);
    if (server_public_z85 && !curve_key_valid(server_public_z85))
        return err_set(&self->err,
                       "endpoint '%s': the server key is not a CURVE key (40 Z85 "
                       "characters)",
                       endpoint);
    return add_endpoint(self, endpoint, server_public_z85);
}

/* Checks endpoint's form (tcp://HOST:PORT, ipc://PATH, inproc://NAME) and
 * adds one instance per address HOST resolves to, so a name with several
 * addresses gives several instances. Returns the number added (0 when all
 * were known), -1 with self->err set for a malformed endpoint or port, a name
 * that does not resolve, or an address add_one could not connect. */
static int add_endpoint(fleet_t *self, const char *endpoint, const char *server_key)
{
    err_clear(&self->err);
    if (strlen(endpoint) >= sizeof self->inst[0].endpoint)
        return err_set(&self->err, "endpoint too long: %.60s...", endpoint);
    if (strncmp(endpoint, "tcp://", 6) != 0) {
        if (strncmp(endpoint, "ipc://", 6) != 0 && strncmp(endpoint, "inproc://", 9) != 0)
            return err_set(&self->err,
                           "endpoint '%s': expected tcp://HOST:PORT, ipc://PATH or inproc://NAME",
                           endpoint);
        return add_one(self, endpoint, server_key);
    }
    const char *hostpart = endpoint + 6;
    char host[256];
    const char *port;
    if (hostpart[0] == '[') { /* [v6]:port */
        const char *close = strchr(hostpart, ']');
        if (!close || close[1] != ':')
            return err_set(&self->err, "endpoint '%s': bad [IPv6]:port", endpoint);
        snprintf(host, sizeof host, "%.*s", (int)(close - hostpart - 1), hostpart + 1);
        port = close + 2;
    } else {
        const char *colon = strrchr(hostpart, ':');
        if (!colon)
            return err_set(&self->err, "endpoint '%s': missing :PORT", endpoint);
        snprintf(host, sizeof host, "%.*s", (int)(colon - hostpart), hostpart);
        port = colon + 1;
    }
    char *pend = NULL;
    long pnum = strtol(port, &pend, 10);
    if (!*port || *pend || pnum <= 0 || pnum > 65535)
        return err_set(&self->err, "endpoint '%s': bad port '%s'", endpoint, port);

    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0)
        return err_set(&self->err, "endpoint '%s': cannot resolve '%s': %s", endpoint, host,
                       gai_strerror(gai));
    int added = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        char addr[INET6_ADDRSTRLEN];
        char ep[300];
        if (ai->ai_family == AF_INET) {
            inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, addr, sizeof addr);
            snprintf(ep, sizeof ep, "tcp://%s:%ld", addr, pnum);
        } else if (ai->ai_family == AF_INET6) {
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, addr,
                      sizeof addr);
            snprintf(ep, sizeof ep, "tcp://[%s]:%ld", addr, pnum);
        } else {
            continue;
        }
        int rc = add_one(self, ep, server_key);
        if (rc < 0) {
            freeaddrinfo(res);
            return -1;
        }
        added += rc;
    }
    freeaddrinfo(res);
    return added;
}

int fleet_add_endpoint_list(fleet_t *self, const char *list)
{
    char *copy = xstrdup(list ? list : "");
    int total = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ", \t\n", &save); tok; tok = strtok_r(NULL, ", \t\n", &save)) {
        int rc = fleet_add_endpoint(self, tok);
        if (rc < 0) {
            free(copy);
            return -1;
        }
        total += rc;
    }
    free(copy);
    return total;
}

/* Releases the results fleet_run left in outcomes[0..n) (NULLs them); the
 * rest of each outcome stays readable. Cannot fail. */
void fleet_outcomes_clear(agent_outcome_t *outcomes, int n)
{
    for (int i = 0; i < n; i++) {
        json_decref(outcomes[i].result);
        outcomes[i].result = NULL;
    }
}

/* ---- one analysis --------------------------------------------------------- */

typedef struct {
    fleet_t *fleet;
    agent_state_t *agents;
    int nagents;
    zmq_msg_t *body;
    char run_id[17];
    int64_t t0_us; /* start of the run, for the stats */
} run_t;

static int64_t run_us(const run_t *r)
{
    return clock_mono_us() - r->t0_us;
}

/* Sends instance i a message with no body (PING, or CANCEL of job). Best
 * effort: a failed send is logged at debug level and nothing is returned; the
 * run's timers decide what an unanswered instance means. */
static void send_simple(run_t *r, int i, msg_type_t type, const char *job)
{
    msg_header_t h;
    msg_header_init(&h, type);
    if (job)
        snprintf(h.job, sizeof h.job, "%s", job);
    err_t e;
    if (transport_send(r->fleet->inst[i].sock, NULL, 0, &h, NULL, &e) != 0)
        log_debug("send failed", "type=%s endpoint=%s error=\"%s\"", msg_type_name(type),
                  r->fleet->inst[i].endpoint, e.msg);
}

static int usable(const instance_t *in, const char *agent)
{
    return in->answered && !in->incompatible && !in->dead && strcmp(in->agent, agent) == 0;
}

static void finish(run_t *r, agent_state_t *a, agent_status_t st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Settles agent a with status st and, when fmt is given, the error text (which
 * may quote the earlier a->out->error): records the elapsed time, tells
 * on_progress, frees its instance's slot and logs the outcome. Cannot fail. */
static void finish(run_t *r, agent_state_t *a, agent_status_t st, const char *fmt, ...)
{
    a->out->status = st;
    a->out->elapsed_ms = a->started ? clock_mono_ms() - a->started : 0;
    a->stats.done_us = run_us(r);
    if (r->fleet->opts.on_progress)
        r->fleet->opts.on_progress(r->fleet->opts.on_progress_arg, a->out->agent, NULL, 0, 0,
                                   agent_status_name(st));
    if (fmt) {
        /* Formatted aside first: callers pass the earlier a->out->error as
         * an argument ("...; earlier: %s"), and printing into the buffer
         * being read repeated the text. */
        char text[sizeof a->out->error];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof text, fmt, ap);
        va_end(ap);
        memcpy(a->out->error, text, sizeof text);
    }
    if (a->inst >= 0) {
        instance_t *in = &r->fleet->inst[a->inst];
        if (in->load > 0)
            in->load--;
    }
    a->inst = -1;
    a->job[0] = '\0';
    a->retry_at = 0;
    /* Info even on failure: the coordinator prints one line per failed agent
     * at the end, and the fleet section says it all again. */
    log_event(LOG_INFO, "agent finished",
              "agent=%s status=%s attempts=%d elapsed_ms=%lld error=\"%s\"", a->out->agent,
              agent_status_name(st), a->out->attempts, (long long)a->out->elapsed_ms,
              ESC(a->out->error));
}

/* Describes why no instance could take the agent's job. */
static void explain_unusable(run_t *r, const char *agent, char *buf, size_t len)
{
    fleet_t *f = r->fleet;
    int answered = 0;
    size_t off = 0;
    off += (size_t)snprintf(buf + off, len - off, "no live worker for agent %s", agent);
    for (int i = 0; i < f->ninst; i++)
        answered += f->inst[i].answered;
    off +=
        (size_t)snprintf(buf + off, off < len ? len - off : 0, " (%d endpoint%s, %d answered PING)",
                         f->ninst, f->ninst == 1 ? "" : "s", answered);
    for (int i = 0; i < f->ninst && off < len; i++)
        if (f->inst[i].incompatible)
            off += (size_t)snprintf(buf + off, len - off, "; %s: %s", f->inst[i].endpoint,
                                    f->inst[i].note);
}

/* Sends the agent's job to the best instance, or decides it cannot run. */
static void dispatch(run_t *r, agent_state_t *a)
{
    fleet_t *f = r->fleet;
    int64_t now = clock_mono_ms();
    int best = -1;
    double best_ratio = 0;
    int busy_wait = 0;
    int64_t earliest = 0;
    for (int i = 0; i < f->ninst; i++) {
        instance_t *in = &f->inst[i];
        if (!usable(in, a->out->agent) || a->failed[i])
            continue;
        if (in->busy_until > now) {
            if (!busy_wait || in->busy_until < earliest)
                earliest = in->busy_until;
            busy_wait = 1;
            continue;
        }
        double cap = in->capacity > 0 ? (double)in->capacity : 1.0;
        double ratio = (double)in->load / cap;
        if (best < 0 || ratio < best_ratio) {
            best = i;
            best_ratio = ratio;
        }
    }
    if (best < 0) {
        if (busy_wait) {
            a->retry_at = earliest;
            return;
        }
        if (a->out->attempts == 0) {
            char why[ERR_MSG_MAX];
            explain_unusable(r, a->out->agent, why, sizeof why);
            finish(r, a, AGENT_UNAVAILABLE, "%s", why);
        } else {
            /* Every instance failed this job: keep the last failure's text. A
             * worker that fell silent did not answer in time: that is a
             * timeout, even when it is detected before the deadline. */
            char last[ERR_MSG_MAX];
            snprintf(last, sizeof last, "%s", a->out->error);
            finish(r, a, a->last_silent ? AGENT_TIMEOUT : AGENT_ERROR,
                   "%s (no other instance of %s left to try)", last, a->out->agent);
        }
        return;
    }
    instance_t *in = &f->inst[best];
    a->out->attempts++;
    snprintf(a->job, sizeof a->job, "%s.%s.%d", r->run_id, a->out->agent, a->out->attempts);
    msg_header_t h;
    msg_header_init(&h, MSG_JOB);
    snprintf(h.job, sizeof h.job, "%s", a->job);
    snprintf(h.agent, sizeof h.agent, "%s", a->out->agent);
    h.deadline_ms = a->deadline - now > 0 ? a->deadline - now : 1; /* 0 would mean "none" */
    h.progress_ms = f->opts.progress_ms;
    err_t e;
    if (transport_send(in->sock, NULL, 0, &h, r->body, &e) != 0) {
        snprintf(in->note, sizeof in->note, "send failed: %s", e.msg);
        a->failed[best] = 1;
        snprintf(a->out->error, sizeof a->out->error, "%s: %s", in->endpoint, in->note);
        dispatch(r, a);
        return;
    }
    a->inst = best;
    a->last_heard = now;
    a->retry_at = 0;
    a->stats.sent_us = run_us(r);
    a->stats.started_us = 0;
    in->load++;
    snprintf(a->out->worker, sizeof a->out->worker, "%s", in->worker);
    snprintf(a->out->endpoint, sizeof a->out->endpoint, "%s", in->endpoint);
    log_debug("job sent", "agent=%s job=%s endpoint=%s worker=\"%s\" deadline_ms=%lld",
              a->out->agent, a->job, in->endpoint, ESC(in->worker), (long long)h.deadline_ms);
}

/* The current attempt failed on its instance: remember why, move on to
 * another instance. silent: the worker fell silent (died or hung) rather
 * than answering with an error; with no instance left, the agent then ends
 * as a timeout (it did not answer in time), otherwise as an error. */
static void fail_over(run_t *r, agent_state_t *a, int silent, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The job of a failed on its instance (an error reply, silence, a worker that
 * went away): records why in a->out->error, marks that instance as failed for
 * this agent, frees its slot and dispatches again, which picks another
 * instance or settles the agent. silent says the instance went quiet rather
 * than answered. Cannot fail. */
static void fail_over(run_t *r, agent_state_t *a, int silent, const char *fmt, ...)
{
    instance_t *in = &r->fleet->inst[a->inst];
    va_list ap;
    va_start(ap, fmt);
    char why[ERR_MSG_MAX];
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(a->out->error, sizeof a->out->error, "%s (%s): %s", in->endpoint, in->worker, why);
    log_warn("job failed on instance, failing over", "agent=%s job=%s endpoint=%s reason=\"%s\"",
             a->out->agent, a->job, in->endpoint, ESC(why));
    a->failed[a->inst] = 1;
    a->last_silent = silent;
    if (in->load > 0)
        in->load--;
    a->inst = -1;
    a->job[0] = '\0';
    dispatch(r, a);
}

/* The agent whose current job id is job, or NULL when none has it (a late
 * reply to a job already settled or failed over). */
static agent_state_t *agent_for_job(run_t *r, const char *job)
{
    for (int k = 0; k < r->nagents; k++)
        if (r->agents[k].job[0] && strcmp(r->agents[k].job, job) == 0)
            return &r->agents[k];
    return NULL;
}

/* 1 when some agent is still pending with no instance working on it (waiting
 * for discovery or a retry), else 0. */
static int pending_without_instance(run_t *r)
{
    for (int k = 0; k < r->nagents; k++)
        if (r->agents[k].out->status == AGENT_PENDING && r->agents[k].inst < 0)
            return 1;
    return 0;
}

/* A worker that speaks another major version, or refused ours: it serves
 * nothing in this fleet any more, and whatever job it held moves on. */
static void on_incompatible(run_t *r, int i, const msg_header_t *h)
{
    instance_t *in = &r->fleet->inst[i];
    if (!in->incompatible) {
        if (h->v_major != PROTO_VERSION_MAJOR)
            snprintf(in->note, sizeof in->note,
                     "speaks protocol version %d.%d, this coordinator speaks %d.%d", h->v_major,
                     h->v_minor, PROTO_VERSION_MAJOR, PROTO_VERSION_MINOR);
        else
            snprintf(in->note, sizeof in->note, "refused our protocol version: %s", h->message);
        log_error("incompatible worker", "endpoint=%s reason=\"%s\"", in->endpoint, ESC(in->note));
    }
    in->incompatible = 1;
    for (int k = 0; k < r->nagents; k++)
        if (r->agents[k].inst == i && r->agents[k].out->status == AGENT_PENDING)
            fail_over(r, &r->agents[k], 0, "%s", in->note);
}

/* PONG: the instance is live; learn its agent, load and capacity. Once
 * dispatching has begun, a late PONG may be the first instance of an agent
 * still waiting for one: its job goes there now. */
static void on_pong(run_t *r, int i, const msg_header_t *h, int dispatching)
{
    instance_t *in = &r->fleet->inst[i];
    in->answered = 1;
    in->dead = 0;
    snprintf(in->agent, sizeof in->agent, "%s", h->agent);
    snprintf(in->worker, sizeof in->worker, "%s", h->worker);
    in->capacity = h->capacity;
    /* Our own in-flight jobs there are included in its load already. */
    in->load = h->load;
    log_debug("worker answered", "endpoint=%s agent=\"%s\" worker=\"%s\" load=%lld capacity=%lld",
              in->endpoint, ESC(in->agent), ESC(in->worker), (long long)h->load,
              (long long)h->capacity);
    if (dispatching && pending_without_instance(r))
        for (int k = 0; k < r->nagents; k++)
            if (r->agents[k].out->status == AGENT_PENDING && r->agents[k].inst < 0 &&
                strcmp(r->agents[k].out->agent, in->agent) == 0)
                dispatch(r, &r->agents[k]);
}

/* PROGRESS of an agent's current job (a NULL: late or unknown, ignored):
 * the job is alive; the first one also says the worker holds the whole JOB. */
static void on_progress(run_t *r, agent_state_t *a, const msg_header_t *h)
{
    if (!a)
        return;
    a->last_heard = clock_mono_ms();
    if (!a->stats.started_us)
        a->stats.started_us = run_us(r);
    a->stats.progress++;
    if (r->fleet->opts.on_progress)
        r->fleet->opts.on_progress(r->fleet->opts.on_progress_arg, a->out->agent, h->stage, h->done,
                                   h->total, NULL);
}

/* RESULT of an agent's current job: decoded and checked against the agent's
 * result schema (docs/RESULTS.md) before the agent counts as ok; a body that
 * does not decode or has the wrong shape is this instance's failure, and
 * another instance is tried. */
static void on_result(run_t *r, int i, agent_state_t *a, transport_msg_t *m)
{
    instance_t *in = &r->fleet->inst[i];
    const msg_header_t *h = &m->hdr;
    if (!a) {
        log_debug("late or unknown RESULT dropped", "endpoint=%s job=\"%s\"", in->endpoint,
                  ESC(h->job));
        return;
    }
    a->stats.result_us = run_us(r);
    a->stats.worker_ms = h->elapsed_ms;
    if (!m->has_body) {
        fail_over(r, a, 0, "RESULT without a body");
        return;
    }
    json_t *doc = NULL;
    err_t de;
    if (codec_decode(zmq_msg_data(&m->body), zmq_msg_size(&m->body), &CODEC_LIMITS_DOCUMENT, &doc,
                     &de) != 0) {
        fail_over(r, a, 0, "undecodable result: %s", de.msg);
        return;
    }
    /* The result must be the agent's: a worker answering with another
     * agent's label or a wrongly shaped map is an error of this agent,
     * never an empty "ok" section. */
    err_t ve = {{0}};
    if (h->agent[0] && strcmp(h->agent, a->out->agent) != 0)
        err_set(&ve, "%s result: the RESULT header names agent \"%s\"", a->out->agent, h->agent);
    else
        result_validate(doc, a->out->agent, &ve);
    if (ve.msg[0]) {
        json_decref(doc);
        in->incompatible = 1;
        snprintf(in->note, sizeof in->note, "invalid result: %s", ve.msg);
        fail_over(r, a, 0, "invalid result: %s", ve.msg);
        return;
    }
    a->out->result = doc;
    snprintf(a->out->worker, sizeof a->out->worker, "%s", h->worker[0] ? h->worker : in->worker);
    a->out->error[0] = '\0';
    finish(r, a, AGENT_OK, NULL);
}

/* BUSY: every slot of the instance is taken. Not a failure of the job: the
 * instance backs off (50 ms doubling to 1 s) and the job goes to another
 * instance now, or back to this one after the back-off. */
static void on_busy(run_t *r, int i, agent_state_t *a, const msg_header_t *h)
{
    instance_t *in = &r->fleet->inst[i];
    if (!a)
        return;
    in->load = h->load;
    in->capacity = h->capacity;
    in->busy_backoff = in->busy_backoff ? in->busy_backoff * 2 : BUSY_BACKOFF_MIN_MS;
    if (in->busy_backoff > BUSY_BACKOFF_MAX_MS)
        in->busy_backoff = BUSY_BACKOFF_MAX_MS;
    in->busy_until = clock_add_ms(clock_mono_ms(), in->busy_backoff);
    log_info("worker busy, trying another instance", "agent=%s endpoint=%s load=%lld/%lld",
             a->out->agent, in->endpoint, (long long)h->load, (long long)h->capacity);
    in->load = in->load > 0 ? in->load : 0;
    a->inst = -1;
    a->job[0] = '\0';
    dispatch(r, a);
}

/* ERROR about an agent's current job: a refused snapshot ends the agent
 * (every instance would refuse it), an agent mismatch marks the instance
 * unusable, a cancel at our own deadline is a timeout, anything else moves
 * the job to another instance. */
static void on_error(run_t *r, int i, agent_state_t *a, const msg_header_t *h)
{
    instance_t *in = &r->fleet->inst[i];
    if (!a) {
        log_debug("ERROR not about a current job", "endpoint=%s code=\"%s\" message=\"%s\"",
                  in->endpoint, ESC(h->code), ESC(h->message));
        return;
    }
    if (strcmp(h->code, MSG_ERR_SNAPSHOT) == 0) {
        snprintf(a->out->worker, sizeof a->out->worker, "%s", in->worker);
        finish(r, a, AGENT_ERROR, "%s refused the snapshot: %s", in->endpoint, h->message);
    } else if (strcmp(h->code, MSG_ERR_AGENT) == 0) {
        in->incompatible = 1;
        snprintf(in->note, sizeof in->note, "agent mismatch: %s", h->message);
        fail_over(r, a, 0, "%s: %s", h->code, h->message);
    } else if (strcmp(h->code, MSG_ERR_CANCELLED) == 0 &&
               clock_mono_ms() >= a->deadline - DEADLINE_SLACK_MS) {
        /* The worker enforced the deadline we gave it, a moment before our
         * own timer fired. */
        snprintf(a->out->worker, sizeof a->out->worker, "%s", in->worker);
        finish(r, a, AGENT_TIMEOUT, "no result within the deadline of %lld ms (%s: %s)",
               (long long)r->fleet->opts.timeout_ms, in->endpoint, h->message);
    } else {
        fail_over(r, a, 0, "%s: %s", h->code, h->message);
    }
}

/* Receives one message from instance i and hands it to the piece for its
 * type. Replies are matched to an agent by job id and instance: anything
 * else (an earlier run's, an earlier attempt's) is late and only logged. */
static void handle_message(run_t *r, int i, int dispatching)
{
    instance_t *in = &r->fleet->inst[i];
    transport_msg_t m;
    err_t e = {{0}};
    int rc = transport_recv(in->sock, 0, &m, &e);
    if (rc == 1)
        return;
    if (rc < 0) {
        log_warn("malformed message from worker", "endpoint=%s error=\"%s\"", in->endpoint,
                 ESC(e.msg));
        transport_msg_close(&m);
        return;
    }
    const msg_header_t *h = &m.hdr;
    if (h->v_major != PROTO_VERSION_MAJOR ||
        (h->type == MSG_ERROR && strcmp(h->code, MSG_ERR_VERSION) == 0)) {
        on_incompatible(r, i, h);
        transport_msg_close(&m);
        return;
    }
    agent_state_t *a = h->job[0] ? agent_for_job(r, h->job) : NULL;
    if (a && a->inst != i)
        a = NULL; /* the same job id from another instance cannot happen; be strict */
    switch (h->type) {
    case MSG_PONG:
        on_pong(r, i, h, dispatching);
        break;
    case MSG_PROGRESS:
        on_progress(r, a, h);
        break;
    case MSG_RESULT:
        on_result(r, i, a, &m);
        break;
    case MSG_BUSY:
        on_busy(r, i, a, h);
        break;
    case MSG_ERROR:
        on_error(r, i, a, h);
        break;
    default:
        log_warn("unexpected message from worker", "endpoint=%s type=%s", in->endpoint,
                 msg_type_name(h->type));
        break;
    }
    transport_msg_close(&m);
}

/* 1 when every agent of the run is settled (no AGENT_PENDING left), else 0. */
static int all_done(run_t *r)
{
    for (int k = 0; k < r->nagents; k++)
        if (r->agents[k].out->status == AGENT_PENDING)
            return 0;
    return 1;
}

/* Applies the run's clocks to every pending agent: past its deadline it is
 * cancelled and settled as a timeout; silent on its instance for more than
 * hang_ms the instance is marked dead and the job fails over; a retry whose
 * time has come is dispatched. Cannot fail. */
static void check_timers(run_t *r)
{
    fleet_t *f = r->fleet;
    int64_t now = clock_mono_ms();
    for (int k = 0; k < r->nagents; k++) {
        agent_state_t *a = &r->agents[k];
        if (a->out->status != AGENT_PENDING)
            continue;
        if (now >= a->deadline) {
            if (a->inst >= 0) {
                send_simple(r, a->inst, MSG_CANCEL, a->job);
                snprintf(a->out->worker, sizeof a->out->worker, "%s", f->inst[a->inst].worker);
            }
            finish(r, a, AGENT_TIMEOUT, "no result within the deadline of %lld ms%s%s",
                   (long long)f->opts.timeout_ms, a->out->error[0] ? "; earlier: " : "",
                   a->out->error);
            continue;
        }
        if (a->inst >= 0 && now - a->last_heard > f->opts.hang_ms) {
            instance_t *in = &f->inst[a->inst];
            send_simple(r, a->inst, MSG_CANCEL, a->job);
            in->dead = 1;
            snprintf(in->note, sizeof in->note, "no PROGRESS for %lld ms during job %s",
                     (long long)(now - a->last_heard), a->job);
            fail_over(r, a, 1, "worker stopped responding (no PROGRESS for %lld ms)",
                      (long long)(now - a->last_heard));
            continue;
        }
        if (a->inst < 0 && a->retry_at && now >= a->retry_at)
            dispatch(r, a);
    }
}

/* The monotonic time (ms) of the next deadline, hang check or retry among the
 * pending agents, at most one second after now, so the poll wakes for it. */
static int64_t next_wakeup(run_t *r, int64_t now)
{
    int64_t next = now + 1000;
    for (int k = 0; k < r->nagents; k++) {
        agent_state_t *a = &r->agents[k];
        if (a->out->status != AGENT_PENDING)
            continue;
        if (a->deadline < next)
            next = a->deadline;
        if (a->inst >= 0 && a->last_heard + r->fleet->opts.hang_ms + 1 < next)
            next = a->last_heard + r->fleet->opts.hang_ms + 1;
        if (a->inst < 0 && a->retry_at && a->retry_at < next)
            next = a->retry_at;
    }
    return next;
}

/* Polls every instance socket for at most timeout_ms and handles what
 * arrived. Late replies of an earlier run are dropped by job id. */
static int poll_once(run_t *r, zmq_pollitem_t *items, int64_t timeout_ms, int dispatching)
{
    fleet_t *f = r->fleet;
    for (int i = 0; i < f->ninst; i++) {
        items[i].socket = f->inst[i].sock;
        items[i].fd = 0;
        items[i].events = ZMQ_POLLIN;
        items[i].revents = 0;
    }
    if (timeout_ms < 0)
        timeout_ms = 0;
    int rc = zmq_poll(items, f->ninst, (long)timeout_ms);
    if (rc < 0) {
        if (errno == EINTR)
            return 0;
        return err_set(&f->err, "zmq_poll: %s", zmq_strerror(errno));
    }
    for (int i = 0; i < f->ninst; i++)
        if (items[i].revents & ZMQ_POLLIN)
            for (int burst = 0; burst < 64; burst++) {
                int events = 0;
                size_t sz = sizeof events;
                zmq_getsockopt(f->inst[i].sock, ZMQ_EVENTS, &events, &sz);
                if (!(events & ZMQ_POLLIN))
                    break;
                handle_message(r, i, dispatching);
            }
    return 0;
}

/* Copies the run's per-agent timestamps where fleet_last_stats() finds them;
 * without memory for them the breakdown is empty, the run is not affected. */
static void keep_stats(fleet_t *self, const run_t *r)
{
    if (r->nagents > self->nstats || !self->stats) {
        free(self->stats);
        self->nstats = 0;
        self->stats = xcalloc((size_t)(r->nagents > 0 ? r->nagents : 1), sizeof *self->stats);
    }
    self->nstats = r->nagents;
    for (int k = 0; k < r->nagents; k++)
        self->stats[k] = r->agents[k].stats;
}

/* Writes 16 hex digits naming this run (in job ids) into out; from
 * getrandom(), or from the clock and pid when it fails, so it cannot fail. */
static void make_run_id(char out[17])
{
    unsigned char b[8];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b) {
        uint64_t t = (uint64_t)clock_mono_us() ^ ((uint64_t)getpid() << 32);
        memcpy(b, &t, sizeof b);
    }
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

int fleet_run(fleet_t *self, const char *const *agents, int n, zmq_msg_t *snapshot_body,
              agent_outcome_t *outcomes)
{
    err_clear(&self->err);
    run_t r = {.fleet = self, .nagents = n, .body = snapshot_body, .t0_us = clock_mono_us()};
    make_run_id(r.run_id);
    r.agents = xcalloc((size_t)(n > 0 ? n : 1), sizeof *r.agents);
    zmq_pollitem_t *items = xcalloc((size_t)(self->ninst > 0 ? self->ninst : 1), sizeof *items);
    for (int k = 0; k < n; k++) {
        memset(&outcomes[k], 0, sizeof outcomes[k]);
        snprintf(outcomes[k].agent, sizeof outcomes[k].agent, "%s", agents[k]);
        r.agents[k].out = &outcomes[k];
        r.agents[k].inst = -1;
        r.agents[k].failed = xcalloc((size_t)(self->ninst > 0 ? self->ninst : 1), 1);
    }

    /* Discovery: PING everyone, wait for PONGs (all, or until discover_ms). */
    for (int i = 0; i < self->ninst; i++) {
        self->inst[i].answered = 0;
        self->inst[i].dead = 0;
        send_simple(&r, i, MSG_PING, NULL);
    }
    int64_t t0 = clock_mono_ms();
    int64_t discover_end = clock_add_ms(t0, self->opts.discover_ms);
    int rc = 0;
    while (rc == 0) {
        int pending = 0;
        for (int i = 0; i < self->ninst; i++)
            pending += !self->inst[i].answered && !self->inst[i].incompatible;
        int64_t now = clock_mono_ms();
        if (pending == 0 || now >= discover_end)
            break;
        rc = poll_once(&r, items, discover_end - now, 0);
    }
    log_info("fleet discovered", "endpoints=%d elapsed_ms=%lld", self->ninst,
             (long long)(clock_mono_ms() - t0));
    self->discover_us = run_us(&r);

    /* Dispatch, then gather until every agent has a final status. */
    int64_t start = clock_mono_ms();
    for (int k = 0; k < n && rc == 0; k++) {
        r.agents[k].started = start;
        r.agents[k].deadline = clock_add_ms(start, self->opts.timeout_ms);
        dispatch(&r, &r.agents[k]);
    }
    self->dispatch_us = run_us(&r);
    while (rc == 0 && !all_done(&r)) {
        int64_t now = clock_mono_ms();
        rc = poll_once(&r, items, next_wakeup(&r, now) - now, 1);
        check_timers(&r);
    }
    self->total_us = run_us(&r);
    keep_stats(self, &r);
    for (int k = 0; k < n; k++)
        free(r.agents[k].failed);
    free(r.agents);
    free(items);
    return rc;
}

/* The timings of the last fleet_run (discovery, dispatch, total and per agent)
 * into out; out->agents points into the fleet, valid until the next run or
 * fleet_destroy. Cannot fail. */
void fleet_last_stats(const fleet_t *self, fleet_stats_t *out)
{
    out->discover_us = self->discover_us;
    out->dispatch_us = self->dispatch_us;
    out->total_us = self->total_us;
    out->nagents = self->nstats;
    out->agents = self->stats;
}
