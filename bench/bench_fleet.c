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
 * Prints medians and the ratio fleet / raw, then where fleet_run's time goes
 * (fleet_last_stats: discovery, dispatch, each agent's transfer, worker time
 * and result handling) next to the time each raw peer spent decoding, and
 * the CPU time both spent (this process's, plus the workers' from /proc):
 * CPU time does not grow with the machine's load the way wall time does.
 * Not a test: no assertions.
 *
 *   build/bin/pgopt-bench-fleet [repetitions]
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "bench/synth_snapshot.h"
#include "common/clock.h"
#include "common/log.h"
#include "coordinator/fleet/fleet.h"
#include "proto/agents.h"
#include "proto/codec.h"
#include "proto/snapshot.h"
#include "proto/transport.h"

#define PEERS 4

static char dir[64];

typedef struct {
    void *ctx;
    char endpoint[128];
    int reps;
    int decode;         /* decode + validate the body before the ack, as a worker does */
    int64_t *decode_us; /* [reps]: receipt of the body to the ack */
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
            int64_t t0 = clock_mono_us();
            if (p->decode) {
                json_t *doc = NULL;
                err_t err;
                if (codec_decode(zmq_msg_data(&m), zmq_msg_size(&m), &CODEC_LIMITS_DOCUMENT, &doc,
                                 &err) == 0)
                    snapshot_validate(doc, &err);
                json_decref(doc);
            }
            zmq_msg_close(&m);
            p->decode_us[i] = clock_mono_us() - t0;
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

/* Median of n microsecond values, in ms (sorts us). */
static double median_ms(int64_t *us, int n)
{
    qsort(us, (size_t)n, sizeof *us, cmp_i64);
    return (n % 2 ? (double)us[n / 2] : (us[n / 2 - 1] + us[n / 2]) / 2.0) / 1000.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* Minor page faults of this process so far (fresh memory being mapped in). */
static int64_t self_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

/* CPU time (user + system) of this process, microseconds. */
static int64_t self_cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
           ru.ru_stime.tv_usec;
}

/* CPU time (user + system) of another process, microseconds (clock-tick
 * resolution), and its minor page faults in *faults; -1 when /proc cannot
 * say. */
static int64_t proc_cpu_us(pid_t pid, int64_t *faults)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    /* The command name may hold spaces: count from its closing ')'. utime
     * and stime are fields 14 and 15 of the line, 12 and 13 after it. */
    char *p = strrchr(line, ')');
    unsigned long long minflt, ut, st;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %llu %*u %*u %*u %llu %llu", &minflt, &ut,
                     &st) != 3)
        return -1;
    *faults = (int64_t)minflt;
    return (int64_t)((ut + st) * 1000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK));
}

/* Four raw peers (threads) and the DEALERs that feed them, kept across the
 * repetitions so that each repetition of raw, raw+decode and fleet runs
 * back to back: a load that changes during the benchmark then moves all
 * three alike. */
typedef struct {
    void *ctx;
    raw_peer_t peers[PEERS];
    pthread_t th[PEERS];
    void *dealers[PEERS];
    int64_t *wall_us; /* [reps] */
    int64_t *cpu_us;  /* [reps]: this process's CPU time */
    int64_t *faults;  /* [reps]: this process's minor page faults */
} raw_bench_t;

static void raw_open(raw_bench_t *rb, int reps, int decode, const char *tag)
{
    memset(rb, 0, sizeof *rb);
    rb->ctx = zmq_ctx_new();
    rb->wall_us = calloc((size_t)reps, sizeof(int64_t));
    rb->cpu_us = calloc((size_t)reps, sizeof(int64_t));
    rb->faults = calloc((size_t)reps, sizeof(int64_t));
    for (int i = 0; i < PEERS; i++) {
        raw_peer_t *p = &rb->peers[i];
        p->ctx = rb->ctx;
        p->reps = reps;
        p->decode = decode;
        p->decode_us = calloc((size_t)reps, sizeof(int64_t));
        snprintf(p->endpoint, sizeof p->endpoint, "ipc://%s/%s%d.sock", dir, tag, i);
        pthread_create(&rb->th[i], NULL, raw_peer, p);
        rb->dealers[i] = zmq_socket(rb->ctx, ZMQ_DEALER);
        int linger = 0;
        zmq_setsockopt(rb->dealers[i], ZMQ_LINGER, &linger, sizeof linger);
        zmq_connect(rb->dealers[i], p->endpoint);
    }
}

/* Repetition r: the body to every peer, then every ack. */
static void raw_once(raw_bench_t *rb, zmq_msg_t *body, int r)
{
    int64_t c0 = self_cpu_us();
    int64_t f0 = self_faults();
    int64_t t0 = clock_mono_us();
    for (int i = 0; i < PEERS; i++) {
        zmq_msg_t copy;
        zmq_msg_init(&copy);
        zmq_msg_copy(&copy, body); /* shared, like the fleet's body */
        zmq_msg_send(&copy, rb->dealers[i], 0);
    }
    for (int i = 0; i < PEERS; i++) {
        char ack;
        zmq_recv(rb->dealers[i], &ack, 1, 0);
    }
    rb->wall_us[r] = clock_mono_us() - t0;
    rb->cpu_us[r] = self_cpu_us() - c0;
    rb->faults[r] = self_faults() - f0;
}

static void raw_close(raw_bench_t *rb)
{
    for (int i = 0; i < PEERS; i++) {
        pthread_join(rb->th[i], NULL);
        zmq_close(rb->dealers[i]);
        unlink(rb->peers[i].endpoint + 6);
        free(rb->peers[i].decode_us);
    }
    zmq_ctx_term(rb->ctx);
    free(rb->wall_us);
    free(rb->cpu_us);
    free(rb->faults);
}

/* Median over repetitions of the slowest peer's receipt-to-ack time. */
static double raw_peer_max_ms(const raw_bench_t *rb, int reps)
{
    int64_t *v = calloc((size_t)reps, sizeof *v);
    for (int r = 0; r < reps; r++)
        for (int i = 0; i < PEERS; i++)
            if (rb->peers[i].decode_us[r] > v[r])
                v[r] = rb->peers[i].decode_us[r];
    double m = median_ms(v, reps);
    free(v);
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
    /* The allocator setting the worker runtime uses (workers/runtime/runtime.c):
     * the baseline peers decode and free with the same malloc as the workers,
     * so that the ratio measures the fleet, not two allocators. */
    mallopt(M_MXFAST, 0);
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
    int64_t *dec_only = calloc((size_t)reps, sizeof *dec_only);
    int64_t *valid = calloc((size_t)reps, sizeof *valid);
    int64_t *freeing = calloc((size_t)reps, sizeof *freeing);
    for (int r = 0; r < reps; r++) {
        int64_t t0 = clock_mono_us();
        json_t *d = NULL;
        if (codec_decode(buf, len, &CODEC_LIMITS_DOCUMENT, &d, &err) != 0) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return 1;
        }
        int64_t t1 = clock_mono_us();
        if (snapshot_validate(d, &err) != 0) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return 1;
        }
        int64_t t2 = clock_mono_us();
        json_decref(d);
        int64_t t3 = clock_mono_us();
        dec[r] = t2 - t0;
        dec_only[r] = t1 - t0;
        valid[r] = t2 - t1;
        freeing[r] = t3 - t2;
    }
    double decode_ms = median_ms(dec, reps);
    double decode_only_ms = median_ms(dec_only, reps);
    double validate_ms = median_ms(valid, reps);
    double free_ms = median_ms(freeing, reps);
    free(dec);
    free(dec_only);
    free(valid);
    free(freeing);
    json_decref(snap);

    zmq_msg_t body;
    transport_body_from_buffer(&body, buf, len, &err);
    raw_bench_t raw, rawdec;
    raw_open(&raw, reps, 0, "raw");
    raw_open(&rawdec, reps, 1, "dec");

    pid_t pids[AGENT_COUNT];
    char endpoints[AGENT_COUNT][160];
    fleet_opts_t opts;
    fleet_opts_init(&opts);
    opts.discover_ms = 10000;
    opts.timeout_ms = 60000;
    fleet_t *fleet = fleet_new(&opts);
    for (int a = 0; a < AGENT_COUNT; a++) {
        pids[a] = start_worker(bindir, AGENT_NAMES[a], endpoints[a], sizeof endpoints[a]);
        fleet_add_endpoint(fleet, endpoints[a]);
    }
    /* Per repetition: wall and CPU time, and fleet_last_stats' figures. */
    int64_t *us = calloc((size_t)reps, sizeof *us);
    int64_t *cpu_workers = calloc((size_t)reps, sizeof *cpu_workers);
    int64_t *cpu_coord = calloc((size_t)reps, sizeof *cpu_coord);
    int64_t *cpu_total = calloc((size_t)reps, sizeof *cpu_total);
    int64_t *faults_workers = calloc((size_t)reps, sizeof *faults_workers);
    int64_t *discover = calloc((size_t)reps, sizeof *discover);
    int64_t *dispatch = calloc((size_t)reps, sizeof *dispatch);
    int64_t *last_result = calloc((size_t)reps, sizeof *last_result);
    int64_t *after_result = calloc((size_t)reps, sizeof *after_result);
    int64_t *worker_max = calloc((size_t)reps, sizeof *worker_max);
    enum { SENT, STARTED, RESULT, DONE, WORKER, TRANSFER, PROGRESS, NCOLS };
    int64_t *col[AGENT_COUNT][NCOLS];
    for (int a = 0; a < AGENT_COUNT; a++)
        for (int c = 0; c < NCOLS; c++)
            col[a][c] = calloc((size_t)reps, sizeof(int64_t));
    double *ratio = calloc((size_t)reps, sizeof *ratio);
    int failures = 0;
    int64_t cold_discover_us = 0, cold_us = 0;
    for (int r = -1; r < reps; r++) { /* run -1 warms up: workers start and bind */
        if (r >= 0) {
            raw_once(&raw, &body, r);
            raw_once(&rawdec, &body, r);
        }
        agent_outcome_t out[AGENT_COUNT];
        int64_t w0[AGENT_COUNT], wf0[AGENT_COUNT];
        for (int a = 0; a < AGENT_COUNT; a++)
            w0[a] = proc_cpu_us(pids[a], &wf0[a]);
        int64_t c0 = self_cpu_us();
        int64_t t0 = clock_mono_us();
        if (fleet_run(fleet, AGENT_NAMES, AGENT_COUNT, &body, out) != 0)
            failures++;
        int64_t t = clock_mono_us() - t0;
        int64_t coord = self_cpu_us() - c0;
        int64_t workers = 0, wfaults = 0;
        for (int a = 0; a < AGENT_COUNT; a++) {
            int64_t wf1 = 0;
            int64_t w1 = proc_cpu_us(pids[a], &wf1);
            workers += (w0[a] >= 0 && w1 >= 0) ? w1 - w0[a] : 0;
            wfaults += (w0[a] >= 0 && w1 >= 0) ? wf1 - wf0[a] : 0;
        }
        for (int a = 0; a < AGENT_COUNT; a++)
            failures += out[a].status != AGENT_OK;
        fleet_outcomes_clear(out, AGENT_COUNT);
        fleet_stats_t st;
        fleet_last_stats(fleet, &st);
        if (r < 0) { /* what a first analysis pays for starting the workers */
            cold_discover_us = st.discover_us;
            cold_us = t;
            continue;
        }
        us[r] = t;
        cpu_workers[r] = workers;
        cpu_coord[r] = coord;
        cpu_total[r] = workers + coord;
        faults_workers[r] = wfaults;
        discover[r] = st.discover_us;
        dispatch[r] = st.dispatch_us - st.discover_us;
        ratio[r] = (double)t / (double)rawdec.wall_us[r];
        for (int a = 0; a < st.nagents && a < AGENT_COUNT; a++) {
            const fleet_agent_stats_t *s = &st.agents[a];
            col[a][SENT][r] = s->sent_us;
            col[a][STARTED][r] = s->started_us;
            col[a][RESULT][r] = s->result_us;
            col[a][DONE][r] = s->done_us;
            col[a][WORKER][r] = s->worker_ms * 1000;
            col[a][TRANSFER][r] = s->started_us - s->sent_us;
            col[a][PROGRESS][r] = s->progress * 1000; /* median_ms divides by 1000 */
            if (s->result_us > last_result[r])
                last_result[r] = s->result_us;
            if (s->worker_ms * 1000 > worker_max[r])
                worker_max[r] = s->worker_ms * 1000;
        }
        after_result[r] = st.total_us - last_result[r];
    }
    fleet_destroy(&fleet);
    for (int a = 0; a < AGENT_COUNT; a++) {
        kill(pids[a], SIGTERM);
        waitpid(pids[a], NULL, 0);
    }
    double raw_ms = median_ms(raw.wall_us, reps);
    double raw_decode_ms = median_ms(rawdec.wall_us, reps);
    double raw_decode_cpu_ms = median_ms(rawdec.cpu_us, reps);
    double raw_decode_faults = median_ms(rawdec.faults, reps) * 1000;
    double raw_peer_ms = raw_peer_max_ms(&rawdec, reps);
    raw_close(&raw);
    raw_close(&rawdec);
    zmq_msg_close(&body);
    for (int a = 0; a < AGENT_COUNT; a++)
        unlink(endpoints[a] + 6);
    rmdir(dir);

    double fleet_ms = median_ms(us, reps);
    double load[3] = {0, 0, 0};
    getloadavg(load, 3);
    printf("pgopt fleet benchmark (median of %d runs, each run raw, raw+decode and fleet back to "
           "back; snapshot %.1f MB msgpack: 10k statements, 2k tables, 20k columns, 5k indexes)\n",
           reps, len / 1e6);
    printf("  %-58s %10.2f ms\n", "raw zmq: same bytes to 4 peers + ack (baseline)", raw_ms);
    printf("  %-58s %10.2f ms\n", "raw zmq + each peer decodes and validates (baseline 2)",
           raw_decode_ms);
    printf("  %-58s %10.2f ms\n", "fleet_run: publish to 4 worker processes + gather", fleet_ms);
    printf("  %-58s %10.2f ms\n", "one decode + validate of the snapshot (for scale)", decode_ms);
    printf("    %-56s %10.2f ms\n", "of which decode", decode_only_ms);
    printf("    %-56s %10.2f ms\n", "of which validate", validate_ms);
    printf("    %-56s %10.2f ms\n", "then freeing the document", free_ms);
    printf("  ratio fleet / raw: %.2fx   fleet / (raw + decode): %.2fx   median of the runs' own "
           "ratios: %.2fx\n",
           fleet_ms / raw_ms, fleet_ms / raw_decode_ms, median(ratio, reps));
    printf("  (%ld CPUs, load average %.2f %.2f %.2f at the end)\n", sysconf(_SC_NPROCESSORS_ONLN),
           load[0], load[1], load[2]);

    printf("\n  where fleet_run's time goes (medians; ms from the start of fleet_run):\n");
    printf("    %-52s %10.2f\n", "discovery: PING to every PONG", median_ms(discover, reps));
    printf("    %-52s %10.2f\n", "dispatch: every JOB handed to ZeroMQ", median_ms(dispatch, reps));
    printf("    %-16s %9s %9s %9s %9s %9s %9s %6s\n", "agent", "JOB sent", "transfer", "worker",
           "RESULT", "done", "wrk time", "beats");
    for (int a = 0; a < AGENT_COUNT; a++)
        printf("    %-16s %9.2f %9.2f %9.2f %9.2f %9.2f %9.0f %6.0f\n", AGENT_NAMES[a],
               median_ms(col[a][SENT], reps), median_ms(col[a][TRANSFER], reps),
               median_ms(col[a][STARTED], reps), median_ms(col[a][RESULT], reps),
               median_ms(col[a][DONE], reps), median_ms(col[a][WORKER], reps),
               median_ms(col[a][PROGRESS], reps));
    printf("    (transfer: JOB sent to its first PROGRESS, the worker holding the whole JOB; "
           "worker: that moment;\n     RESULT: its arrival; done: decoded and validated; wrk time: "
           "the worker's own receipt-to-reply, ms; beats: PROGRESS messages)\n");
    printf("    %-52s %10.2f\n", "slowest worker's own time (receipt to reply)",
           median_ms(worker_max, reps));
    printf("    %-52s %10.2f\n", "slowest raw peer's receipt to ack (its counterpart)",
           raw_peer_ms);
    printf("    %-52s %10.2f\n", "last RESULT to fleet_run's return",
           median_ms(after_result, reps));
    printf("    %-52s %10.2f\n", "warm-up run: discovery (workers just forked)",
           cold_discover_us / 1000.0);
    printf("    %-52s %10.2f\n", "warm-up run: the whole fleet_run", cold_us / 1000.0);

    printf("\n  CPU time per run (medians, ms; load-independent where wall time is not):\n");
    printf("    %-52s %10.2f\n", "raw + decode (this process: 4 peers + sender)",
           raw_decode_cpu_ms);
    printf("    %-52s %10.2f\n", "fleet: 4 worker processes", median_ms(cpu_workers, reps));
    printf("    %-52s %10.2f\n", "fleet: coordinator (this process)", median_ms(cpu_coord, reps));
    double fleet_cpu_ms = median_ms(cpu_total, reps);
    printf("    %-52s %10.2f   (%.2fx raw + decode)\n", "fleet: total", fleet_cpu_ms,
           fleet_cpu_ms / raw_decode_cpu_ms);
    printf("    %-52s %10.0f\n", "page faults: raw + decode", raw_decode_faults);
    printf("    %-52s %10.0f\n", "page faults: fleet's 4 workers",
           median_ms(faults_workers, reps) * 1000);

    free(us);
    free(cpu_workers);
    free(cpu_coord);
    free(cpu_total);
    free(faults_workers);
    free(discover);
    free(dispatch);
    free(last_result);
    free(after_result);
    free(worker_max);
    free(ratio);
    for (int a = 0; a < AGENT_COUNT; a++)
        for (int c = 0; c < NCOLS; c++)
            free(col[a][c]);
    if (failures)
        printf("  WARNING: %d agent runs did not finish ok\n", failures);
    printf("  rerun: build/bin/pgopt-bench-fleet %d\n", reps);
    return failures ? 1 : 0;
}
