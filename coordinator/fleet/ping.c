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

int ping_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"timeout", required_argument, NULL, 't'},
        {"stats", no_argument, NULL, 's'},
        {"curve-secret", required_argument, NULL, 'S'},
        {"curve-server", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long timeout = 2000;
    int stats = 0;
    const char *secret = NULL, *server = NULL;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't': {
            char *end = NULL;
            timeout = strtol(optarg, &end, 10);
            if (!*optarg || *end || timeout <= 0 || timeout > 3600000) {
                fprintf(stderr,
                        "pgopt-coordinator ping: --timeout: expected 1..3600000 ms, "
                        "got '%s'\n",
                        optarg);
                return 2;
            }
            break;
        }
        case 's':
            stats = 1;
            break;
        case 'S':
            secret = optarg;
            break;
        case 'K':
            server = optarg;
            break;
        case 'h':
            ping_usage(stdout);
            return 0;
        default:
            fprintf(stderr, "pgopt-coordinator ping: bad option '%s' (see --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "pgopt-coordinator ping: give exactly one ENDPOINT (see --help)\n");
        return 2;
    }
    const char *endpoint = argv[optind];
    secret = env_or(secret, "PGOPT_CURVE_SECRET");
    server = env_or(server, "PGOPT_CURVE_SERVER");
    if ((secret != NULL) != (server != NULL)) {
        fprintf(stderr, "pgopt-coordinator ping: CURVE needs both --curve-secret and "
                        "--curve-server\n");
        return 2;
    }

    int status = 1;
    err_t err = {{0}};
    void *zctx = zmq_ctx_new();
    void *sock = zctx ? zmq_socket(zctx, ZMQ_DEALER) : NULL;
    if (!sock) {
        fprintf(stderr, "pgopt-coordinator ping: zmq: %s\n", zmq_strerror(errno));
        goto done;
    }
    if (transport_setup_socket(sock, 1024 * 1024, 0, &err) != 0)
        goto fail;
    if (secret) {
        curve_keypair_t kp;
        char skey[CURVE_Z85_LEN + 1];
        int rc =
            curve_keypair_load(secret, &kp, &err) == 0 && curve_public_load(server, skey, &err) == 0
                ? curve_setup_client(sock, &kp, skey, &err)
                : -1;
        memset(&kp, 0, sizeof kp);
        if (rc != 0) {
            status = 2;
            goto fail;
        }
    }
    if (zmq_connect(sock, endpoint) != 0) {
        err_set(&err, "cannot connect to %s: %s", endpoint, zmq_strerror(errno));
        status = 2;
        goto fail;
    }
    int64_t t0 = clock_mono_ms();
    int64_t until = t0 + timeout;
    msg_header_t ping, pong, counters;
    msg_header_init(&ping, MSG_PING);
    /* The DEALER queues the PING until the connection (and any CURVE
     * handshake) is up: a send error here means a local failure. */
    int one = 1;
    zmq_setsockopt(sock, ZMQ_IMMEDIATE, &one, sizeof one);
    while (transport_send(sock, NULL, 0, &ping, NULL, &err) != 0) {
        if (clock_mono_ms() >= until) {
            err_set(&err, "no connection to %s within %ld ms", endpoint, timeout);
            goto fail;
        }
        zmq_poll(NULL, 0, 20);
    }
    if (await(sock, MSG_PONG, until, &pong) != 0) {
        err_set(&err, "no PONG from %s within %ld ms", endpoint, timeout);
        goto fail;
    }
    int64_t rtt = clock_mono_ms() - t0;
    json_t *out = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}", "endpoint", endpoint, "agent",
                            pong.agent, "worker", pong.worker, "load", (json_int_t)pong.load,
                            "capacity", (json_int_t)pong.capacity, "served",
                            (json_int_t)pong.served, "rtt_ms", (json_int_t)rtt);
    if (stats) {
        msg_header_t q;
        msg_header_init(&q, MSG_STATS);
        if (transport_send(sock, NULL, 0, &q, NULL, &err) != 0 ||
            await(sock, MSG_COUNTERS, until, &counters) != 0) {
            json_decref(out);
            if (!err.msg[0])
                err_set(&err,
                        "no COUNTERS from %s within %ld ms (a worker older than "
                        "protocol 1.1 answers STATS with ERROR malformed)",
                        endpoint, timeout);
            goto fail;
        }
        json_object_set_new(
            out, "counters",
            json_pack(
                "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "received",
                (json_int_t)counters.received, "served", (json_int_t)counters.served, "failed",
                (json_int_t)counters.failed, "cancelled", (json_int_t)counters.cancelled, "busy",
                (json_int_t)counters.busy, "refused", (json_int_t)counters.refused, "auth_refused",
                (json_int_t)counters.auth_refused, "uptime_ms", (json_int_t)counters.uptime_ms,
                "total_ms", (json_int_t)counters.total_ms, "max_ms", (json_int_t)counters.max_ms));
    }
    char *text = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    if (text) {
        printf("%s\n", text);
        free(text);
    }
    status = 0;
    goto done;
fail:
    fprintf(stderr, "pgopt-coordinator ping: %s\n", ESC_LINE(err.msg));
done:
    if (sock)
        zmq_close(sock);
    if (zctx)
        zmq_ctx_term(zctx);
    return status;
}
