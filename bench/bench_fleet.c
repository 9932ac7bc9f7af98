/*
 * bench_fleet.c - what the fleet costs on top of moving the bytes.
 *
 * Builds the large synthetic snapshot (10k statements, 2k tables, 20k
 * columns, 5k indexes), encodes it once, then measures in the same run:
 *
 *   raw      the same bytes sent with plain zmq to four ROUTER peers (threads
 *            of this process on ipc://) that answer a one-byte ack: the floor
 *            of any design that ships the snapshot to four agents;
 *   raw+decode  the same, but each peer decodes and validates the snapshot
 *            before its ack, as every worker must: the floor of any design
 *            whose agents read the snapshot;
 *   fleet    fleet_run() publishing the snapshot to four real worker
 *            processes (pgopt-test-worker, one per agent, on ipc://) and
 *            gathering their results: PING/PONG, JOB, decode + validate on
 *            the worker, PROGRESS, RESULT, result decode;
 *   decode   one codec_decode + snapshot_validate of the snapshot in this
 *            process, for scale (each worker pays it once, in parallel).
 *
 * Prints medians and the ratio fleet / raw. Not a test: no assertions.
 *
 *   build/bin/pgopt-bench-fleet [repetitions]
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "bench/synth_snapshot.h"
#include "common/clock.h"
#include "common/log.h"
#include "coordinator/fleet/fleet.h"
#include "coordinator/fleet/phase3.h"
#include "proto/codec.h"
#include "proto/snapshot.h"
#include "proto/transport.h"

#define PEERS 4

static char dir[64];

typedef struct {
    void *ctx;
    char endpoint[128];
    int reps;
    int decode; /* decode + validate the body before the ack, as a worker does */
} raw_peer_t;

/* A peer that receives whole messages and answers each with one byte. */
static void *raw_peer(void *arg)
{
    raw_peer_t *p = arg;
    void *s = zmq_socket(p->ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_bind(s, p->endpoint);
    for (int i = 0; i < p->reps; i++) {
        zmq_msg_t id, m;
        zmq_msg_init(&id);
        zmq_msg_recv(&id, s, 0);
        int more = 1;
        while (more) {
            zmq_msg_init(&m);
            zmq_msg_recv(&m, s, 0);
            more = zmq_msg_more(&m);
            if (p->decode) {
                json_t *doc = NULL;
                err_t err;
                if (codec_decode(zmq_msg_data(&m), zmq_msg_size(&m), &CODEC_LIMITS_DOCUMENT, &doc,
                                 &err) == 0)
                    snapshot_validate(doc, &err);
                json_decref(doc);
            }
            zmq_msg_close(&m);
        }
        zmq_msg_send(&id, s, ZMQ_SNDMORE);
        zmq_send(s, "k", 1, 0);
    }
    zmq_close(s);
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static double median_ms(int64_t *us, int n)
{
    qsort(us, (size_t)n, sizeof *us, cmp_i64);
    return (n % 2 ? (double)us[n / 2] : (us[n / 2 - 1] + us[n / 2]) / 2.0) / 1000.0;
}

static double bench_raw(zmq_msg_t *body, int reps, int decode)
{
    void *ctx = zmq_ctx_new();
    raw_peer_t peers[PEERS];
    pthread_t th[PEERS];
    void *dealers[PEERS];
    for (int i = 0; i < PEERS; i++) {
        peers[i].ctx = ctx;
        peers[i].reps = reps;
        peers[i].decode = decode;
        snprintf(peers[i].endpoint, sizeof peers[i].endpoint, "ipc://%s/raw%d.sock", dir, i);
        pthread_create(&th[i], NULL, raw_peer, &peers[i]);
        dealers[i] = zmq_socket(ctx, ZMQ_DEALER);
        int linger = 0;
        zmq_setsockopt(dealers[i], ZMQ_LINGER, &linger, sizeof linger);
        zmq_connect(dealers[i], peers[i].endpoint);
    }
    int64_t *us = calloc((size_t)reps, sizeof *us);
    for (int r = 0; r < reps; r++) {
        int64_t t0 = clock_mono_us();
        for (int i = 0; i < PEERS; i++) {
            zmq_msg_t copy;
            zmq_msg_init(&copy);
            zmq_msg_copy(&copy, body); /* shared, like the fleet's body */
            zmq_msg_send(&copy, dealers[i], 0);
        }
        for (int i = 0; i < PEERS; i++) {
            char ack;
            zmq_recv(dealers[i], &ack, 1, 0);
        }
        us[r] = clock_mono_us() - t0;
    }
    for (int i = 0; i < PEERS; i++) {
        pthread_join(th[i], NULL);
        zmq_close(dealers[i]);
    }
    zmq_ctx_term(ctx);
    double m = median_ms(us, reps);
    free(us);
    return m;
}

static pid_t start_worker(const char *bindir, const char *agent, char *endpoint, size_t len)
{
    snprintf(endpoint, len, "ipc://%s/%s.sock", dir, agent);
    pid_t pid = fork();
    if (pid == 0) {
        /* Workers end with the benchmark even when it dies early (SIGPIPE
         * when its output is cut short by `| head`). */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        char exe[4096];
        snprintf(exe, sizeof exe, "%s/pgopt-test-worker", bindir);
        setenv("PGOPT_TEST_AGENT", agent, 1);
        setenv("PGOPT_TEST_BEHAVIOUR", "ok", 1);
        execl(exe, exe, "--bind", endpoint, "--jobs", "1", "--log-level", "warn", (char *)NULL);
        perror(exe);
        _exit(127);
    }
    return pid;
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 9;
    if (reps < 1)
        reps = 1;
    log_init("bench", LOG_WARN);
    char bindir[4096];
    ssize_t n = readlink("/proc/self/exe", bindir, sizeof bindir - 1);
    if (n <= 0)
        return 1;
    bindir[n] = '\0';
    *strrchr(bindir, '/') = '\0';
    snprintf(dir, sizeof dir, "/tmp/pgopt-bench-XXXXXX");
    if (!mkdtemp(dir))
        return 1;

    json_t *snap = synth_snapshot(10000, 2000, 20000, 5000, 42);
    char *buf = NULL;
    size_t len = 0;
    err_t err;
    if (!snap || codec_encode(snap, &buf, &len, &err) != 0) {
        fprintf(stderr, "bench: cannot build the snapshot: %s\n", err.msg);
        return 1;
    }
    /* Decode + validate once per repetition, as each worker does. */
    int64_t *dec = calloc((size_t)reps, sizeof *dec);
    for (int r = 0; r < reps; r++) {
        int64_t t0 = clock_mono_us();
        json_t *d = NULL;
        if (codec_decode(buf, len, &CODEC_LIMITS_DOCUMENT, &d, &err) != 0 ||
            snapshot_validate(d, &err) != 0) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return 1;
        }
        dec[r] = clock_mono_us() - t0;
        json_decref(d);
    }
    double decode_ms = median_ms(dec, reps);
    free(dec);
    json_decref(snap);

    zmq_msg_t body;
    transport_body_from_buffer(&body, buf, len, &err);
    double raw_ms = bench_raw(&body, reps, 0);
    double raw_decode_ms = bench_raw(&body, reps, 1);

    pid_t pids[PHASE3_AGENT_COUNT];
    char endpoints[PHASE3_AGENT_COUNT][160];
    fleet_opts_t opts;
    fleet_opts_init(&opts);
    opts.discover_ms = 10000;
    opts.timeout_ms = 60000;
    fleet_t *fleet = fleet_new(&opts);
    for (int a = 0; a < PHASE3_AGENT_COUNT; a++) {
        pids[a] = start_worker(bindir, PHASE3_AGENTS[a], endpoints[a], sizeof endpoints[a]);
        fleet_add_endpoint(fleet, endpoints[a]);
    }
    int64_t *us = calloc((size_t)reps + 1, sizeof *us);
    int failures = 0;
    for (int r = 0; r <= reps; r++) { /* run 0 warms up: workers start and bind */
        agent_outcome_t out[PHASE3_AGENT_COUNT];
        int64_t t0 = clock_mono_us();
        if (fleet_run(fleet, PHASE3_AGENTS, PHASE3_AGENT_COUNT, &body, out) != 0)
            failures++;
        int64_t t = clock_mono_us() - t0;
        for (int a = 0; a < PHASE3_AGENT_COUNT; a++)
            failures += out[a].status != AGENT_OK;
        fleet_outcomes_clear(out, PHASE3_AGENT_COUNT);
        if (r > 0)
            us[r - 1] = t;
    }
    double fleet_ms = median_ms(us, reps);
    free(us);
    fleet_destroy(&fleet);
    for (int a = 0; a < PHASE3_AGENT_COUNT; a++) {
        kill(pids[a], SIGTERM);
        waitpid(pids[a], NULL, 0);
    }
    zmq_msg_close(&body);
    for (int a = 0; a < PHASE3_AGENT_COUNT; a++)
        unlink(endpoints[a] + 6);
    for (int i = 0; i < PEERS; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/raw%d.sock", dir, i);
        unlink(p);
    }
    rmdir(dir);

    printf("pgopt fleet benchmark (median of %d runs; snapshot %.1f MB msgpack: 10k statements, "
           "2k tables, 20k columns, 5k indexes)\n",
           reps, len / 1e6);
    printf("  %-58s %10.2f ms\n", "raw zmq: same bytes to 4 peers + ack (baseline)", raw_ms);
    printf("  %-58s %10.2f ms\n", "raw zmq + each peer decodes and validates (baseline 2)",
           raw_decode_ms);
    printf("  %-58s %10.2f ms\n", "fleet_run: publish to 4 worker processes + gather", fleet_ms);
    printf("  %-58s %10.2f ms\n", "one decode + validate of the snapshot (for scale)", decode_ms);
    printf("  ratio fleet / raw: %.2fx   fleet / (raw + decode): %.2fx   (%ld CPUs)\n",
           fleet_ms / raw_ms, fleet_ms / raw_decode_ms, sysconf(_SC_NPROCESSORS_ONLN));
    if (failures)
        printf("  WARNING: %d agent runs did not finish ok\n", failures);
    printf("  rerun: build/bin/pgopt-bench-fleet %d\n", reps);
    return failures ? 1 : 0;
}
