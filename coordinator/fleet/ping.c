/* ping.c - see ping.h. */
#include "coordinator/fleet/ping.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/escape.h"
#include "proto/curve.h"
#include "proto/message.h"
#include "proto/transport.h"

/* Prints the ping subcommand's help to out. */
static void ping_usage(FILE *out)
{
    fprintf(out, "Usage: pgopt-coordinator ping [options] ENDPOINT\n"
                 "\n"
                 "Sends PING to one pgopt worker and prints its PONG as a JSON line.\n"
                 "\n"
                 "  -t, --timeout MS          how long to wait (default 2000)\n"
                 "      --stats               also ask for the worker's counters (STATS)\n"
                 "      --curve-secret FILE   CURVE: this client's key pair (PGOPT_CURVE_SECRET)\n"
                 "      --curve-server FILE   CURVE: the worker's public key (PGOPT_CURVE_SERVER)\n"
                 "  -h, --help                show this text\n"
                 "\n"
                 "Exit status: 0 the worker answered, 1 no answer in time, 2 bad usage.\n");
}

static const char *env_or(const char *v, const char *name)
{
    if (v)
        return v;
    const char *e = getenv(name);
    return e && *e ? e : NULL;
}

/* Waits for a message of type want; returns 0 with *h filled, -1 on timeout. */
static int await(void *sock, msg_type_t want, int64_t until, msg_header_t *h)
{
    for (;;) {
        int64_t left = until - clock_mono_ms();
        if (left <= 0)
            return -1;
        zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, (long)left) < 0 && errno != EINTR)
            return -1;
        if (!(it.revents & ZMQ_POLLIN))
            continue;
        transport_msg_t m;
        err_t err = {{0}};
        int rc = transport_recv(sock, 0, &m, &err);
        if (rc == 1)
            continue;
        if (rc == 0 && m.hdr.type == want) {
            *h = m.hdr;
            transport_msg_close(&m);
            return 0;
        }
        if (rc == 0 && m.hdr.type == MSG_ERROR)
            fprintf(stderr, "pgopt-coordinator ping: worker answered ERROR %s: %s\n",
                    ESC_LINE(m.hdr.code), ESC_LINE(m.hdr.message));
        transport_msg_close(&m);
        if (rc == 0 && m.hdr.type == MSG_ERROR)
            return -1;
    }
}

/* The subcommand's options and its one ENDPOINT. */
typedef struct {
    long timeout; /* ms */
    int stats;
    const char *secret, *server, *endpoint;
} ping_args_t;

/* The command line (and PGOPT_CURVE_*) into a. Returns 0, 1 after printing
 * --help, or -1 after printing what is wrong (exit status 2). */
static int parse_ping_args(int argc, char **argv, ping_args_t *a)
{
    static const struct option longopts[] = {
        {"timeout", required_argument, NULL, 't'},
        {"stats", no_argument, NULL, 's'},
        {"curve-secret", required_argument, NULL, 'S'},
        {"curve-server", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    a->timeout = 2000;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't': {
            char *end = NULL;
            a->timeout = strtol(optarg, &end, 10);
            if (!*optarg || *end || a->timeout <= 0 || a->timeout > 3600000) {
                fprintf(stderr,
                        "pgopt-coordinator ping: --timeout: expected 1..3600000 ms, "
                        "got '%s'\n",
                        optarg);
                return -1;
            }
            break;
        }
        case 's':
            a->stats = 1;
            break;
        case 'S':
            a->secret = optarg;
            break;
        case 'K':
            a->server = optarg;
            break;
        case 'h':
            ping_usage(stdout);
            return 1;
        default:
            fprintf(stderr, "pgopt-coordinator ping: bad option '%s' (see --help)\n",
                    argv[optind - 1]);
            return -1;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "pgopt-coordinator ping: give exactly one ENDPOINT (see --help)\n");
        return -1;
    }
    a->endpoint = argv[optind];
    a->secret = env_or(a->secret, "PGOPT_CURVE_SECRET");
    a->server = env_or(a->server, "PGOPT_CURVE_SERVER");
    if ((a->secret != NULL) != (a->server != NULL)) {
        fprintf(stderr, "pgopt-coordinator ping: CURVE needs both --curve-secret and "
                        "--curve-server\n");
        return -1;
    }
    return 0;
}

/* CURVE (when keys are given) and the connection to the endpoint. -1 with
 * err on failure; *usage is set when the keys or the endpoint were wrong
 * (exit status 2) rather than the socket. */
static int ping_connect(void *sock, const ping_args_t *a, int *usage, err_t *err)
{
    if (transport_setup_socket(sock, 1024 * 1024, 0, err) != 0)
        return -1;
    if (a->secret) {
        curve_keypair_t kp;
        char skey[CURVE_Z85_LEN + 1];
        int rc = curve_keypair_load(a->secret, &kp, err) == 0 &&
                         curve_public_load(a->server, skey, err) == 0
                     ? curve_setup_client(sock, &kp, skey, err)
                     : -1;
        memset(&kp, 0, sizeof kp);
        if (rc != 0) {
            *usage = 1;
            return -1;
        }
    }
    if (zmq_connect(sock, a->endpoint) != 0) {
        *usage = 1;
        return err_set(err, "cannot connect to %s: %s", a->endpoint, zmq_strerror(errno));
    }
    return 0;
}

/* A worker's COUNTERS answer as the output's "counters" object. */
static json_t *counters_json(const msg_header_t *c)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "received",
                     (json_int_t)c->received, "served", (json_int_t)c->served, "failed",
                     (json_int_t)c->failed, "cancelled", (json_int_t)c->cancelled, "busy",
                     (json_int_t)c->busy, "refused", (json_int_t)c->refused, "auth_refused",
                     (json_int_t)c->auth_refused, "uptime_ms", (json_int_t)c->uptime_ms, "total_ms",
                     (json_int_t)c->total_ms, "max_ms", (json_int_t)c->max_ms);
}

/* PING -> PONG within the timeout (and STATS -> COUNTERS with --stats):
 * the line ping prints, or NULL with err. */
static json_t *ping_exchange(void *sock, const ping_args_t *a, err_t *err)
{
    int64_t t0 = clock_mono_ms();
    int64_t until = t0 + a->timeout;
    msg_header_t ping, pong, counters;
    msg_header_init(&ping, MSG_PING);
    /* The DEALER queues the PING until the connection (and any CURVE
     * handshake) is up: a send error here means a local failure. */
    int one = 1;
    zmq_setsockopt(sock, ZMQ_IMMEDIATE, &one, sizeof one);
    while (transport_send(sock, NULL, 0, &ping, NULL, err) != 0) {
        if (clock_mono_ms() >= until) {
            err_set(err, "no connection to %s within %ld ms", a->endpoint, a->timeout);
            return NULL;
        }
        zmq_poll(NULL, 0, 20);
    }
    if (await(sock, MSG_PONG, until, &pong) != 0) {
        err_set(err, "no PONG from %s within %ld ms", a->endpoint, a->timeout);
        return NULL;
    }
    int64_t rtt = clock_mono_ms() - t0;
    json_t *out = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "endpoint", a->endpoint, "agent",
                            pong.agent, "worker", pong.worker, "load", (json_int_t)pong.load,
                            "capacity", (json_int_t)pong.capacity, "served",
                            (json_int_t)pong.served, "rtt_ms", (json_int_t)rtt);
    if (a->stats) {
        msg_header_t q;
        msg_header_init(&q, MSG_STATS);
        if (transport_send(sock, NULL, 0, &q, NULL, err) != 0 ||
            await(sock, MSG_COUNTERS, until, &counters) != 0) {
            json_decref(out);
            if (!err->msg[0])
                err_set(err,
                        "no COUNTERS from %s within %ld ms (a worker older than "
                        "protocol 1.1 answers STATS with ERROR malformed)",
                        a->endpoint, a->timeout);
            return NULL;
        }
        json_object_set_new(out, "counters", counters_json(&counters));
    }
    return out;
}

/* `pgopt-coordinator ping ENDPOINT`: one line of JSON about the worker.
 * Returns the exit status (0 answered, 1 no answer or local failure, 2 bad
 * command line, keys or endpoint). */
int ping_main(int argc, char **argv)
{
    ping_args_t a;
    int rc = parse_ping_args(argc, argv, &a);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    int status = 1, usage = 0;
    err_t err = {{0}};
    void *zctx = zmq_ctx_new();
    void *sock = zctx ? zmq_socket(zctx, ZMQ_DEALER) : NULL;
    if (!sock) {
        fprintf(stderr, "pgopt-coordinator ping: zmq: %s\n", zmq_strerror(errno));
        goto done;
    }
    json_t *out = NULL;
    if (ping_connect(sock, &a, &usage, &err) != 0 || !(out = ping_exchange(sock, &a, &err))) {
        if (usage)
            status = 2;
        fprintf(stderr, "pgopt-coordinator ping: %s\n", ESC_LINE(err.msg));
        goto done;
    }
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    if (text) {
        printf("%s\n", text);
        free(text);
    }
    status = 0;
done:
    if (sock)
        zmq_close(sock);
    if (zctx)
        zmq_ctx_term(zctx);
    return status;
}
