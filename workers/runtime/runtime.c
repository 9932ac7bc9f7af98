/*
 * runtime.c - the worker runtime (see runtime.h and proto/PROTOCOL.md).
 *
 * Threads: the main thread owns the ROUTER socket (ZeroMQ sockets are not
 * thread-safe) and does all sending and receiving. Each accepted JOB runs on
 * the thread of one of --jobs slots (kept between jobs, see runner_t):
 * decode, validate, agent, encode.
 * The job thread never touches the socket; it records beats in atomics of its
 * job_ctx_t and, when it returns, stores its outcome under the runtime mutex
 * and writes one byte to a self-pipe. The main thread waits in zmq_poll() on
 * the socket and the pipe (the signal handler writes to the same pipe), with
 * a timeout that is the nearest deadline or PROGRESS check of any job.
 *
 * PROGRESS is forwarded only when the job's beat counter moved since the last
 * PROGRESS, checked every progress_ms: the runtime never beats on a timer of
 * its own, so a job loop that stops calling job_progress() falls silent and
 * the coordinator's hang detection can work.
 *
 * A cancelled job (deadline, CANCEL, forced shutdown) is answered at once with
 * ERROR cancelled; its thread cannot be killed, so its slot stays occupied
 * (and counts as load) until the agent notices job_progress() == 1 and
 * returns; the late outcome is then discarded. Waits on the database end by
 * themselves: each job thread's pgconn stop hook is "the job is cancelled"
 * (common/pgconn.h). A thread that still has not returned --cancel-grace-ms
 * after the cancel (stuck somewhere no check reaches) is set aside: its slot
 * is freed so the worker takes jobs again, and the thread is kept on a stuck
 * list (joined if it ever returns, counted in the stats and stop lines). At
 * most --jobs threads are set aside at once; beyond that the slots stay
 * taken, so a worker whose jobs all get stuck says BUSY rather than piling
 * up threads.
 */
#include "workers/runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/escape.h"
#include "common/log.h"
#include "common/numparse.h"
#include "common/pgconn.h"
#include "common/progress.h"
#include "proto/codec.h"
#include "proto/curve.h"
#include "proto/message.h"
#include "proto/snapshot.h"
#include "proto/transport.h"

#ifndef PGOPT_VERSION
#define PGOPT_VERSION "unknown"
#endif

#define DEFAULT_MAX_FRAME       ((int64_t)256 * 1024 * 1024)
#define MIN_MAX_FRAME           ((int64_t)MSG_HEADER_MAX_BYTES)
#define MAX_MAX_FRAME           ((int64_t)4 * 1024 * 1024 * 1024)
#define DEFAULT_HEARTBEAT_MS    1000
#define MAX_HEARTBEAT_MS        3600000
#define MAX_JOBS                1024
#define DEFAULT_PROGRESS_MS     200
#define MIN_PROGRESS_MS         10    /* a JOB's progress_ms is clamped to this ... */
#define MAX_PROGRESS_MS         60000 /* ... range (PROTOCOL.md 4) */
#define DEFAULT_CANCEL_GRACE_MS 10000
#define MAX_CANCEL_GRACE_MS     3600000
/* Messages handled per wake-up before timers are looked at again, so that a
 * flood of PINGs cannot starve deadlines. */
#define RECV_BATCH 64

/* ---- job context ---------------------------------------------------------- */

struct job_ctx {
    /* Fixed before the thread starts; read by both threads. */
    char id[sizeof(((msg_header_t *)0)->job)];
    int64_t received_at; /* monotonic ms */
    int64_t deadline_ms; /* 0: the JOB set no deadline */
    int64_t deadline_at; /* monotonic ms; INT64_MAX without a deadline */
    int64_t progress_ms;
    size_t body_len;
    const agent_def_t *def;
    codec_limits_t limits;
    zmq_msg_t body;                /* closed by the job thread once decoded */
    pthread_mutex_t *outcome_lock; /* the runtime's; guards finished */
    int wake_fd;

    /* Beats: written by the job loop, read by the main thread. seq is bumped
     * last, so a reader that sees a new seq also sees that beat's values. */
    atomic_int cancelled;
    atomic_llong seq;
    atomic_llong done;
    atomic_llong total;
    atomic_llong last_beat_at; /* monotonic ms of the latest beat */
    atomic_llong max_silence;  /* longest gap between two beats, ms (for the logs) */
    pthread_mutex_t stage_lock;
    char stage[sizeof(((msg_header_t *)0)->stage)];

    /* Outcome: written by the job thread before it sets finished (under
     * outcome_lock); read by the main thread after it sees finished. */
    int finished;
    int failed;
    char code[sizeof(((msg_header_t *)0)->code)];
    char message[sizeof(((msg_header_t *)0)->message)];
    char *result_buf;
    size_t result_len;

    /* Main thread only. */
    unsigned char ident[TRANSPORT_IDENT_MAX];
    size_t ident_len;
    char peer[TRANSPORT_PEER_MAX]; /* transport_msg_t.peer of the JOB */
    struct runner *runner;         /* the thread running it (set aside with it when stuck) */
    int64_t last_sent_seq;
    int64_t next_progress_at;
    int replied;          /* ERROR cancelled already sent: the outcome is discarded */
    int64_t cancelled_at; /* when replied was set by a cancel; 0 = not cancelled */
    int stuck_noted;      /* the "cannot set aside" line was logged */
    job_ctx_t *next_abandoned;
};

/* A silence this long between two beats is logged (debug) with the stages
 * around it: how a loop that forgot to beat is found. */
#define LONG_SILENCE_MS 1000

int job_progress(job_ctx_t *ctx, const char *stage, int64_t done, int64_t total)
{
    int64_t now = clock_mono_ms();
    int64_t gap = now - atomic_exchange(&ctx->last_beat_at, now);
    if (gap > atomic_load(&ctx->max_silence))
        atomic_store(&ctx->max_silence, gap); /* a lost race only loses a log figure */
    char before[sizeof ctx->stage] = "";
    pthread_mutex_lock(&ctx->stage_lock);
    if (gap >= LONG_SILENCE_MS)
        memcpy(before, ctx->stage, sizeof before);
    if (stage)
        snprintf(ctx->stage, sizeof ctx->stage, "%s", stage);
    pthread_mutex_unlock(&ctx->stage_lock);
    if (gap >= LONG_SILENCE_MS)
        log_debug("long silence in the job loop", "job=\"%s\" ms=%lld after=\"%s\" before=\"%s\"",
                  ESC(ctx->id), (long long)gap, ESC(before), ESC(stage ? stage : ""));
    if (stage || done >= 0) { /* progress_alive() keeps the counts */
        atomic_store(&ctx->done, done);
        atomic_store(&ctx->total, total);
    }
    atomic_fetch_add(&ctx->seq, 1);
    return atomic_load(&ctx->cancelled) != 0;
}

int job_cancelled(const job_ctx_t *ctx)
{
    return atomic_load(&((job_ctx_t *)ctx)->cancelled) != 0;
}

int64_t job_remaining_ms(const job_ctx_t *ctx)
{
    if (ctx->deadline_at == INT64_MAX)
        return INT64_MAX;
    return ctx->deadline_at - clock_mono_ms();
}

/* Frees a job that has finished (or never ran): its encoded result and
 * lock. */
static void job_free(job_ctx_t *job)
{
    if (!job)
        return;
    free(job->result_buf);
    pthread_mutex_destroy(&job->stage_lock);
    free(job);
}

/* ---- slot threads ---------------------------------------------------------- */

/* The thread of one job slot. It outlives its jobs and waits for the next
 * one: a thread per job started each decode in a fresh malloc arena, whose
 * pages the kernel had to map in again (53k page faults per job on the
 * 23 MB benchmark snapshot, a quarter more CPU than decoding in a thread
 * that stays; bench/RESULTS-fleet.md). A runner whose job is stuck past the
 * cancel grace is retired with it (it exits when the job returns, if ever)
 * and the slot gets a new runner. */
typedef struct runner {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    job_ctx_t *next; /* handed over by the main thread, taken by the runner */
    int quit;        /* exit once idle (worker stopping) */
    int retired;     /* exit after the current job (set aside as stuck) */
} runner_t;

/* ---- the runtime ---------------------------------------------------------- */

typedef struct {
    uint64_t received;  /* JOBs accepted into a slot */
    uint64_t served;    /* RESULTs sent */
    uint64_t failed;    /* ERROR snapshot_invalid / agent_failed */
    uint64_t cancelled; /* deadline, CANCEL or forced shutdown */
    uint64_t busy;      /* BUSY answers */
    uint64_t refused;   /* agent_mismatch, shutting_down, version, malformed */
    int64_t total_ms;   /* sum of elapsed ms over served jobs */
    int64_t max_ms;     /* slowest served job */
    uint64_t peer_busy; /* of busy: refused by the per-peer limit */
    uint64_t stuck;     /* job threads set aside after --cancel-grace-ms */
} worker_counters_t;

typedef struct {
    const agent_def_t *def;
    const char *prog; /* basename of argv[0] */
    char endpoint[1024];
    int jobs;
    int64_t max_frame;
    int heartbeat_ms;
    char worker_id[sizeof(((msg_header_t *)0)->worker)];
    int max_peer_jobs;        /* jobs one coordinator connection may hold; 0 = --jobs */
    int64_t cancel_grace_ms;  /* a cancelled job's thread gets this long to return */
    const char *curve_secret; /* key pair file: CURVE on */
    const char *curve_allow;  /* allow-list file or directory */
    curve_zap_t *zap;
    int64_t started_at;

    void *zctx;
    void *sock;
    int pipe_r;
    int pipe_w;
    pthread_mutex_t lock;
    job_ctx_t **slots;
    runner_t **runners; /* [jobs]: each slot's thread, created at its first job */
    job_ctx_t *stuck;   /* threads set aside, still running (next_abandoned links) */
    int nstuck;
    int shutting_down;
    int signals_seen;
    worker_counters_t counters;
} runtime_t;

/* Set by the signal handler, read by the main loop. */
static volatile sig_atomic_t signal_count;
static volatile sig_atomic_t signal_last;
static volatile sig_atomic_t hup_count;
static int signal_wake_fd = -1;

/* Jobs whose threads were still running when the worker exited: kept
 * reachable from a global so their memory stays valid for the thread until
 * the process ends (and leak checkers see it as owned). */
static job_ctx_t *abandoned_jobs;

/* Signal handler: counts SIGHUP (allow-list reload) apart from
 * SIGTERM/SIGINT (shutdown) and wakes the main loop through the pipe;
 * async-signal-safe, errno kept. */
static void on_signal(int signo)
{
    int saved = errno;
    if (signo == SIGHUP)
        hup_count = hup_count + 1;
    else {
        signal_last = signo;
        signal_count = signal_count + 1;
    }
    if (signal_wake_fd >= 0) {
        char c = 's';
        ssize_t w = write(signal_wake_fd, &c, 1);
        (void)w;
    }
    errno = saved;
}

static void wake_main(int fd)
{
    char c = 'j';
    /* A full pipe already guarantees a wake-up; nothing else can go wrong. */
    ssize_t w = write(fd, &c, 1);
    (void)w;
}

static int load_of(const runtime_t *rt)
{
    int n = 0;
    for (int i = 0; i < rt->jobs; i++)
        n += rt->slots[i] != NULL;
    return n;
}

/* Sends a reply to the peer ident; a failure is logged, not returned (the
 * peer may be gone, the worker goes on). */
static void send_or_log(runtime_t *rt, const void *ident, size_t ident_len, const msg_header_t *hdr,
                        zmq_msg_t *body)
{
    err_t err = {{0}};
    if (transport_send(rt->sock, ident, ident_len, hdr, body, &err) != 0) {
        log_warn("cannot send reply", "type=%s job=\"%s\" error=\"%s\"", msg_type_name(hdr->type),
                 ESC(hdr->job), ESC(err.msg));
    }
}

static void reply_error(runtime_t *rt, const void *ident, size_t ident_len, const char *job,
                        const char *code, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Sends an ERROR message (code and formatted message, for job if given) to
 * the peer ident. Returns nothing: a failed send is logged by send_or_log. */
static void reply_error(runtime_t *rt, const void *ident, size_t ident_len, const char *job,
                        const char *code, const char *fmt, ...)
{
    msg_header_t h;
    msg_header_init(&h, MSG_ERROR);
    if (job)
        snprintf(h.job, sizeof h.job, "%s", job);
    snprintf(h.worker, sizeof h.worker, "%s", rt->worker_id);
    snprintf(h.code, sizeof h.code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h.message, sizeof h.message, fmt, ap);
    va_end(ap);
    send_or_log(rt, ident, ident_len, &h, NULL);
}

/* ---- job thread ----------------------------------------------------------- */

static void job_fail(job_ctx_t *job, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Marks a job failed with an error code and formatted message, reported when
 * the job finishes. Cannot fail. */
static void job_fail(job_ctx_t *job, const char *code, const char *fmt, ...)
{
    job->failed = 1;
    snprintf(job->code, sizeof job->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(job->message, sizeof job->message, fmt, ap);
    va_end(ap);
}

/* The decoder's progress hook: decoding is the job loop's first stage, so
 * it beats like any agent loop does. */
static void decode_beat(void *arg, size_t offset, size_t total)
{
    job_progress(arg, "decode", (int64_t)offset, (int64_t)total);
}

static int job_sink(void *arg, const char *stage, int64_t done, int64_t total);

/* Snapshot members freed between two beats while the snapshot is released. */
#define RELEASE_BEAT_EVERY 256

/* Drops the job's snapshot. One json_decref() of a decoded 23 MB snapshot
 * is a single step of a second or more on a loaded machine (millions of
 * small frees), long enough for the coordinator's hang window: so the
 * top-level containers are emptied member by member, beating as the job
 * loop does. Only what nobody else holds is taken apart (an agent may have
 * kept a reference to part of the snapshot in its result). */
static void release_snapshot(job_ctx_t *job, json_t *snapshot)
{
    if (snapshot && snapshot->refcount == 1 && json_is_object(snapshot)) {
        size_t n = 0;
        const char *key;
        json_t *section;
        json_object_foreach(snapshot, key, section)
        {
            if (section->refcount != 1)
                continue;
            if (json_is_array(section)) {
                for (size_t i = json_array_size(section); i > 0; i--) {
                    json_array_remove(section, i - 1);
                    if (++n % RELEASE_BEAT_EVERY == 0)
                        job_progress(job, NULL, -1, -1);
                }
            } else if (json_is_object(section) && json_object_size(section) > RELEASE_BEAT_EVERY) {
                /* Deleting while iterating is what json_object_foreach_safe is for. */
                const char *k;
                json_t *member;
                void *tmp;
                json_object_foreach_safe(section, tmp, k, member)
                {
                    json_object_del(section, k);
                    if (++n % RELEASE_BEAT_EVERY == 0)
                        job_progress(job, NULL, -1, -1);
                }
            }
        }
    }
    json_decref(snapshot);
}

/* The job's work on its runner thread: decode and validate the snapshot, run the agent,
 * validate and encode its result; the outcome (result or error code and
 * text) is left in job for the main thread to send. */
static void job_execute(job_ctx_t *job)
{
    json_t *snapshot = NULL;
    json_t *result = NULL;
    err_t err = {{0}};

    int rc = codec_decode_progress(zmq_msg_data(&job->body), zmq_msg_size(&job->body), &job->limits,
                                   &snapshot, &err, decode_beat, job);
    /* The encoded snapshot can be large: give it back before the agent runs. */
    zmq_msg_close(&job->body);
    if (rc != 0) {
        job_fail(job, MSG_ERR_SNAPSHOT, "snapshot does not decode: %s", err.msg);
        return;
    }
    job_progress(job, "decode", (int64_t)job->body_len, (int64_t)job->body_len);
    if (snapshot_validate(snapshot, &err) != 0) {
        job_fail(job, MSG_ERR_SNAPSHOT, "snapshot is not valid: %s", err.msg);
        release_snapshot(job, snapshot);
        return;
    }
    if (job_cancelled(job)) {
        release_snapshot(job, snapshot);
        job_fail(job, MSG_ERR_CANCELLED, "cancelled before the agent started");
        return;
    }
    err_clear(&err);
    /* The agent beats through job_sink, the same sink the thread has. */
    rc = job->def->run(snapshot, job_sink, job, &result, &err);
    release_snapshot(job, snapshot);
    if (rc != 0) {
        json_decref(result);
        job_fail(job, MSG_ERR_FAILED, "%s",
                 err.msg[0] ? err.msg : "the agent failed without saying why");
        return;
    }
    if (!json_is_object(result)) {
        job_fail(job, MSG_ERR_FAILED,
                 "the agent returned a value of type %s instead of a result map",
                 codec_type_name(result));
        json_decref(result);
        return;
    }
    rc = codec_encode(result, &job->result_buf, &job->result_len, &err);
    json_decref(result);
    if (rc != 0)
        job_fail(job, MSG_ERR_FAILED, "the result does not encode: %s", err.msg);
}

/* The pgconn stop hook of a job thread: a cancelled job waits on nothing. */
static int job_stop_hook(void *arg)
{
    return job_cancelled(arg);
}

/* The progress sink of a job thread (common/progress.h): shared library
 * loops beat the job without knowing it. */
static int job_sink(void *arg, const char *stage, int64_t done, int64_t total)
{
    return job_progress(arg, stage, done, total);
}

/* Runs one job on the calling runner thread and tells the main thread. Once
 * finished is set the main thread may free the job: nothing of it is read
 * after that. */
static void run_job(job_ctx_t *job)
{
    pgconn_set_thread_stop(job_stop_hook, job);
    progress_set_thread(job_sink, job);
    job_execute(job);
    progress_set_thread(NULL, NULL);
    pgconn_set_thread_stop(NULL, NULL);
    int wake_fd = job->wake_fd;
    pthread_mutex_t *lock = job->outcome_lock;
    pthread_mutex_lock(lock);
    job->finished = 1;
    pthread_mutex_unlock(lock);
    wake_main(wake_fd);
}

/* A runner's loop: take the job handed over, run it, wait for the next;
 * leave when told to quit while idle, or after the job it was retired
 * with. */
static void *runner_main(void *arg)
{
    runner_t *r = arg;
    for (;;) {
        pthread_mutex_lock(&r->lock);
        while (!r->next && !r->quit && !r->retired)
            pthread_cond_wait(&r->wake, &r->lock);
        job_ctx_t *job = r->next;
        r->next = NULL;
        pthread_mutex_unlock(&r->lock);
        if (!job)
            return NULL;
        run_job(job);
        pthread_mutex_lock(&r->lock);
        int retired = r->retired;
        pthread_mutex_unlock(&r->lock);
        if (retired)
            return NULL;
    }
}

/* Starts a runner thread with the signals the main thread handles blocked.
 * Returns NULL with pthread_create's error in *rc when the thread cannot start. */
static runner_t *runner_start(int *rc)
{
    runner_t *r = xcalloc(1, sizeof *r);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->wake, NULL);
    /* Job threads leave SIGTERM/SIGINT/SIGHUP to the main thread. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    *rc = pthread_create(&r->thread, NULL, runner_main, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (*rc != 0) {
        pthread_cond_destroy(&r->wake);
        pthread_mutex_destroy(&r->lock);
        free(r);
        return NULL;
    }
    return r;
}

/* Hands a job to a runner (idle, or finishing its last job: it takes this
 * one before waiting again). */
static void runner_give(runner_t *r, job_ctx_t *job)
{
    pthread_mutex_lock(&r->lock);
    r->next = job;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
}

/* Tells a runner to exit after its current job (or at once when idle). */
static void runner_retire(runner_t *r)
{
    pthread_mutex_lock(&r->lock);
    r->retired = 1;
    pthread_cond_signal(&r->wake);
    pthread_mutex_unlock(&r->lock);
}

/* Joins a runner that has exited or is about to, and frees it. */
static void runner_join(runner_t *r)
{
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* Stops the idle runners at exit (a runner still running a job was retired
 * and detached with it by finish_jobs). */
static void stop_runners(runtime_t *rt)
{
    for (int i = 0; rt->runners && i < rt->jobs; i++) {
        runner_t *r = rt->runners[i];
        if (!r)
            continue;
        pthread_mutex_lock(&r->lock);
        r->quit = 1;
        pthread_cond_signal(&r->wake);
        pthread_mutex_unlock(&r->lock);
        runner_join(r);
        rt->runners[i] = NULL;
    }
}

/* ---- main thread: replies ------------------------------------------------- */

/* Fills a PROGRESS header from the job's latest beat. seq is read first: if
 * the loop beats meanwhile, the values may be newer than seq and that beat is
 * sent again next time, but no beat is ever reported as sent before it was. */
static void progress_header(const job_ctx_t *job, int64_t now, msg_header_t *h)
{
    job_ctx_t *j = (job_ctx_t *)job; /* the stage lock is not part of the value */
    msg_header_init(h, MSG_PROGRESS);
    snprintf(h->job, sizeof h->job, "%s", job->id);
    h->seq = atomic_load(&j->seq);
    h->done = atomic_load(&j->done);
    h->total = atomic_load(&j->total);
    pthread_mutex_lock(&j->stage_lock);
    snprintf(h->stage, sizeof h->stage, "%s", job->stage);
    pthread_mutex_unlock(&j->stage_lock);
    h->elapsed_ms = now - job->received_at;
}

static void send_progress(runtime_t *rt, job_ctx_t *job, const msg_header_t *h)
{
    send_or_log(rt, job->ident, job->ident_len, h, NULL);
    job->last_sent_seq = h->seq;
}

/* Cancels a running job: the agent sees job_progress() == 1, the coordinator
 * hears ERROR cancelled now rather than when the agent gets round to it. */
static void cancel_job(runtime_t *rt, job_ctx_t *job, int64_t now, const char *code,
                       const char *reason)
{
    atomic_store(&job->cancelled, 1);
    if (job->replied)
        return;
    job->replied = 1;
    job->cancelled_at = now;
    rt->counters.cancelled++;
    reply_error(rt, job->ident, job->ident_len, job->id, code, "%s", reason);
    log_info("job cancelled", "job=\"%s\" ms=%lld reason=\"%s\"", ESC(job->id),
             (long long)(now - job->received_at), ESC(reason));
}

/* Joins the threads that have returned and answers for them. */
static void reap_finished(runtime_t *rt, int64_t now)
{
    for (int i = 0; i < rt->jobs; i++) {
        job_ctx_t *job = rt->slots[i];
        if (!job)
            continue;
        pthread_mutex_lock(&rt->lock);
        int finished = job->finished;
        pthread_mutex_unlock(&rt->lock);
        if (!finished)
            continue;
        /* Its runner stays for the slot's next job. */
        rt->slots[i] = NULL;
        int64_t elapsed = now - job->received_at;
        if (job->replied) {
            log_info("cancelled job returned", "job=\"%s\" ms=%lld", ESC(job->id),
                     (long long)elapsed);
        } else if (job->failed) {
            rt->counters.failed++;
            reply_error(rt, job->ident, job->ident_len, job->id, job->code, "%s", job->message);
            log_warn("job failed", "job=\"%s\" ms=%lld code=%s error=\"%s\"", ESC(job->id),
                     (long long)elapsed, job->code, ESC(job->message));
        } else {
            msg_header_t h;
            msg_header_init(&h, MSG_RESULT);
            snprintf(h.job, sizeof h.job, "%s", job->id);
            snprintf(h.agent, sizeof h.agent, "%s", rt->def->agent);
            snprintf(h.worker, sizeof h.worker, "%s", rt->worker_id);
            h.elapsed_ms = elapsed;
            zmq_msg_t body;
            err_t err = {{0}};
            size_t len = job->result_len;
            char *buf = job->result_buf;
            job->result_buf = NULL; /* the zmq_msg_t owns it now, even on failure */
            if (transport_body_from_buffer(&body, buf, len, &err) != 0) {
                rt->counters.failed++;
                reply_error(rt, job->ident, job->ident_len, job->id, MSG_ERR_FAILED,
                            "cannot wrap the result: %s", err.msg);
            } else {
                send_or_log(rt, job->ident, job->ident_len, &h, &body);
                zmq_msg_close(&body);
                rt->counters.served++;
                rt->counters.total_ms += elapsed;
                if (elapsed > rt->counters.max_ms)
                    rt->counters.max_ms = elapsed;
                log_info("job done",
                         "job=\"%s\" ms=%lld snapshot_bytes=%zu result_bytes=%zu "
                         "max_silence_ms=%lld",
                         ESC(job->id), (long long)elapsed, job->body_len, len,
                         (long long)atomic_load(&job->max_silence));
            }
        }
        job_free(job);
    }
}

/* Joins set-aside threads that have returned after all. */
static void reap_stuck(runtime_t *rt, int64_t now)
{
    for (job_ctx_t **pp = &rt->stuck; *pp;) {
        job_ctx_t *job = *pp;
        pthread_mutex_lock(&rt->lock);
        int finished = job->finished;
        pthread_mutex_unlock(&rt->lock);
        if (!finished) {
            pp = &job->next_abandoned;
            continue;
        }
        runner_join(job->runner); /* retired: it exits after this job */
        job->runner = NULL;
        *pp = job->next_abandoned;
        rt->nstuck--;
        log_info("stuck job thread returned", "job=\"%s\" ms=%lld stuck=%d", job->id,
                 (long long)(now - job->received_at), rt->nstuck);
        job_free(job);
    }
}

/* A cancelled job whose thread has not returned within the grace: its slot
 * goes back to the pool, the thread to the stuck list (see top). */
static void set_aside_stuck(runtime_t *rt, int slot, int64_t now)
{
    job_ctx_t *job = rt->slots[slot];
    if (rt->nstuck >= rt->jobs) {
        if (!job->stuck_noted)
            log_warn("job thread stuck, slot kept: too many stuck threads",
                     "job=\"%s\" stuck=%d limit=%d", job->id, rt->nstuck, rt->jobs);
        job->stuck_noted = 1;
        return;
    }
    rt->slots[slot] = NULL;
    runner_retire(job->runner);
    rt->runners[slot] = NULL; /* the slot's next job gets a new runner */
    job->next_abandoned = rt->stuck;
    rt->stuck = job;
    rt->nstuck++;
    rt->counters.stuck++;
    log_warn("job thread stuck after cancel: slot freed",
             "job=\"%s\" ms_since_cancel=%lld cancel_grace_ms=%lld stuck=%d", job->id,
             (long long)(now - job->cancelled_at), (long long)rt->cancel_grace_ms, rt->nstuck);
}

/* Deadlines, PROGRESS, and cancelled jobs past their grace. */
static void check_timers(runtime_t *rt, int64_t now)
{
    for (int i = 0; i < rt->jobs; i++) {
        job_ctx_t *job = rt->slots[i];
        if (job && job->replied && job->cancelled_at &&
            now >= job->cancelled_at + rt->cancel_grace_ms) {
            pthread_mutex_lock(&rt->lock);
            int finished = job->finished;
            pthread_mutex_unlock(&rt->lock);
            if (!finished)
                set_aside_stuck(rt, i, now);
            continue;
        }
        if (!job || job->replied)
            continue;
        if (now >= job->deadline_at) {
            char reason[96];
            snprintf(reason, sizeof reason, "deadline of %lld ms passed",
                     (long long)job->deadline_ms);
            cancel_job(rt, job, now, MSG_ERR_CANCELLED, reason);
            continue;
        }
        if (now >= job->next_progress_at) {
            if (atomic_load(&job->seq) != job->last_sent_seq) {
                msg_header_t h;
                progress_header(job, now, &h);
                send_progress(rt, job, &h);
            }
            job->next_progress_at = clock_add_ms(now, job->progress_ms);
        }
    }
}

/* zmq_poll timeout: until the nearest deadline or PROGRESS check; -1 (wait
 * for a message, a finished job or a signal) when nothing is due. */
static long poll_timeout(const runtime_t *rt, int64_t now)
{
    int64_t next = INT64_MAX;
    for (int i = 0; i < rt->jobs; i++) {
        const job_ctx_t *job = rt->slots[i];
        if (job && job->replied && job->cancelled_at && !job->stuck_noted &&
            job->cancelled_at + rt->cancel_grace_ms < next)
            next = job->cancelled_at + rt->cancel_grace_ms;
        if (!job || job->replied)
            continue;
        if (job->deadline_at < next)
            next = job->deadline_at;
        if (job->next_progress_at < next)
            next = job->next_progress_at;
    }
    if (next == INT64_MAX)
        return -1;
    if (next <= now)
        return 0;
    int64_t wait = next - now;
    return wait > LONG_MAX ? LONG_MAX : (long)wait;
}

static int all_replied(const runtime_t *rt)
{
    for (int i = 0; i < rt->jobs; i++)
        if (rt->slots[i] && !rt->slots[i]->replied)
            return 0;
    return 1;
}

/* ---- main thread: requests ------------------------------------------------ */

/* Answers a PING with a PONG carrying the agent, worker id, load, capacity
 * and jobs served. A failed send is logged by send_or_log. */
static void handle_ping(runtime_t *rt, const transport_msg_t *m)
{
    msg_header_t h;
    msg_header_init(&h, MSG_PONG);
    snprintf(h.agent, sizeof h.agent, "%s", rt->def->agent);
    snprintf(h.worker, sizeof h.worker, "%s", rt->worker_id);
    h.load = load_of(rt);
    h.capacity = rt->jobs;
    h.served = (int64_t)rt->counters.served;
    send_or_log(rt, m->ident, m->ident_len, &h, NULL);
}

/* STATS -> COUNTERS: what the worker has done since it started. */
static void handle_stats(runtime_t *rt, const transport_msg_t *m, int64_t now)
{
    const worker_counters_t *k = &rt->counters;
    msg_header_t h;
    msg_header_init(&h, MSG_COUNTERS);
    snprintf(h.agent, sizeof h.agent, "%s", rt->def->agent);
    snprintf(h.worker, sizeof h.worker, "%s", rt->worker_id);
    h.load = load_of(rt);
    h.capacity = rt->jobs;
    h.served = (int64_t)k->served;
    h.received = (int64_t)k->received;
    h.failed = (int64_t)k->failed;
    h.cancelled = (int64_t)k->cancelled;
    h.busy = (int64_t)k->busy;
    h.refused = (int64_t)k->refused;
    h.auth_refused = (int64_t)curve_zap_refused(rt->zap);
    h.uptime_ms = now - rt->started_at;
    h.total_ms = k->total_ms;
    h.max_ms = k->max_ms;
    send_or_log(rt, m->ident, m->ident_len, &h, NULL);
    log_info("stats",
             "received=%llu served=%llu failed=%llu cancelled=%llu busy=%llu "
             "peer_busy=%llu refused=%llu auth_refused=%llu total_ms=%lld max_ms=%lld load=%d "
             "stuck=%d stuck_total=%llu",
             (unsigned long long)k->received, (unsigned long long)k->served,
             (unsigned long long)k->failed, (unsigned long long)k->cancelled,
             (unsigned long long)k->busy, (unsigned long long)k->peer_busy,
             (unsigned long long)k->refused, (unsigned long long)curve_zap_refused(rt->zap),
             (long long)k->total_ms, (long long)k->max_ms, load_of(rt), rt->nstuck,
             (unsigned long long)k->stuck);
}

/* Jobs held by the sender of m (running or cancelled but not returned):
 * one client, not one connection - a client with two sockets must not take
 * twice its share. The client is its CURVE public key when CURVE is on,
 * else its network address; on ipc:// (no address) its connection. */
static int peer_load(const runtime_t *rt, const transport_msg_t *m)
{
    int n = 0;
    for (int i = 0; i < rt->jobs; i++) {
        const job_ctx_t *job = rt->slots[i];
        if (!job)
            continue;
        if (m->peer[0])
            n += strcmp(job->peer, m->peer) == 0;
        else
            n += !job->peer[0] && job->ident_len == m->ident_len &&
                 memcmp(job->ident, m->ident, m->ident_len) == 0;
    }
    return n;
}

/* Takes a JOB into slot: deadline and beat interval from the header
 * (clamped), the body moved in, the start beat sent, the job handed to the
 * slot's runner thread (started on first use). -1 (an error reply sent)
 * when the runner cannot start. */
static int start_job(runtime_t *rt, transport_msg_t *m, int slot, int64_t now)
{
    job_ctx_t *job = xcalloc(1, sizeof *job);
    snprintf(job->id, sizeof job->id, "%s", m->hdr.job);
    job->received_at = now;
    job->deadline_ms = m->hdr.deadline_ms;
    /* Peer-supplied durations: a deadline saturates (2^63-1 ms is "none",
     * not an overflow into the past), the beat interval is clamped so that
     * neither 1 ms nor 2^63-1 ms can make the main loop spin or go quiet. */
    job->deadline_at = m->hdr.deadline_ms > 0 ? clock_add_ms(now, m->hdr.deadline_ms) : INT64_MAX;
    job->progress_ms = m->hdr.progress_ms > 0 ? m->hdr.progress_ms : DEFAULT_PROGRESS_MS;
    if (job->progress_ms < MIN_PROGRESS_MS)
        job->progress_ms = MIN_PROGRESS_MS;
    if (job->progress_ms > MAX_PROGRESS_MS)
        job->progress_ms = MAX_PROGRESS_MS;
    job->def = rt->def;
    job->limits = CODEC_LIMITS_DOCUMENT;
    job->limits.max_bytes = (size_t)rt->max_frame;
    job->outcome_lock = &rt->lock;
    job->wake_fd = rt->pipe_w;
    job->body_len = zmq_msg_size(&m->body);
    zmq_msg_init(&job->body);
    zmq_msg_move(&job->body, &m->body);
    memcpy(job->ident, m->ident, m->ident_len);
    job->ident_len = m->ident_len;
    memcpy(job->peer, m->peer, sizeof job->peer);
    pthread_mutex_init(&job->stage_lock, NULL);
    atomic_init(&job->cancelled, 0);
    atomic_init(&job->seq, 0);
    atomic_init(&job->done, 0);
    atomic_init(&job->total, 0);
    atomic_init(&job->last_beat_at, now);
    atomic_init(&job->max_silence, 0);
    /* The runtime's own beat: the job has started. It is sent as soon as the
     * thread exists, as it was now: the thread may beat again at once. */
    job_progress(job, "start", 0, 0);
    msg_header_t started;
    progress_header(job, now, &started);

    int rc = 0;
    if (!rt->runners[slot])
        rt->runners[slot] = runner_start(&rc);
    if (!rt->runners[slot]) {
        zmq_msg_close(&job->body);
        reply_error(rt, m->ident, m->ident_len, m->hdr.job, MSG_ERR_FAILED,
                    "cannot start a job thread: %s", strerror(rc));
        log_error("cannot start a job thread", "job=\"%s\" error=\"%s\"", ESC(job->id),
                  strerror(rc));
        job_free(job);
        return -1;
    }
    job->runner = rt->runners[slot];
    runner_give(job->runner, job);
    rt->slots[slot] = job;
    rt->counters.received++;
    log_info("job received",
             "job=\"%s\" snapshot_bytes=%zu deadline_ms=%lld progress_ms=%lld load=%d capacity=%d",
             ESC(job->id), job->body_len, (long long)job->deadline_ms, (long long)job->progress_ms,
             load_of(rt), rt->jobs);
    send_progress(rt, job, &started);
    job->next_progress_at = clock_add_ms(now, job->progress_ms);
    return 0;
}

/* A JOB from a peer: refused with an error reply when it has no id, is for
 * another agent or the worker is shutting down; answered BUSY when every
 * slot is taken or the peer has its share; started otherwise. */
static void handle_job(runtime_t *rt, transport_msg_t *m, int64_t now)
{
    const msg_header_t *hdr = &m->hdr;
    if (hdr->job[0] == '\0') {
        rt->counters.refused++;
        reply_error(rt, m->ident, m->ident_len, NULL, MSG_ERR_MALFORMED, "JOB without a job id");
        log_warn("malformed message", "error=\"JOB without a job id\"");
        return;
    }
    if (strcmp(hdr->agent, rt->def->agent) != 0) {
        rt->counters.refused++;
        reply_error(rt, m->ident, m->ident_len, hdr->job, MSG_ERR_AGENT,
                    "this worker runs agent %s, the JOB is for agent '%s'", rt->def->agent,
                    hdr->agent);
        log_warn("job refused: agent mismatch", "job=\"%s\" agent=\"%s\"", ESC(hdr->job),
                 ESC(hdr->agent));
        return;
    }
    if (rt->shutting_down) {
        rt->counters.refused++;
        reply_error(rt, m->ident, m->ident_len, hdr->job, MSG_ERR_SHUTDOWN,
                    "worker %s is shutting down and takes no new jobs", rt->worker_id);
        log_info("job refused: shutting down", "job=\"%s\"", ESC(hdr->job));
        return;
    }
    int slot = -1;
    for (int i = 0; i < rt->jobs && slot < 0; i++)
        if (!rt->slots[i])
            slot = i;
    /* One coordinator may not take every slot: the others would only ever
     * hear BUSY. Its own jobs count against it until their threads return. */
    int peer_full = slot >= 0 && rt->max_peer_jobs > 0 && peer_load(rt, m) >= rt->max_peer_jobs;
    if (slot < 0 || peer_full) {
        msg_header_t h;
        msg_header_init(&h, MSG_BUSY);
        snprintf(h.job, sizeof h.job, "%s", hdr->job);
        snprintf(h.worker, sizeof h.worker, "%s", rt->worker_id);
        h.load = load_of(rt);
        h.capacity = rt->jobs;
        send_or_log(rt, m->ident, m->ident_len, &h, NULL);
        rt->counters.busy++;
        rt->counters.peer_busy += (uint64_t)peer_full;
        log_info("job refused: busy",
                 "job=\"%s\" load=%lld capacity=%d per_peer_limit=%s peer=\"%s\"", ESC(hdr->job),
                 (long long)h.load, rt->jobs, peer_full ? "reached" : "no",
                 m->peer[0] ? ESC(m->peer) : "connection");
        return;
    }
    start_job(rt, m, slot, now);
}

/* A CANCEL: cancels the running job of that id when the peer that sent it
 * asks; ignored (logged) otherwise. */
static void handle_cancel(runtime_t *rt, const transport_msg_t *m, int64_t now)
{
    for (int i = 0; i < rt->jobs; i++) {
        job_ctx_t *job = rt->slots[i];
        /* Only the coordinator that sent the JOB may cancel it. */
        if (job && !job->replied && strcmp(job->id, m->hdr.job) == 0 &&
            job->ident_len == m->ident_len && memcmp(job->ident, m->ident, m->ident_len) == 0) {
            cancel_job(rt, job, now, MSG_ERR_CANCELLED, "cancelled by coordinator");
            return;
        }
    }
    log_debug("cancel for an unknown job ignored", "job=\"%s\"", ESC(m->hdr.job));
}

/* Routes one message by type (PING, JOB, CANCEL) after checking the protocol
 * version; anything else gets an error reply. */
static void dispatch(runtime_t *rt, transport_msg_t *m, int64_t now)
{
    const msg_header_t *hdr = &m->hdr;
    if (hdr->v_major != PROTO_VERSION_MAJOR) {
        rt->counters.refused++;
        reply_error(rt, m->ident, m->ident_len, hdr->job[0] ? hdr->job : NULL, MSG_ERR_VERSION,
                    "protocol version %d is not supported: this worker speaks version %d.%d",
                    hdr->v_major, PROTO_VERSION_MAJOR, PROTO_VERSION_MINOR);
        log_warn("message refused: protocol version", "v=%d supported=%d", hdr->v_major,
                 PROTO_VERSION_MAJOR);
        return;
    }
    switch (hdr->type) {
    case MSG_PING:
        handle_ping(rt, m);
        break;
    case MSG_JOB:
        handle_job(rt, m, now);
        break;
    case MSG_CANCEL:
        handle_cancel(rt, m, now);
        break;
    case MSG_STATS:
        handle_stats(rt, m, now);
        break;
    case MSG_ERROR: {
        /* Never answer an ERROR with an ERROR: two peers could ping-pong. */
        log_warn("error from a coordinator", "job=\"%s\" code=\"%s\" error=\"%s\"", ESC(hdr->job),
                 ESC(hdr->code), ESC(hdr->message));
        break;
    }
    default:
        rt->counters.refused++;
        reply_error(rt, m->ident, m->ident_len, hdr->job[0] ? hdr->job : NULL, MSG_ERR_UNEXPECTED,
                    "a worker does not accept %s messages", msg_type_name(hdr->type));
        log_warn("message refused: unexpected type", "type=%s", msg_type_name(hdr->type));
        break;
    }
}

/* Receives and dispatches up to RECV_BATCH messages without blocking; a
 * malformed one is logged and answered when its sender is known. */
static void serve_messages(runtime_t *rt)
{
    for (int n = 0; n < RECV_BATCH; n++) {
        transport_msg_t m;
        err_t err = {{0}};
        int rc = transport_recv(rt->sock, 1, &m, &err);
        if (rc == 1)
            return;
        int64_t now = clock_mono_ms();
        if (rc < 0) {
            log_warn("malformed message", "error=\"%s\"", ESC(err.msg));
            if (m.ident_len > 0) {
                rt->counters.refused++;
                /* The header may have decoded before the frames went wrong;
                 * name the job then, so the coordinator can match it. */
                const char *job = (m.hdr.type != MSG_INVALID &&
                                   memchr(m.hdr.job, '\0', sizeof m.hdr.job) && m.hdr.job[0])
                                      ? m.hdr.job
                                      : NULL;
                reply_error(rt, m.ident, m.ident_len, job, MSG_ERR_MALFORMED, "%s", err.msg);
            }
            transport_msg_close(&m);
            if (m.ident_len == 0)
                return; /* the socket itself failed; poll again */
            continue;
        }
        dispatch(rt, &m, now);
        transport_msg_close(&m);
    }
}

static void drain_pipe(int fd)
{
    char buf[256];
    while (read(fd, buf, sizeof buf) > 0)
        ;
}

/* SIGHUP: reread the allow-list (key rotation). A list that no longer
 * loads keeps the old one in force: refusing everyone is never the intent. */
static int hups_seen;

/* On a new SIGHUP: reloads the CURVE allow-list into the running ZAP
 * handler; a list that does not load is logged and the old one stays in
 * force. */
static void reload_allow(runtime_t *rt)
{
    int hups = hup_count;
    if (hups == hups_seen)
        return;
    hups_seen = hups;
    if (!rt->zap) {
        log_info("SIGHUP ignored: CURVE is off", NULL);
        return;
    }
    err_t err = {{0}};
    curve_allow_t *allow = curve_allow_load(rt->curve_allow, &err);
    if (!allow) {
        log_error("allow-list not reloaded, the old one stays in force", "error=\"%s\"", err.msg);
        return;
    }
    int n = curve_allow_count(allow);
    curve_zap_replace(rt->zap, allow);
    log_info("allow-list reloaded", "allowed_keys=%d allow=\"%s\"", n, rt->curve_allow);
}

/* Acts on signals seen since the last call: allow-list reloads, and the
 * first SIGTERM/SIGINT starting the shutdown. */
static void handle_signals(runtime_t *rt)
{
    reload_allow(rt);
    int count = signal_count;
    if (count == rt->signals_seen)
        return;
    rt->signals_seen = count;
    int signo = signal_last;
    if (!rt->shutting_down) {
        rt->shutting_down = 1;
        log_info("shutdown requested", "signal=%s running=%d",
                 signo == SIGINT ? "SIGINT" : "SIGTERM", load_of(rt));
    }
}

/* ---- options -------------------------------------------------------------- */

/* The number of CPUs this process may run on (affinity mask, else online
 * CPUs). Returns at least 1. */
static int cpu_count(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Prints --help (options, environment variables, exit status) to out. */
static void usage(const runtime_t *rt, FILE *out)
{
    const agent_def_t *def = rt->def;
    fprintf(out,
            "Usage: %s --bind ENDPOINT [OPTIONS]\n"
            "\n"
            "%s\n"
            "\n"
            "pgopt worker for the %s agent. Binds one ZeroMQ ROUTER socket and serves any\n"
            "number of pgopt coordinators (protocol %d.%d, proto/PROTOCOL.md): PING -> PONG,\n"
            "JOB -> PROGRESS ... RESULT or ERROR, CANCEL. Jobs beyond --jobs get BUSY.\n"
            "\n"
            "Options:\n"
            "  -b, --bind ENDPOINT    where to listen (required unless PGOPT_BIND is set):\n"
            "                           tcp://*:5701, tcp://10.0.0.5:5701 or\n"
            "                           ipc:///run/pgopt/%s.sock\n"
            "                         An existing ipc:// socket file is replaced (libzmq unlinks\n"
            "                         it), so never point two workers at the same path.\n"
            "  -j, --jobs N           jobs run at once, 1..%d (default: CPUs available to\n"
            "                         this process, here %d)\n"
            "      --max-frame BYTES  largest frame accepted, e.g. 268435456 or 256M (suffixes\n"
            "                         K, M, G: powers of 1024; %lld..%lld; default 256M). A\n"
            "                         peer that sends a larger frame is disconnected.\n"
            "      --heartbeat-ms MS  ZeroMQ heartbeat interval (default %d, 0 = off); a peer\n"
            "                         silent for 3 intervals is dropped\n"
            "      --max-peer-jobs N  jobs one client may run at once - its CURVE key, else\n"
            "                         its address (ipc: its process), whatever its sockets\n"
            "                         (default: --jobs, no per-peer limit); beyond it BUSY,\n"
            "                         so one coordinator cannot starve the others\n"
            "      --cancel-grace-ms MS  a cancelled job's thread that has not returned after\n"
            "                         MS (default %d) is set aside and its slot freed; at\n"
            "                         most --jobs such threads, then slots stay taken\n"
            "      --curve-secret FILE  CURVE: encrypt and authenticate; FILE is this\n"
            "                         worker's key pair (pgopt-coordinator keygen, mode 0600)\n"
            "      --curve-allow PATH the coordinators' public keys that may connect: a file\n"
            "                         (one key or key file per line) or a directory of *.pub\n"
            "                         files; required with --curve-secret. Reloaded on SIGHUP.\n"
            "      --log-level LEVEL  debug, info, warn, error or off (default info)\n"
            "  -h, --help             show this text and exit\n"
            "  -V, --version          show the version and exit\n"
            "\n"
            "Environment:\n"
            "  PGOPT_BIND       endpoint when --bind is not given\n"
            "  PGOPT_JOBS       pool size when --jobs is not given\n"
            "  PGOPT_LOG_LEVEL  log threshold when --log-level is not given\n"
            "  PGOPT_CURVE_SECRET, PGOPT_CURVE_ALLOW, PGOPT_MAX_PEER_JOBS  the same as the\n"
            "                   options of those names when the options are not given\n"
            "\n"
            "Logs: stderr, one logfmt line per event (start, each job, BUSY, shutdown).\n"
            "Signals: SIGTERM or SIGINT stops taking jobs (new JOBs get ERROR shutting_down),\n"
            "lets running jobs finish or reach their deadlines, answers them and exits; a\n"
            "second signal exits at once, abandoning running jobs.\n"
            "Exit status: 0 after a clean shutdown, 1 when the socket cannot be bound or jobs\n"
            "were abandoned, 2 on bad usage.\n",
            rt->prog, def->description ? def->description : "", def->agent, PROTO_VERSION_MAJOR,
            PROTO_VERSION_MINOR, def->agent, MAX_JOBS, cpu_count(), (long long)MIN_MAX_FRAME,
            (long long)MAX_MAX_FRAME, DEFAULT_HEARTBEAT_MS, DEFAULT_CANCEL_GRACE_MS);
}

/* Strict integer with an optional K/M/G suffix (only when allow_suffix);
 * the options' own messages say the range. */
static int parse_int(const char *s, int allow_suffix, int64_t min, int64_t max, int64_t *out)
{
    return num_parse_int(s, min, max, allow_suffix ? NUM_BYTE_SUFFIX : 0, out, NULL);
}

static int bad_usage(const runtime_t *rt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints a formatted usage error to stderr, pointing at --help. Returns 2,
 * the exit status for bad usage. */
static int bad_usage(const runtime_t *rt, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s (see %s --help)\n", rt->prog, line, rt->prog);
    return 2;
}

/* What the command line said, before the environment fills the gaps. */
typedef struct {
    const char *bind, *jobs, *level, *peer_jobs;
} cli_opts_t;

/* Reads argv into o and into rt's numeric settings (max frame, heartbeat,
 * cancel grace, CURVE files). Returns -1 to go on, 0 after --help or
 * --version, 2 (message printed) on a bad option. */
static int read_flags(runtime_t *rt, int argc, char **argv, cli_opts_t *o)
{
    static const struct option longopts[] = {
        {"bind", required_argument, NULL, 'b'},
        {"jobs", required_argument, NULL, 'j'},
        {"max-frame", required_argument, NULL, 'F'},
        {"heartbeat-ms", required_argument, NULL, 'H'},
        {"log-level", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"curve-secret", required_argument, NULL, 'S'},
        {"curve-allow", required_argument, NULL, 'A'},
        {"max-peer-jobs", required_argument, NULL, 'P'},
        {"cancel-grace-ms", required_argument, NULL, 'G'},
        {NULL, 0, NULL, 0},
    };
    int64_t v = 0;
    opterr = 0; /* our own one-line messages */
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":b:j:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'b':
            o->bind = optarg;
            break;
        case 'j':
            o->jobs = optarg;
            break;
        case 'F':
            if (parse_int(optarg, 1, MIN_MAX_FRAME, MAX_MAX_FRAME, &v) != 0)
                return bad_usage(rt,
                                 "--max-frame: expected a byte count from %lld to %lld "
                                 "(suffix K, M or G allowed), got '%s'",
                                 (long long)MIN_MAX_FRAME, (long long)MAX_MAX_FRAME, optarg);
            rt->max_frame = v;
            break;
        case 'H':
            if (parse_int(optarg, 0, 0, MAX_HEARTBEAT_MS, &v) != 0)
                return bad_usage(rt, "--heartbeat-ms: expected milliseconds from 0 to %d, got '%s'",
                                 MAX_HEARTBEAT_MS, optarg);
            rt->heartbeat_ms = (int)v;
            break;
        case 'G':
            if (parse_int(optarg, 0, 0, MAX_CANCEL_GRACE_MS, &v) != 0)
                return bad_usage(rt,
                                 "--cancel-grace-ms: expected milliseconds from 0 to %d, got '%s'",
                                 MAX_CANCEL_GRACE_MS, optarg);
            rt->cancel_grace_ms = v;
            break;
        case 'L':
            o->level = optarg;
            break;
        case 'S':
            rt->curve_secret = optarg;
            break;
        case 'A':
            rt->curve_allow = optarg;
            break;
        case 'P':
            o->peer_jobs = optarg;
            break;
        case 'h':
            usage(rt, stdout);
            return 0;
        case 'V':
            printf("%s (pgopt) %s, agent %s, protocol %d.%d\n", rt->prog, PGOPT_VERSION,
                   rt->def->agent, PROTO_VERSION_MAJOR, PROTO_VERSION_MINOR);
            return 0;
        case ':':
            return bad_usage(rt, "option '%s' needs a value", argv[optind - 1]);
        default:
            return bad_usage(rt, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return bad_usage(rt, "unexpected argument '%s'", argv[optind]);
    return -1;
}

/* flag when given, else the environment variable env when set and not
 * empty, else NULL. */
static const char *flag_or_env(const char *flag, const char *env)
{
    if (flag)
        return flag;
    const char *e = getenv(env);
    return e && *e ? e : NULL;
}

/* The endpoint, the job pool and the per-peer share, from the flags or
 * PGOPT_BIND / PGOPT_JOBS / PGOPT_MAX_PEER_JOBS. Returns -1 to go on, 2
 * (message printed) when one is missing or out of range. */
static int settle_endpoint_and_jobs(runtime_t *rt, const cli_opts_t *o)
{
    int64_t v = 0;
    const char *bind = flag_or_env(o->bind, "PGOPT_BIND");
    if (!bind)
        return bad_usage(rt, "no endpoint: give --bind ENDPOINT or set PGOPT_BIND");
    if (strlen(bind) >= sizeof rt->endpoint)
        return bad_usage(rt, "--bind: endpoint longer than %zu bytes", sizeof rt->endpoint - 1);
    snprintf(rt->endpoint, sizeof rt->endpoint, "%s", bind);

    const char *jobs = flag_or_env(o->jobs, "PGOPT_JOBS");
    const char *jobs_src = o->jobs ? "--jobs" : "PGOPT_JOBS";
    if (jobs) {
        if (parse_int(jobs, 0, 1, MAX_JOBS, &v) != 0)
            return bad_usage(rt, "%s: expected a number of jobs from 1 to %d, got '%s'", jobs_src,
                             MAX_JOBS, jobs);
        rt->jobs = (int)v;
    } else {
        rt->jobs = cpu_count();
        if (rt->jobs > MAX_JOBS)
            rt->jobs = MAX_JOBS;
    }

    const char *peer_jobs = flag_or_env(o->peer_jobs, "PGOPT_MAX_PEER_JOBS");
    if (peer_jobs) {
        if (parse_int(peer_jobs, 0, 1, MAX_JOBS, &v) != 0)
            return bad_usage(rt,
                             "--max-peer-jobs: expected a number of jobs from 1 to %d, got '%s'",
                             MAX_JOBS, peer_jobs);
        rt->max_peer_jobs = v >= rt->jobs ? 0 : (int)v;
    }
    return -1;
}

/* Parses the command line and the environment into rt and starts the log.
 * Returns -1 to go on, or an exit status: 0 after --help or --version, 2
 * (a one-line message printed) on bad usage. */
static int parse_options(runtime_t *rt, int argc, char **argv)
{
    cli_opts_t o = {0};
    rt->max_frame = DEFAULT_MAX_FRAME;
    rt->heartbeat_ms = DEFAULT_HEARTBEAT_MS;
    rt->cancel_grace_ms = DEFAULT_CANCEL_GRACE_MS;
    int rc = read_flags(rt, argc, argv, &o);
    if (rc == -1)
        rc = settle_endpoint_and_jobs(rt, &o);
    if (rc != -1)
        return rc;
    rt->curve_secret = flag_or_env(rt->curve_secret, "PGOPT_CURVE_SECRET");
    rt->curve_allow = flag_or_env(rt->curve_allow, "PGOPT_CURVE_ALLOW");
    /* A CURVE server without a checked allow-list accepts any client key. */
    if (rt->curve_secret && !rt->curve_allow)
        return bad_usage(rt, "--curve-secret needs --curve-allow: without an allow-list any "
                             "client key would be accepted");
    if (rt->curve_allow && !rt->curve_secret)
        return bad_usage(rt, "--curve-allow needs --curve-secret (this worker's key pair)");

    log_level_t lvl = LOG_INFO;
    if (o.level) {
        if (log_level_parse(o.level, &lvl) != 0)
            return bad_usage(rt, "--log-level: expected debug, info, warn, error or off, got '%s'",
                             o.level);
        /* log_init() lets PGOPT_LOG_LEVEL win; an explicit flag should win. */
        setenv("PGOPT_LOG_LEVEL", o.level, 1);
    }
    char component[64];
    snprintf(component, sizeof component, "worker/%s", rt->def->agent);
    log_init(component, lvl);
    return -1;
}

/* ---- lifecycle ------------------------------------------------------------ */

/* Creates the ZeroMQ context and ROUTER socket, sets it up (with CURVE keys
 * and the ZAP handler when configured) and binds the endpoint. Returns 0, or
 * -1 after printing the error to stderr. */
static int open_socket(runtime_t *rt)
{
    err_t err = {{0}};
    rt->zctx = zmq_ctx_new();
    if (!rt->zctx) {
        fprintf(stderr, "%s: cannot create a ZeroMQ context: %s\n", rt->prog, zmq_strerror(errno));
        return -1;
    }
    rt->sock = zmq_socket(rt->zctx, ZMQ_ROUTER);
    if (!rt->sock) {
        fprintf(stderr, "%s: cannot create a ROUTER socket: %s\n", rt->prog, zmq_strerror(errno));
        return -1;
    }
    if (transport_setup_socket(rt->sock, rt->max_frame, rt->heartbeat_ms, &err) != 0) {
        fprintf(stderr, "%s: %s\n", rt->prog, err.msg);
        return -1;
    }
    if (rt->curve_secret) {
        /* Keys and the ZAP handler first: the socket must never be bound
         * without them, or the first clients would pass unchecked. */
        curve_keypair_t kp;
        curve_allow_t *allow = NULL;
        if (curve_keypair_load(rt->curve_secret, &kp, &err) != 0 ||
            !(allow = curve_allow_load(rt->curve_allow, &err))) {
            fprintf(stderr, "%s: CURVE: %s\n", rt->prog, err.msg);
            log_error("cannot load CURVE keys", "error=\"%s\"", err.msg);
            return -1;
        }
        int nkeys = curve_allow_count(allow);
        rt->zap = curve_zap_start(rt->zctx, allow, &err);
        int rc = rt->zap ? curve_setup_server(rt->sock, &kp, &err) : -1;
        memset(&kp, 0, sizeof kp);
        if (rc != 0) {
            fprintf(stderr, "%s: CURVE: %s\n", rt->prog, err.msg);
            return -1;
        }
        log_info("CURVE on", "allowed_keys=%d allow=\"%s\"", nkeys, rt->curve_allow);
    }
    if (zmq_bind(rt->sock, rt->endpoint) != 0) {
        int e = errno;
        fprintf(stderr, "%s: cannot bind %s: %s\n", rt->prog, rt->endpoint, zmq_strerror(e));
        log_error("cannot bind", "endpoint=\"%s\" error=\"%s\"", rt->endpoint, zmq_strerror(e));
        return -1;
    }
    return 0;
}

/* Closes the ROUTER socket, stops the ZAP handler and ends the ZeroMQ
 * context. */
static void close_socket(runtime_t *rt)
{
    if (rt->sock)
        zmq_close(rt->sock);
    rt->sock = NULL;
    curve_zap_stop(&rt->zap);
    if (rt->zctx)
        zmq_ctx_term(rt->zctx);
    rt->zctx = NULL;
}

/* Creates the non-blocking self-pipe through which signals and job threads
 * wake the main loop; -1 (message on stderr) when it cannot. */
static int open_pipe(runtime_t *rt)
{
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        fprintf(stderr, "%s: cannot create the wake-up pipe: %s\n", rt->prog, strerror(errno));
        return -1;
    }
    rt->pipe_r = fds[0];
    rt->pipe_w = fds[1];
    return 0;
}

/* Installs on_signal for SIGTERM, SIGINT and SIGHUP, waking wake_fd. */
static void install_signals(int wake_fd)
{
    signal_wake_fd = wake_fd;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* Puts the default handlers back (after the loop: a second signal then ends
 * the process). */
static void restore_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal_wake_fd = -1;
}

/* Leaves the main loop's state: answers what can still be answered, keeps
 * running threads' jobs alive, returns the number of jobs abandoned. */
static int finish_jobs(runtime_t *rt)
{
    int64_t now = clock_mono_ms();
    reap_finished(rt, now);
    reap_stuck(rt, now);
    while (rt->stuck) {
        job_ctx_t *job = rt->stuck;
        rt->stuck = job->next_abandoned;
        pthread_detach(job->runner->thread); /* retired already */
        job->next_abandoned = abandoned_jobs;
        abandoned_jobs = job;
    }
    int abandoned = 0;
    for (int i = 0; i < rt->jobs; i++) {
        job_ctx_t *job = rt->slots[i];
        if (!job)
            continue;
        if (!job->replied) {
            abandoned++;
            atomic_store(&job->cancelled, 1);
            job->replied = 1;
            rt->counters.cancelled++;
            reply_error(rt, job->ident, job->ident_len, job->id, MSG_ERR_SHUTDOWN,
                        "worker %s was stopped before the job finished", rt->worker_id);
            log_warn("job abandoned", "job=\"%s\" ms=%lld", ESC(job->id),
                     (long long)(now - job->received_at));
        }
        /* The thread may still be running (a hung agent): it keeps its job,
         * and its runner (retired, detached) stays allocated with it. */
        runner_retire(job->runner);
        pthread_detach(job->runner->thread);
        rt->runners[i] = NULL;
        job->next_abandoned = abandoned_jobs;
        abandoned_jobs = job;
        rt->slots[i] = NULL;
    }
    return abandoned;
}

/* Runtimes whose job threads were still running at exit: the threads use its
 * mutex and pipe, so it stays allocated (and reachable) until the process
 * ends. */
static runtime_t *abandoned_runtime;

/* Frees the runtime, unless job threads were abandoned at exit: they may
 * still read it, so it is left for the process exit. */
static void runtime_free(runtime_t *rt)
{
    close_socket(rt);
    if (abandoned_jobs) {
        abandoned_runtime = rt;
        return;
    }
    if (rt->pipe_r >= 0)
        close(rt->pipe_r);
    if (rt->pipe_w >= 0)
        close(rt->pipe_w);
    pthread_mutex_destroy(&rt->lock);
    free(rt->slots);
    free(rt->runners);
    free(rt);
}

/* Graceful stop: give libzmq this long to flush the last replies; a forced
 * stop allows only a moment for the courtesy ERRORs. */
#define LINGER_GRACEFUL_MS 2000
#define LINGER_FORCED_MS   100

int worker_main(int argc, char **argv, const agent_def_t *def)
{
    runtime_t *rt = xcalloc(1, sizeof *rt);
    rt->def = def;
    rt->pipe_r = rt->pipe_w = -1;
    pthread_mutex_init(&rt->lock, NULL);
    const char *slash = argc > 0 && argv[0] ? strrchr(argv[0], '/') : NULL;
    rt->prog = slash ? slash + 1 : (argc > 0 && argv[0] ? argv[0] : def->executable);

    int status = parse_options(rt, argc, argv);
    if (status >= 0) {
        runtime_free(rt);
        return status;
    }

    char host[256] = "unknown";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    char pid[24];
    snprintf(pid, sizeof pid, ":%d", (int)getpid());
    /* Keep the pid even when a long host name has to be cut. */
    int room = (int)(sizeof rt->worker_id - 1 - strlen(pid));
    snprintf(rt->worker_id, sizeof rt->worker_id, "%.*s%s", room, host, pid);

    /* jansson seeds its hash function lazily; do it before there are threads. */
    json_object_seed(0);
    /* No fastbins: a decoded snapshot is millions of small blocks, and with
     * fastbins glibc parks each freed one and later merges them all in
     * malloc_consolidate(), walking the heap out of order: freeing the
     * 23 MB benchmark snapshot took 1.05 s that way and 0.26 s without
     * (bench/RESULTS-fleet.md). Small blocks still go through the
     * per-thread cache. */
    mallopt(M_MXFAST, 0);

    rt->slots = xcalloc((size_t)rt->jobs, sizeof *rt->slots);
    rt->runners = xcalloc((size_t)rt->jobs, sizeof *rt->runners);
    if (open_pipe(rt) != 0 || open_socket(rt) != 0) {
        runtime_free(rt);
        return 1;
    }
    signal_count = 0;
    hup_count = 0;
    hups_seen = 0;
    rt->started_at = clock_mono_ms();
    install_signals(rt->pipe_w);

    char bound[1024];
    size_t bound_len = sizeof bound;
    if (zmq_getsockopt(rt->sock, ZMQ_LAST_ENDPOINT, bound, &bound_len) != 0)
        snprintf(bound, sizeof bound, "%s", rt->endpoint);
    log_info("worker started",
             "agent=%s endpoint=\"%s\" worker=\"%s\" jobs=%d max_peer_jobs=%d max_frame=%lld "
             "heartbeat_ms=%d cancel_grace_ms=%lld curve=%s protocol=%d.%d version=%s",
             def->agent, bound, rt->worker_id, rt->jobs,
             rt->max_peer_jobs > 0 ? rt->max_peer_jobs : rt->jobs, (long long)rt->max_frame,
             rt->heartbeat_ms, (long long)rt->cancel_grace_ms, rt->zap ? "on" : "off",
             PROTO_VERSION_MAJOR, PROTO_VERSION_MINOR, PGOPT_VERSION);

    int forced = 0;
    for (;;) {
        handle_signals(rt);
        if (rt->signals_seen >= 2) {
            forced = 1;
            break;
        }
        int64_t now = clock_mono_ms();
        reap_finished(rt, now);
        reap_stuck(rt, now);
        check_timers(rt, now);
        if (rt->shutting_down && all_replied(rt))
            break;
        zmq_pollitem_t items[2] = {
            {rt->sock, 0, ZMQ_POLLIN, 0},
            {NULL, rt->pipe_r, ZMQ_POLLIN, 0},
        };
        int n = zmq_poll(items, 2, poll_timeout(rt, now));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            log_error("zmq_poll failed", "error=\"%s\"", zmq_strerror(errno));
            forced = 1;
            break;
        }
        if (items[1].revents & ZMQ_POLLIN)
            drain_pipe(rt->pipe_r);
        if (items[0].revents & ZMQ_POLLIN)
            serve_messages(rt);
    }

    int abandoned = finish_jobs(rt);
    stop_runners(rt);
    worker_counters_t *k = &rt->counters;
    log_info(forced ? "worker stopped at once" : "worker stopped",
             "received=%llu served=%llu failed=%llu cancelled=%llu busy=%llu peer_busy=%llu "
             "refused=%llu auth_accepted=%llu auth_refused=%llu abandoned=%d stuck=%llu "
             "total_ms=%lld max_ms=%lld",
             (unsigned long long)k->received, (unsigned long long)k->served,
             (unsigned long long)k->failed, (unsigned long long)k->cancelled,
             (unsigned long long)k->busy, (unsigned long long)k->peer_busy,
             (unsigned long long)k->refused, (unsigned long long)curve_zap_accepted(rt->zap),
             (unsigned long long)curve_zap_refused(rt->zap), abandoned,
             (unsigned long long)k->stuck, (long long)k->total_ms, (long long)k->max_ms);
    /* LINGER was 0 while serving (a dead peer must never block us); now the
     * replies just queued must actually leave before the socket closes. */
    int linger = forced ? LINGER_FORCED_MS : LINGER_GRACEFUL_MS;
    zmq_setsockopt(rt->sock, ZMQ_LINGER, &linger, sizeof linger);
    restore_signals();
    runtime_free(rt);
    return abandoned > 0 ? 1 : 0;
}
