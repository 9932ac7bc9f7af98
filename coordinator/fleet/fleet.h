/*
 * fleet.h - the coordinator's side of the brokerless fleet: fan-out and gather.
 *
 * A fleet is a list of worker endpoints (one DEALER socket each). fleet_run()
 * PINGs them all, learns each one's agent, load and capacity from the PONGs,
 * sends one JOB per requested agent to the least-loaded live instance (the
 * snapshot body is encoded once by the caller and shared by reference), and
 * gathers RESULTs under a per-agent deadline:
 *
 *   - PROGRESS keeps a job alive; silence longer than the hang window means
 *     the worker died or its job loop hung: CANCEL it and fail over to another
 *     instance of the same agent while the deadline allows;
 *   - BUSY moves the job to the next instance at once (and, when every
 *     instance is busy, retries with backoff until the deadline);
 *   - replies carrying another job id than the agent's current attempt are
 *     late and dropped;
 *   - an agent with no live instance is "unavailable", one past its deadline
 *     "timeout", one whose every try failed "error"; the others still finish.
 *
 * CURVE: when opts carry a client key pair, every tcp:// endpoint is
 * encrypted and authenticated (the worker's public key is given per endpoint
 * with fleet_add_endpoint_key(), or once for all in opts.curve_server);
 * ipc:// and inproc:// endpoints stay key-free (file permissions protect
 * them). fleet_is_secure() says whether a snapshot carrying credentials may
 * be sent.
 *
 * See proto/PROTOCOL.md for the message flow.
 */
#ifndef PGOPT_COORDINATOR_FLEET_H
#define PGOPT_COORDINATOR_FLEET_H

#include <jansson.h>
#include <stdint.h>
#include <zmq.h>

#include "common/error.h"
#include "proto/curve.h"

typedef struct fleet fleet_t;

typedef struct {
    int64_t timeout_ms;    /* per-agent deadline, from its first dispatch */
    int64_t progress_ms;   /* PROGRESS interval asked of workers */
    int64_t hang_ms;       /* silence after which a job's worker counts as dead */
    int64_t discover_ms;   /* how long to wait for PONGs before dispatching */
    int heartbeat_ms;      /* libzmq heartbeat interval (dead hosts) */
    int64_t max_frame;     /* largest frame accepted from a worker */
    int quiet;             /* no progress lines on stderr */
    curve_keypair_t curve; /* the coordinator's key pair; empty public key: CURVE off */
    char curve_server[CURVE_Z85_LEN + 1]; /* workers' public key when one serves all */
    /* Called from fleet_run's loop (the caller's thread): on every PROGRESS
     * of an agent's current job (status NULL) and once when the agent ends
     * (status "ok", "timeout", "error", "unavailable"). May be NULL. */
    void (*on_progress)(void *arg, const char *agent, const char *stage, int64_t done,
                        int64_t total, const char *status);
    void *on_progress_arg;
} fleet_opts_t;

void fleet_opts_init(fleet_opts_t *opts);

/* Turns CURVE on: loads the coordinator's key pair from secret_file and,
 * when server_public_file is not NULL, the one worker public key used for
 * every tcp:// endpoint that is added without its own. */
int fleet_opts_load_curve(fleet_opts_t *opts, const char *secret_file,
                          const char *server_public_file, err_t *err);

/* Status of one agent after fleet_run(). */
typedef enum {
    AGENT_PENDING = 0,
    AGENT_OK,
    AGENT_TIMEOUT,
    AGENT_ERROR,
    AGENT_UNAVAILABLE,
} agent_status_t;

const char *agent_status_name(agent_status_t status);

typedef struct {
    char agent[33];
    agent_status_t status;
    char worker[129];   /* identity ("host:pid") of the instance that answered last */
    char endpoint[256]; /* its endpoint */
    int attempts;       /* JOBs sent (BUSY answers included) */
    int64_t elapsed_ms; /* first dispatch to final status */
    char error[ERR_MSG_MAX];
    json_t *result; /* owned; the RESULT body when status is AGENT_OK */
} agent_outcome_t;

/* NULL (with errno) only when ZeroMQ cannot create its context. */
fleet_t *fleet_new(const fleet_opts_t *opts);
void fleet_destroy(fleet_t **self);
const char *fleet_error(const fleet_t *self);

/* Adds an endpoint: "tcp://host:port" (a host name resolving to several
 * addresses adds one endpoint per address), "ipc://path" or "inproc://name".
 * Returns the number of endpoints added, or -1. */
int fleet_add_endpoint(fleet_t *self, const char *endpoint);

/* Adds every endpoint of a list separated by commas or white space (the
 * PGOPT_WORKERS syntax). Returns the number added, or -1. */
int fleet_add_endpoint_list(fleet_t *self, const char *list);

/* As fleet_add_endpoint(), with this worker's CURVE public key (Z85; NULL:
 * opts.curve_server). Needs a client key pair in the options for tcp://. */
int fleet_add_endpoint_key(fleet_t *self, const char *endpoint, const char *server_public_z85);

int fleet_endpoint_count(const fleet_t *self);

/* 1 when every endpoint stays on this machine (ipc://, inproc://, or tcp://
 * to a loopback address): what may carry a DSN without CURVE. */
int fleet_all_local(const fleet_t *self);

/* 1 when every endpoint is local (fleet_all_local's sense) or CURVE
 * encrypted: what may carry a DSN. */
int fleet_is_secure(const fleet_t *self);

/* Runs one analysis: every agent in agents[0..n) gets the snapshot body.
 * outcomes[0..n) are filled (caller frees results with fleet_outcomes_clear).
 * Returns 0 when it ran (whatever the agents' statuses), -1 on a local
 * failure (sockets). */
int fleet_run(fleet_t *self, const char *const *agents, int n, zmq_msg_t *snapshot_body,
              agent_outcome_t *outcomes);

void fleet_outcomes_clear(agent_outcome_t *outcomes, int n);

/* Where the last fleet_run() spent its time, from timestamps the run takes
 * anyway (coordinator clock, microseconds since fleet_run was called): what
 * bench/bench_fleet.c prints as its per-phase breakdown. */
typedef struct {
    int64_t sent_us;    /* its (last) JOB handed to ZeroMQ */
    int64_t started_us; /* first PROGRESS of that JOB: the worker holds all of it */
    int64_t result_us;  /* its RESULT arrived */
    int64_t worker_ms;  /* the RESULT's elapsed_ms: worker's receipt to reply */
    int64_t done_us;    /* final status set (RESULT decoded and validated) */
    int progress;       /* PROGRESS messages received for it */
} fleet_agent_stats_t;

typedef struct {
    int64_t discover_us; /* PINGs sent to the last PONG (or the discovery timeout) */
    int64_t dispatch_us; /* every agent's first JOB handed to ZeroMQ */
    int64_t total_us;    /* the whole fleet_run */
    int nagents;
    /* [nagents], in the order of fleet_run's agents; 0 where a step did not
     * happen. Owned by the fleet, valid until its next run. */
    const fleet_agent_stats_t *agents;
} fleet_stats_t;

void fleet_last_stats(const fleet_t *self, fleet_stats_t *out);

#endif
