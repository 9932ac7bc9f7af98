/*
 * test_runtime.c - the worker runtime (workers/runtime) seen from outside:
 * real pgopt-test-worker processes on private ipc:// endpoints, driven by a
 * raw DEALER socket speaking the protocol through proto/transport.h.
 *
 * Each cmocka test is registered as its own ctest (runtime_<name>; the test
 * name is the first argument). Every process a test starts is killed in the
 * teardown, which cmocka runs even when the test failed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "common/clock.h"
#include "proto/codec.h"
#include "proto/message.h"
#include "proto/transport.h"

extern char **environ;

#define MAX_WORKERS      4
#define START_TIMEOUT_MS 15000 /* ASan builds start slowly on a busy machine */

typedef struct {
    pid_t pid;
    int reaped;
    int status;
    char endpoint[160];
    void *dealer;
} worker_t;

typedef struct {
    char dir[64];
    void *zctx;
    worker_t workers[MAX_WORKERS];
    int nworkers;
    void *extra_socks[4];
    int nextra;
} fixture_t;

typedef struct {
    const char *behaviour; /* PGOPT_TEST_BEHAVIOUR, NULL = unset */
    const char *agent;     /* PGOPT_TEST_AGENT, NULL = unset */
    const char *exe;       /* path to run (default: $PGOPT_BIN_DIR/pgopt-test-worker) */
    const char *env_extra; /* one more NAME=value, or NULL */
    int jobs;              /* --jobs N when > 0 */
    const char *opt;       /* one more option and its value, or NULL */
    const char *opt_value;
    int no_ping;          /* do not wait for a PONG after starting */
    const char *log_path; /* the worker's stdout+stderr, else inherited */
} spawn_opts_t;

/* ---- small helpers -------------------------------------------------------- */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static const char *bin_dir(void)
{
    const char *d = getenv("PGOPT_BIN_DIR");
    if (!d || !*d)
        fail_msg("PGOPT_BIN_DIR is not set (run through ctest)");
    return d;
}

static void worker_exe(char *buf, size_t len)
{
    snprintf(buf, len, "%s/pgopt-test-worker", bin_dir());
}

/* environ without the variables the tests control, plus the given ones. */
static char **make_env(const char *const *add)
{
    size_t n = 0;
    while (environ[n])
        n++;
    size_t nadd = 0;
    while (add[nadd])
        nadd++;
    char **env = calloc(n + nadd + 1, sizeof *env);
    assert_non_null(env);
    size_t k = 0;
    static const char *const controlled[] = {"PGOPT_TEST_AGENT=", "PGOPT_TEST_BEHAVIOUR=",
                                             "PGOPT_BIND=", "PGOPT_JOBS=", "PGOPT_LOG_LEVEL="};
    for (size_t i = 0; i < n; i++) {
        int skip = 0;
        for (size_t c = 0; c < sizeof controlled / sizeof controlled[0]; c++)
            skip |= strncmp(environ[i], controlled[c], strlen(controlled[c])) == 0;
        if (!skip)
            env[k++] = environ[i];
    }
    for (size_t i = 0; i < nadd; i++)
        env[k++] = (char *)add[i];
    env[k] = NULL;
    return env;
}

/* fork + execve; stdout/stderr go to out_path when given (else inherited, so
 * ctest --output-on-failure shows the worker's log). */
static pid_t start_process(char *const argv[], char **env, const char *out_path)
{
    int fd = -1;
    if (out_path) {
        fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
    }
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Only async-signal-safe calls between fork and exec. Should this
         * test process die without its teardown, the worker dies too. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        execve(argv[0], argv, env);
        _exit(127);
    }
    if (fd >= 0)
        close(fd);
    return pid;
}

/* Waits up to timeout_ms for pid to exit; returns 1 with *status, or 0. */
static int wait_exit(pid_t pid, int timeout_ms, int *status)
{
    int64_t end = clock_mono_ms() + timeout_ms;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (clock_mono_ms() >= end)
            return 0;
        sleep_ms(10);
    }
}

static void worker_reap(worker_t *w, int timeout_ms)
{
    if (!w->reaped && wait_exit(w->pid, timeout_ms, &w->status))
        w->reaped = 1;
}

/* ---- messages ------------------------------------------------------------- */

static void send_hdr(void *sock, const msg_header_t *h, zmq_msg_t *body)
{
    err_t err = {{0}};
    if (transport_send(sock, NULL, 0, h, body, &err) != 0)
        fail_msg("send %s: %s", msg_type_name(h->type), err.msg);
}

static void send_ping_on(void *sock)
{
    msg_header_t h;
    msg_header_init(&h, MSG_PING);
    send_hdr(sock, &h, NULL);
}

static void send_ping(worker_t *w)
{
    msg_header_t h;
    msg_header_init(&h, MSG_PING);
    send_hdr(w->dealer, &h, NULL);
}

/* Receives one message within timeout_ms: 0 with *m filled, 1 on timeout.
 * A malformed reply fails the test. */
static int recv_msg(void *sock, int timeout_ms, transport_msg_t *m)
{
    int64_t end = clock_mono_ms() + timeout_ms;
    for (;;) {
        int64_t left = end - clock_mono_ms();
        if (left < 0)
            left = 0;
        zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
        int n = zmq_poll(&it, 1, (long)left);
        if (n < 0 && errno == EINTR)
            continue;
        assert_true(n >= 0);
        if (n == 0)
            return 1;
        err_t err = {{0}};
        int rc = transport_recv(sock, 0, m, &err);
        if (rc == 1)
            continue;
        if (rc < 0)
            fail_msg("malformed reply from the worker: %s", err.msg);
        return 0;
    }
}

typedef struct {
    const char *job;     /* the job whose PROGRESS is expected */
    int64_t progress_ms; /* the JOB's progress_ms */
    int count;
    int64_t last_seq;
    int64_t last_elapsed;
    char last_stage[65];
    int64_t last_done;
    int64_t last_total;
    int saw_stage_slow;
} progress_log_t;

/* Checks a PROGRESS for job and records it: seq strictly increases, and the
 * sender-side elapsed_ms of consecutive beats are at least progress_ms
 * apart (the runtime's rate limit). */
static void note_progress(progress_log_t *p, const msg_header_t *h)
{
    assert_string_equal(h->job, p->job);
    if (p->count > 0) {
        assert_true(h->seq > p->last_seq);
        assert_true(h->elapsed_ms - p->last_elapsed >= p->progress_ms);
    }
    if (h->total > 0)
        assert_true(h->done <= h->total);
    p->count++;
    p->last_seq = h->seq;
    p->last_elapsed = h->elapsed_ms;
    p->last_done = h->done;
    p->last_total = h->total;
    snprintf(p->last_stage, sizeof p->last_stage, "%s", h->stage);
    if (strcmp(h->stage, "slow") == 0)
        p->saw_stage_slow = 1;
}

/* Receives until a message of type want arrives; PROGRESS on the way is
 * checked and logged in p (when p is given), anything else fails. */
/* The next message on sock must be of type want. */
static void expect_msg_on(void *sock, msg_type_t want, int timeout_ms, transport_msg_t *m)
{
    if (recv_msg(sock, timeout_ms, m) != 0)
        fail_msg("no %s within %d ms", msg_type_name(want), timeout_ms);
    if (m->hdr.type != want)
        fail_msg("expected %s, got %s", msg_type_name(want), msg_type_name(m->hdr.type));
}

static void expect_msg(worker_t *w, msg_type_t want, int timeout_ms, transport_msg_t *m,
                       progress_log_t *p)
{
    int64_t end = clock_mono_ms() + timeout_ms;
    for (;;) {
        int64_t left = end - clock_mono_ms();
        if (left < 0 || recv_msg(w->dealer, (int)left, m) != 0)
            fail_msg("no %s within %d ms", msg_type_name(want), timeout_ms);
        if (m->hdr.type == want)
            return;
        if (m->hdr.type == MSG_PROGRESS && p) {
            note_progress(p, &m->hdr);
            transport_msg_close(m);
            continue;
        }
        fail_msg("expected %s, got %s (code=%s message=%s job=%s)", msg_type_name(want),
                 msg_type_name(m->hdr.type), m->hdr.code, m->hdr.message, m->hdr.job);
    }
}

static void expect_error(worker_t *w, const char *code, const char *job, int timeout_ms,
                         transport_msg_t *m, progress_log_t *p)
{
    expect_msg(w, MSG_ERROR, timeout_ms, m, p);
    if (strcmp(m->hdr.code, code) != 0)
        fail_msg("expected ERROR %s, got ERROR %s: %s", code, m->hdr.code, m->hdr.message);
    if (job)
        assert_string_equal(m->hdr.job, job);
    assert_true(m->hdr.message[0] != '\0');
}

static json_t *test_snapshot(void)
{
    json_t *snap =
        json_pack("{s:{s:i, s:s, s:s, s:s}, s:[{s:I, s:s, s:I, s:f}, {s:I, s:s, s:I, s:f}], s:[]}",
                  "meta", "format_version", 1, "collected_at", "2024-05-01T10:00:00Z", "collector",
                  "file", "database", "shop", "statements", "queryid", (json_int_t)101, "query",
                  "SELECT * FROM orders WHERE id = $1", "calls", (json_int_t)12, "total_exec_time",
                  3.5, "queryid", (json_int_t)102, "query", "SELECT count(*) FROM items", "calls",
                  (json_int_t)3, "total_exec_time", 120.25, "tables");
    assert_non_null(snap);
    return snap;
}

static void body_from_json(zmq_msg_t *body, const json_t *doc)
{
    char *buf = NULL;
    size_t len = 0;
    err_t err = {{0}};
    if (codec_encode(doc, &buf, &len, &err) != 0)
        fail_msg("encode: %s", err.msg);
    assert_int_equal(transport_body_from_buffer(body, buf, len, &err), 0);
}

static void send_job_body(worker_t *w, const char *job, const char *agent, int64_t deadline_ms,
                          int64_t progress_ms, zmq_msg_t *body)
{
    msg_header_t h;
    msg_header_init(&h, MSG_JOB);
    snprintf(h.job, sizeof h.job, "%s", job);
    snprintf(h.agent, sizeof h.agent, "%s", agent);
    h.deadline_ms = deadline_ms;
    h.progress_ms = progress_ms;
    send_hdr(w->dealer, &h, body);
}

static void send_job(worker_t *w, const char *job, const char *agent, int64_t deadline_ms,
                     int64_t progress_ms)
{
    json_t *snap = test_snapshot();
    zmq_msg_t body;
    body_from_json(&body, snap);
    json_decref(snap);
    send_job_body(w, job, agent, deadline_ms, progress_ms, &body);
    zmq_msg_close(&body);
}

static void send_cancel(void *sock, const char *job)
{
    msg_header_t h;
    msg_header_init(&h, MSG_CANCEL);
    snprintf(h.job, sizeof h.job, "%s", job);
    send_hdr(sock, &h, NULL);
}

/* Sends raw frames (NULL-terminated list of {data,len}). */
static void send_raw(void *sock, const void *f1, size_t l1, const void *f2, size_t l2)
{
    assert_true(zmq_send(sock, f1, l1, f2 ? ZMQ_SNDMORE : 0) >= 0);
    if (f2)
        assert_true(zmq_send(sock, f2, l2, 0) >= 0);
}

static void encode_hdr(const msg_header_t *h, char **buf, size_t *len)
{
    err_t err = {{0}};
    if (msg_header_encode(h, buf, len, &err) != 0)
        fail_msg("encode header: %s", err.msg);
}

static void expect_pong(worker_t *w, transport_msg_t *m, int timeout_ms)
{
    send_ping(w);
    expect_msg(w, MSG_PONG, timeout_ms, m, NULL);
}

/* Polls PING until load reaches want (within timeout_ms). */
static void wait_load(worker_t *w, int64_t want, int timeout_ms, const char *job)
{
    int64_t end = clock_mono_ms() + timeout_ms;
    progress_log_t p = {.job = job, .progress_ms = 100};
    for (;;) {
        transport_msg_t m;
        send_ping(w);
        expect_msg(w, MSG_PONG, 2000, &m, job ? &p : NULL);
        int64_t load = m.hdr.load;
        transport_msg_close(&m);
        if (load == want)
            return;
        if (clock_mono_ms() > end)
            fail_msg("load stayed %lld, expected %lld", (long long)load, (long long)want);
        sleep_ms(20);
    }
}

/* ---- fixture -------------------------------------------------------------- */

static int setup(void **state)
{
    fixture_t *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    /* /tmp, not $TMPDIR: ipc:// paths must stay under ~107 bytes. */
    snprintf(fx->dir, sizeof fx->dir, "/tmp/pgopt-rt-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    fx->zctx = zmq_ctx_new();
    assert_non_null(fx->zctx);
    *state = fx;
    return 0;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    fixture_t *fx = *state;
    for (int i = 0; i < fx->nworkers; i++) {
        worker_t *w = &fx->workers[i];
        if (w->pid > 0 && !w->reaped) {
            kill(w->pid, SIGKILL);
            waitpid(w->pid, &w->status, 0);
            w->reaped = 1;
        }
        if (w->dealer)
            zmq_close(w->dealer);
    }
    for (int i = 0; i < fx->nextra; i++)
        zmq_close(fx->extra_socks[i]);
    zmq_ctx_term(fx->zctx);
    remove_tree(fx->dir);
    free(fx);
    return 0;
}

static void *new_dealer(fixture_t *fx, const char *endpoint)
{
    void *s = zmq_socket(fx->zctx, ZMQ_DEALER);
    assert_non_null(s);
    err_t err = {{0}};
    assert_int_equal(transport_setup_socket(s, 0, 0, &err), 0);
    assert_int_equal(zmq_connect(s, endpoint), 0);
    return s;
}

static worker_t *spawn_worker(fixture_t *fx, const spawn_opts_t *o)
{
    assert_true(fx->nworkers < MAX_WORKERS);
    worker_t *w = &fx->workers[fx->nworkers];
    char endpoint[sizeof w->endpoint];
    snprintf(endpoint, sizeof endpoint, "ipc://%s/w%d.sock", fx->dir, fx->nworkers);
    memcpy(w->endpoint, endpoint, sizeof endpoint);

    char exe[512];
    if (o->exe)
        snprintf(exe, sizeof exe, "%s", o->exe);
    else
        worker_exe(exe, sizeof exe);
    char jobs[16];
    snprintf(jobs, sizeof jobs, "%d", o->jobs);
    char *argv[14];
    int a = 0;
    argv[a++] = exe;
    argv[a++] = "--bind";
    argv[a++] = w->endpoint;
    argv[a++] = "--heartbeat-ms";
    argv[a++] = "500";
    if (o->jobs > 0) {
        argv[a++] = "--jobs";
        argv[a++] = jobs;
    }
    if (o->opt) {
        argv[a++] = (char *)o->opt;
        argv[a++] = (char *)o->opt_value;
    }
    argv[a] = NULL;

    char behaviour[128], agent[128];
    const char *add[5];
    int k = 0;
    add[k++] = "PGOPT_LOG_LEVEL=debug";
    if (o->behaviour) {
        snprintf(behaviour, sizeof behaviour, "PGOPT_TEST_BEHAVIOUR=%s", o->behaviour);
        add[k++] = behaviour;
    }
    if (o->agent) {
        snprintf(agent, sizeof agent, "PGOPT_TEST_AGENT=%s", o->agent);
        add[k++] = agent;
    }
    if (o->env_extra)
        add[k++] = o->env_extra;
    add[k] = NULL;
    char **env = make_env(add);
    w->pid = start_process(argv, env, o->log_path);
    free(env);
    fx->nworkers++;

    w->dealer = new_dealer(fx, w->endpoint);
    if (!o->no_ping) {
        /* The DEALER queues the PING until the worker has bound and accepted. */
        transport_msg_t m;
        send_ping(w);
        if (recv_msg(w->dealer, START_TIMEOUT_MS, &m) != 0)
            fail_msg("worker %s did not answer PING within %d ms", w->endpoint, START_TIMEOUT_MS);
        assert_int_equal(m.hdr.type, MSG_PONG);
        transport_msg_close(&m);
    }
    return w;
}

static worker_t *spawn_simple(fixture_t *fx, const char *behaviour, int jobs)
{
    spawn_opts_t o = {.behaviour = behaviour, .agent = "index_advisor", .jobs = jobs};
    return spawn_worker(fx, &o);
}

/* A two-slot index_advisor worker whose log goes to a file (path in buf),
 * for tests that wait for one of its log lines. */
static worker_t *spawn_logged(fixture_t *fx, const char *behaviour, char *buf, size_t len)
{
    snprintf(buf, len, "%s/w%d.log", fx->dir, fx->nworkers);
    spawn_opts_t o = {.behaviour = behaviour, .agent = "index_advisor", .jobs = 2, .log_path = buf};
    return spawn_worker(fx, &o);
}

/* Waits (10 s at most) for a line of a worker's log: the event a test
 * synchronises on, instead of a sleep that guesses how long it takes. */
static void wait_log(const char *path, const char *text)
{
    int64_t end = clock_mono_ms() + 10000;
    for (;;) {
        FILE *f = fopen(path, "r");
        char buf[65536];
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        if (strstr(buf, text))
            return;
        if (clock_mono_ms() > end)
            fail_msg("no \"%s\" in %s within 10 s:\n%s", text, path, buf);
        sleep_ms(10);
    }
}

/* Runs a worker executable to completion with stdout+stderr captured. */
static int run_capture(fixture_t *fx, char *const argv[], const char *const *add, char *out,
                       size_t outlen)
{
    char path[256];
    snprintf(path, sizeof path, "%s/out.txt", fx->dir);
    char **env = make_env(add);
    pid_t pid = start_process(argv, env, path);
    free(env);
    int status = 0;
    if (!wait_exit(pid, 20000, &status)) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("%s did not exit within 20 s", argv[0]);
    }
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(out, 1, outlen - 1, f);
    out[n] = '\0';
    fclose(f);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (!strstr(haystack, needle))
        fail_msg("expected to find \"%s\" in:\n%s", needle, haystack);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_ping(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "ok", 3);
    transport_msg_t m;
    expect_pong(w, &m, 2000);
    assert_int_equal(m.hdr.v_major, PROTO_VERSION_MAJOR);
    assert_string_equal(m.hdr.agent, "index_advisor");
    char host[256] = "";
    gethostname(host, sizeof host);
    char want[400];
    snprintf(want, sizeof want, "%s:%d", host, (int)w->pid);
    assert_string_equal(m.hdr.worker, want);
    assert_int_equal(m.hdr.load, 0);
    assert_int_equal(m.hdr.capacity, 3);
    assert_int_equal(m.hdr.served, 0);
    transport_msg_close(&m);

    /* served counts RESULTs. */
    send_job(w, "r1.index_advisor.1", "index_advisor", 10000, 100);
    expect_msg(w, MSG_RESULT, 10000, &m,
               &(progress_log_t){.job = "r1.index_advisor.1", .progress_ms = 100});
    transport_msg_close(&m);
    expect_pong(w, &m, 2000);
    assert_int_equal(m.hdr.served, 1);
    assert_int_equal(m.hdr.load, 0);
    transport_msg_close(&m);

    /* PGOPT_JOBS sets the pool size when --jobs is absent. */
    spawn_opts_t o = {.behaviour = "ok", .agent = "ai_tuning", .env_extra = "PGOPT_JOBS=2"};
    worker_t *w2 = spawn_worker(fx, &o);
    expect_pong(w2, &m, 2000);
    assert_string_equal(m.hdr.agent, "ai_tuning");
    assert_int_equal(m.hdr.capacity, 2);
    transport_msg_close(&m);
}

static void test_job_result(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "ok", 2);
    const char *job = "run7.index_advisor.1";
    send_job(w, job, "index_advisor", 10000, 100);
    progress_log_t p = {.job = job, .progress_ms = 100};
    transport_msg_t m;
    /* The first PROGRESS is the runtime's own "start" beat, sent on accept. */
    expect_msg(w, MSG_PROGRESS, 5000, &m, NULL);
    assert_string_equal(m.hdr.job, job);
    assert_int_equal(m.hdr.seq, 1);
    assert_string_equal(m.hdr.stage, "start");
    note_progress(&p, &m.hdr);
    transport_msg_close(&m);

    expect_msg(w, MSG_RESULT, 10000, &m, &p);
    assert_string_equal(m.hdr.job, job);
    assert_string_equal(m.hdr.agent, "index_advisor");
    char host[256] = "";
    gethostname(host, sizeof host);
    char want_worker[400];
    snprintf(want_worker, sizeof want_worker, "%s:%d", host, (int)w->pid);
    assert_string_equal(m.hdr.worker, want_worker);
    assert_true(m.hdr.elapsed_ms >= 0 && m.hdr.elapsed_ms < 10000);
    assert_true(m.has_body);

    json_t *res = NULL;
    err_t err = {{0}};
    if (codec_decode(zmq_msg_data(&m.body), zmq_msg_size(&m.body), &CODEC_LIMITS_DOCUMENT, &res,
                     &err) != 0)
        fail_msg("RESULT body: %s", err.msg);
    transport_msg_close(&m);
    assert_true(json_is_object(res));
    assert_string_equal(json_string_value(json_object_get(res, "phase")), "OPTIMIZE");
    assert_string_equal(json_string_value(json_object_get(res, "agent")), "index_advisor");
    assert_string_equal(json_string_value(json_object_get(res, "worker")), want_worker);
    assert_int_equal(json_integer_value(json_object_get(res, "statements")), 2);
    json_t *sections = json_object_get(res, "snapshot_sections");
    assert_int_equal(json_array_size(sections), 3);
    assert_string_equal(json_string_value(json_array_get(sections, 0)), "meta");
    assert_string_equal(json_string_value(json_array_get(sections, 1)), "statements");
    assert_string_equal(json_string_value(json_array_get(sections, 2)), "tables");
    json_decref(res);
}

static void test_progress(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "slow:700", 1);
    const char *job = "r.index_advisor.1";
    send_job(w, job, "index_advisor", 10000, 100);
    progress_log_t p = {.job = job, .progress_ms = 100};
    transport_msg_t m;
    expect_msg(w, MSG_RESULT, 10000, &m, &p);
    transport_msg_close(&m);
    /* 700 ms of beats every 50 ms, forwarded at most every 100 ms: the start
     * beat plus roughly one per 100 ms; allow for a loaded machine. */
    assert_true(p.count >= 4);
    assert_true(p.count <= 9);
    assert_true(p.saw_stage_slow);
    /* The last beat forwarded came from the loop: done of total ms. */
    assert_string_equal(p.last_stage, "slow");
    assert_int_equal(p.last_total, 700);
}

static void test_busy(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "slow:5000", 1);
    transport_msg_t m;
    send_job(w, "a.index_advisor.1", "index_advisor", 20000, 100);
    expect_msg(w, MSG_PROGRESS, 5000, &m, NULL);
    transport_msg_close(&m);

    progress_log_t p = {.job = "a.index_advisor.1", .progress_ms = 100};
    send_job(w, "b.index_advisor.1", "index_advisor", 20000, 100);
    expect_msg(w, MSG_BUSY, 2000, &m, &p);
    assert_string_equal(m.hdr.job, "b.index_advisor.1");
    assert_int_equal(m.hdr.load, 1);
    assert_int_equal(m.hdr.capacity, 1);
    transport_msg_close(&m);

    send_ping(w);
    expect_msg(w, MSG_PONG, 2000, &m, &p);
    assert_int_equal(m.hdr.load, 1);
    assert_int_equal(m.hdr.capacity, 1);
    transport_msg_close(&m);

    /* Free the slot: the next JOB is taken. */
    send_cancel(w->dealer, "a.index_advisor.1");
    expect_error(w, "cancelled", "a.index_advisor.1", 2000, &m, &p);
    transport_msg_close(&m);
    wait_load(w, 0, 2000, "a.index_advisor.1");
    send_job(w, "c.index_advisor.1", "index_advisor", 20000, 100);
    expect_msg(w, MSG_PROGRESS, 2000, &m, NULL);
    assert_string_equal(m.hdr.job, "c.index_advisor.1");
    transport_msg_close(&m);
}

static void test_agent_mismatch(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "ok", 1);
    transport_msg_t m;
    send_job(w, "x.config_tuner.1", "config_tuner", 10000, 100);
    expect_error(w, "agent_mismatch", "x.config_tuner.1", 2000, &m, NULL);
    assert_contains(m.hdr.message, "index_advisor");
    assert_contains(m.hdr.message, "config_tuner");
    transport_msg_close(&m);
    expect_pong(w, &m, 2000);
    assert_int_equal(m.hdr.load, 0);
    transport_msg_close(&m);
}

static void test_version(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "ok", 1);
    transport_msg_t m;

    msg_header_t h;
    msg_header_init(&h, MSG_PING);
    h.v_major = 2;
    send_hdr(w->dealer, &h, NULL);
    expect_error(w, "version", NULL, 2000, &m, NULL);
    assert_contains(m.hdr.message, "version 2 ");
    char speaks[32];
    snprintf(speaks, sizeof speaks, "version %d.%d", PROTO_VERSION_MAJOR, PROTO_VERSION_MINOR);
    assert_contains(m.hdr.message, speaks);
    transport_msg_close(&m);

    /* A v2 JOB is refused without looking at its body; the job id is echoed. */
    msg_header_init(&h, MSG_JOB);
    h.v_major = 2;
    snprintf(h.job, sizeof h.job, "v2.index_advisor.1");
    snprintf(h.agent, sizeof h.agent, "index_advisor");
    h.deadline_ms = 1000;
    h.progress_ms = 100;
    char *hbuf = NULL;
    size_t hlen = 0;
    encode_hdr(&h, &hbuf, &hlen);
    send_raw(w->dealer, hbuf, hlen, "\xc1 not a snapshot", 16);
    free(hbuf);
    expect_error(w, "version", "v2.index_advisor.1", 2000, &m, NULL);
    transport_msg_close(&m);

    expect_pong(w, &m, 2000);
    assert_int_equal(m.hdr.load, 0);
    transport_msg_close(&m);
}

static void test_malformed(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "ok", 1);
    transport_msg_t m;

    /* Garbage header bytes (0xc1 is never valid msgpack). */
    send_raw(w->dealer, "\xc1\xff\x00garbage", 10, NULL, 0);
    expect_error(w, "malformed", NULL, 2000, &m, NULL);
    transport_msg_close(&m);

    /* A header map without "v". */
    static const char no_v[] = "\x81\xa4type\xa4PING";
    send_raw(w->dealer, no_v, sizeof no_v - 1, NULL, 0);
    expect_error(w, "malformed", NULL, 2000, &m, NULL);
    assert_contains(m.hdr.message, "\"v\"");
    transport_msg_close(&m);

    /* A JOB without its body frame. */
    msg_header_t h;
    msg_header_init(&h, MSG_JOB);
    snprintf(h.job, sizeof h.job, "nobody.index_advisor.1");
    snprintf(h.agent, sizeof h.agent, "index_advisor");
    h.deadline_ms = 1000;
    h.progress_ms = 100;
    char *hbuf = NULL;
    size_t hlen = 0;
    encode_hdr(&h, &hbuf, &hlen);
    send_raw(w->dealer, hbuf, hlen, NULL, 0);
    free(hbuf);
    expect_error(w, "malformed", "nobody.index_advisor.1", 2000, &m, NULL);
    assert_contains(m.hdr.message, "body");
    transport_msg_close(&m);

    /* A PING with a stray second frame. */
    msg_header_init(&h, MSG_PING);
    encode_hdr(&h, &hbuf, &hlen);
    send_raw(w->dealer, hbuf, hlen, "x", 1);
    free(hbuf);
    expect_error(w, "malformed", NULL, 2000, &m, NULL);
    transport_msg_close(&m);

    /* A coordinator-only message type. */
    msg_header_init(&h, MSG_PONG);
    snprintf(h.agent, sizeof h.agent, "index_advisor");
    snprintf(h.worker, sizeof h.worker, "elsewhere:1");
    send_hdr(w->dealer, &h, NULL);
    expect_error(w, "unexpected", NULL, 2000, &m, NULL);
    transport_msg_close(&m);

    /* Still serving, and still able to run a job. */
    expect_pong(w, &m, 2000);
    assert_int_equal(m.hdr.load, 0);
    transport_msg_close(&m);
    send_job(w, "after.index_advisor.1", "index_advisor", 10000, 100);
    expect_msg(w, MSG_RESULT, 10000, &m,
               &(progress_log_t){.job = "after.index_advisor.1", .progress_ms = 100});
    transport_msg_close(&m);
}

/* xorshift64*: deterministic, so a failure reproduces. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static void test_garbage(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "ok", 2);
    transport_msg_t m;

    /* Valid headers of every kind, to be mutated. */
    static const msg_type_t types[] = {MSG_PING, MSG_JOB, MSG_CANCEL, MSG_PROGRESS, MSG_ERROR};
    char *seeds[5];
    size_t seed_len[5];
    for (int i = 0; i < 5; i++) {
        msg_header_t h;
        msg_header_init(&h, types[i]);
        snprintf(h.job, sizeof h.job, "g.index_advisor.%d", i);
        snprintf(h.agent, sizeof h.agent, "index_advisor");
        snprintf(h.stage, sizeof h.stage, "x");
        snprintf(h.code, sizeof h.code, "unexpected");
        snprintf(h.message, sizeof h.message, "m");
        h.deadline_ms = 1000;
        h.progress_ms = 100;
        encode_hdr(&h, &seeds[i], &seed_len[i]);
    }
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    int sent = 0;
    for (int n = 0; n < 3000; n++) {
        int k = (int)(rng_next(&rng) % 5);
        char frame[256];
        size_t len = seed_len[k];
        memcpy(frame, seeds[k], len);
        int mode = (int)(rng_next(&rng) % 4);
        if (mode == 0) { /* random bytes */
            len = rng_next(&rng) % 64;
            for (size_t i = 0; i < len; i++)
                frame[i] = (char)rng_next(&rng);
        } else if (mode == 1) { /* flip a few bytes */
            for (int f = 0; f < 1 + (int)(rng_next(&rng) % 3); f++)
                frame[rng_next(&rng) % len] = (char)rng_next(&rng);
        } else if (mode == 2) { /* truncate */
            len = rng_next(&rng) % len;
        } /* mode 3: valid header, maybe with a stray or missing body below */
        int frames = 1 + (int)(rng_next(&rng) % 3);
        if (frames == 1)
            send_raw(w->dealer, frame, len, NULL, 0);
        else
            send_raw(w->dealer, frame, len, "\x80", 1); /* body: an empty map */
        sent++;
        /* Drain replies as we go so no queue fills up. */
        while (recv_msg(w->dealer, 0, &m) == 0)
            transport_msg_close(&m);
    }
    for (int i = 0; i < 5; i++)
        free(seeds[i]);
    while (recv_msg(w->dealer, 300, &m) == 0)
        transport_msg_close(&m);
    assert_int_equal(sent, 3000);

    /* Alive, serving, and no slot leaked. */
    worker_reap(w, 0);
    assert_false(w->reaped);
    wait_load(w, 0, 5000, NULL);
    send_job(w, "final.index_advisor.1", "index_advisor", 10000, 100);
    expect_msg(w, MSG_RESULT, 10000, &m,
               &(progress_log_t){.job = "final.index_advisor.1", .progress_ms = 100});
    transport_msg_close(&m);
}

static void test_max_frame(void **state)
{
    fixture_t *fx = *state;
    spawn_opts_t o = {.behaviour = "ok",
                      .agent = "index_advisor",
                      .jobs = 1,
                      .opt = "--max-frame",
                      .opt_value = "64K"};
    worker_t *w = spawn_worker(fx, &o);
    transport_msg_t m;

    /* A body over the limit: libzmq drops the connection, the JOB never
     * reaches the runtime, and nothing is decoded or allocated for it. */
    json_t *big = test_snapshot();
    char *text = malloc(100000);
    assert_non_null(text);
    memset(text, 'x', 99999);
    text[99999] = '\0';
    json_object_set_new(big, "padding", json_string(text));
    free(text);
    zmq_msg_t body;
    body_from_json(&body, big);
    json_decref(big);
    send_job_body(w, "big.index_advisor.1", "index_advisor", 10000, 100, &body);
    zmq_msg_close(&body);
    assert_int_equal(recv_msg(w->dealer, 500, &m), 1);

    /* The worker still serves (the DEALER reconnects by itself), and a JOB
     * under the limit runs. */
    expect_pong(w, &m, 5000);
    assert_int_equal(m.hdr.load, 0);
    transport_msg_close(&m);
    send_job(w, "small.index_advisor.1", "index_advisor", 10000, 100);
    expect_msg(w, MSG_RESULT, 10000, &m,
               &(progress_log_t){.job = "small.index_advisor.1", .progress_ms = 100});
    transport_msg_close(&m);
}

static void test_snapshot_invalid(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "ok", 1);
    transport_msg_t m;
    progress_log_t p = {.job = "junk.index_advisor.1", .progress_ms = 100};

    /* A body that is not msgpack. */
    zmq_msg_t body;
    char *junk = malloc(8);
    assert_non_null(junk);
    memcpy(junk, "\xc1junk!!!", 8);
    assert_int_equal(transport_body_from_buffer(&body, junk, 8, NULL), 0);
    send_job_body(w, "junk.index_advisor.1", "index_advisor", 10000, 100, &body);
    zmq_msg_close(&body);
    expect_error(w, "snapshot_invalid", "junk.index_advisor.1", 5000, &m, &p);
    transport_msg_close(&m);

    /* Well-formed msgpack that is not a snapshot (no meta). */
    json_t *doc = json_pack("{s:[]}", "statements");
    body_from_json(&body, doc);
    json_decref(doc);
    p = (progress_log_t){.job = "nometa.index_advisor.1", .progress_ms = 100};
    send_job_body(w, "nometa.index_advisor.1", "index_advisor", 10000, 100, &body);
    zmq_msg_close(&body);
    expect_error(w, "snapshot_invalid", "nometa.index_advisor.1", 5000, &m, &p);
    assert_contains(m.hdr.message, "meta");
    transport_msg_close(&m);

    wait_load(w, 0, 2000, NULL);
}

static void test_agent_failed(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "fail", 1);
    transport_msg_t m;
    progress_log_t p = {.job = "f.index_advisor.1", .progress_ms = 100};
    send_job(w, "f.index_advisor.1", "index_advisor", 10000, 100);
    expect_error(w, "agent_failed", "f.index_advisor.1", 5000, &m, &p);
    assert_contains(m.hdr.message, "told to fail");
    transport_msg_close(&m);
    expect_pong(w, &m, 2000);
    assert_int_equal(m.hdr.served, 0);
    transport_msg_close(&m);
}

static void test_not_a_map(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "not-a-map", 1);
    transport_msg_t m;
    progress_log_t p = {.job = "nm.index_advisor.1", .progress_ms = 100};
    send_job(w, "nm.index_advisor.1", "index_advisor", 10000, 100);
    expect_error(w, "agent_failed", "nm.index_advisor.1", 5000, &m, &p);
    assert_string_equal(m.hdr.message,
                        "the agent returned a value of type array instead of a result map");
    transport_msg_close(&m);
    wait_load(w, 0, 2000, NULL);
}

/* A hostile coordinator: job ids, an agent name and an ERROR built to
 * forge log lines (newline + a fake "ts=... level=error" record), drive the
 * terminal (ESC, C1 CSI) and reorder text (a bidi override). The worker's
 * log keeps one record per line and shows them all escaped. */
static void test_hostile_peer_strings(void **state)
{
    fixture_t *fx = *state;
    char log_path[128];
    snprintf(log_path, sizeof log_path, "%s/hostile.log", fx->dir);
    spawn_opts_t o = {
        .behaviour = "fail", .agent = "index_advisor", .jobs = 1, .log_path = log_path};
    worker_t *w = spawn_worker(fx, &o);
    const char *forged = "x\nts=2026-01-01T00:00:00.000Z level=error msg=\"forged\"";
    const char *job = "j\x1b]0;owned\x07\xc2\x9b"
                      "2J\xe2\x80\xae\"1";
    transport_msg_t m;
    progress_log_t p = {.job = job, .progress_ms = 100};
    send_job(w, job, "index_advisor", 10000, 100);
    expect_error(w, "agent_failed", job, 5000, &m, &p);
    transport_msg_close(&m);
    send_job(w, forged, "index\nadvisor", 10000, 100);
    expect_error(w, "agent_mismatch", forged, 5000, &m, NULL);
    transport_msg_close(&m);
    msg_header_t h;
    msg_header_init(&h, MSG_ERROR);
    snprintf(h.job, sizeof h.job, "%s", forged);
    snprintf(h.code, sizeof h.code, "c\r\x1b[1A");
    snprintf(h.message, sizeof h.message, "m\n\x1b[31mred\xe2\x81\xa6");
    send_hdr(w->dealer, &h, NULL);
    /* The ERROR has no answer: a PING after it orders the log. */
    expect_pong(w, &m, 2000);
    transport_msg_close(&m);
    kill(w->pid, SIGTERM);
    worker_reap(w, 10000);
    assert_true(w->reaped);

    FILE *f = fopen(log_path, "r");
    assert_non_null(f);
    char log[65536];
    size_t n = fread(log, 1, sizeof log - 1, f);
    fclose(f);
    log[n] = '\0';
    for (const char *line = log; *line;) {
        if (strncmp(line, "ts=", 3) != 0)
            fail_msg("a log line does not start with ts=:\n%s", log);
        if (strncmp(line, "ts=2026-01-01", 13) == 0)
            fail_msg("forged log line:\n%s", log);
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : line + strlen(line);
    }
    assert_null(strchr(log, '\x1b'));
    assert_null(strchr(log, '\r'));
    assert_null(strchr(log, '\x07'));
    assert_null(strstr(log, "\xc2\x9b"));
    assert_null(strstr(log, "\xe2\x80\xae"));
    assert_null(strstr(log, "\xe2\x81\xa6"));
    /* ... and each one is there, escaped */
    assert_contains(log, "job=\"j\\x1b]0;owned\\x07\\u009b2J\\u202e\\\"1\"");
    assert_contains(log, "job=\"x\\nts=2026-01-01T00:00:00.000Z level=error msg=\\\"forged\\\"\"");
    assert_contains(log, "agent=\"index\\nadvisor\"");
    assert_contains(log, "code=\"c\\r\\x1b[1A\"");
    assert_contains(log, "error=\"m\\n\\x1b[31mred\\u2066\"");
}

static void test_cancel(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "slow:10000", 2);
    const char *job = "c.index_advisor.1";
    transport_msg_t m;
    progress_log_t p = {.job = job, .progress_ms = 100};
    send_job(w, job, "index_advisor", 30000, 100);
    expect_msg(w, MSG_PROGRESS, 5000, &m, NULL);
    note_progress(&p, &m.hdr);
    transport_msg_close(&m);

    /* Another coordinator (another identity) cannot cancel it. */
    void *other = new_dealer(fx, w->endpoint);
    fx->extra_socks[fx->nextra++] = other;
    send_cancel(other, job);
    /* A PING on the same connection is handled after the CANCEL: its PONG
     * says the CANCEL has been dealt with. */
    send_ping_on(other);
    expect_msg_on(other, MSG_PONG, 2000, &m);
    transport_msg_close(&m);
    /* An unknown job id is ignored: no reply at all. */
    send_cancel(w->dealer, "nosuch.index_advisor.1");
    send_ping(w);
    expect_msg(w, MSG_PONG, 2000, &m, &p);
    assert_int_equal(m.hdr.load, 1);
    transport_msg_close(&m);
    assert_int_equal(recv_msg(other, 100, &m), 1);

    int64_t t0 = clock_mono_ms();
    send_cancel(w->dealer, job);
    expect_error(w, "cancelled", job, 2000, &m, &p);
    assert_string_equal(m.hdr.message, "cancelled by coordinator");
    transport_msg_close(&m);
    assert_true(clock_mono_ms() - t0 < 1000);
    /* The slot frees once the job loop sees job_progress() == 1 (50 ms). */
    wait_load(w, 0, 2000, NULL);
    /* Nothing more about that job: no RESULT, no second ERROR. */
    assert_int_equal(recv_msg(w->dealer, 300, &m), 1);
}

static void test_deadline(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "slow:10000", 1);
    const char *job = "d.index_advisor.1";
    transport_msg_t m;
    progress_log_t p = {.job = job, .progress_ms = 100};
    int64_t t0 = clock_mono_ms();
    send_job(w, job, "index_advisor", 400, 100);
    expect_error(w, "cancelled", job, 5000, &m, &p);
    int64_t took = clock_mono_ms() - t0;
    assert_string_equal(m.hdr.message, "deadline of 400 ms passed");
    transport_msg_close(&m);
    /* Counted from receipt, which is after t0: never early, and on time. */
    if (took < 400 || took > 1000)
        fail_msg("ERROR cancelled after %lld ms for a 400 ms deadline", (long long)took);
    assert_true(p.count >= 2);
    wait_load(w, 0, 2000, NULL);
}

/* Peer-supplied durations at their extremes (issue 13 item 6). A
 * deadline_ms of 2^63-1 overflowed "now + deadline" into the past, so the
 * job was cancelled at once (and UBSan aborted); a progress_ms of 2^63-1
 * made every PROGRESS check due at once, so the main loop spun. Now the
 * deadline saturates (the job runs to its RESULT) and the beat interval is
 * clamped to 10..60000 ms. */
static void test_extreme_durations(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "slow:1000", 2);
    transport_msg_t m;
    progress_log_t p = {.job = "x1.index_advisor.1", .progress_ms = 100};
    send_job(w, p.job, "index_advisor", INT64_MAX, 100);
    expect_msg(w, MSG_RESULT, 10000, &m, &p);
    assert_string_equal(m.hdr.job, p.job);
    transport_msg_close(&m);
    assert_true(p.count >= 2); /* the start beat and the slow loop's beats */

    /* progress_ms clamped to 60 s: within a 400 ms deadline only the start
     * beat goes out, where the overflow sent one on every 50 ms beat. */
    progress_log_t q = {.job = "x2.index_advisor.1", .progress_ms = 0};
    send_job(w, q.job, "index_advisor", 400, INT64_MAX);
    expect_error(w, "cancelled", q.job, 5000, &m, &q);
    assert_string_equal(m.hdr.message, "deadline of 400 ms passed");
    transport_msg_close(&m);
    if (q.count > 2)
        fail_msg("%d PROGRESS messages for a job whose progress_ms was 2^63-1", q.count);

    /* 1 ms is raised to 10 ms: beats at least 10 ms apart (note_progress
     * checks the spacing). */
    progress_log_t r = {.job = "x3.index_advisor.1", .progress_ms = 10};
    send_job(w, r.job, "index_advisor", 10000, 1);
    expect_msg(w, MSG_RESULT, 10000, &m, &r);
    transport_msg_close(&m);
    wait_load(w, 0, 2000, NULL);
}

static void test_hang(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "hang", 2);
    const char *job = "h.index_advisor.1";
    transport_msg_t m;
    progress_log_t p = {.job = job, .progress_ms = 100};
    send_job(w, job, "index_advisor", 0, 100);
    /* The beats there are: start (1), decode (2), the agent's one beat (3). */
    int64_t end = clock_mono_ms() + 700;
    while (clock_mono_ms() < end) {
        if (recv_msg(w->dealer, (int)(end - clock_mono_ms()), &m) != 0)
            break;
        assert_int_equal(m.hdr.type, MSG_PROGRESS);
        note_progress(&p, &m.hdr);
        transport_msg_close(&m);
    }
    assert_true(p.count >= 1);
    assert_int_equal(p.last_seq, 3);
    assert_string_equal(p.last_stage, "hang");

    /* Then silence for well over a second, while the process still answers. */
    int pongs = 0;
    end = clock_mono_ms() + 1500;
    while (clock_mono_ms() < end) {
        send_ping(w);
        if (recv_msg(w->dealer, 2000, &m) != 0)
            fail_msg("no PONG from a worker whose job hangs");
        if (m.hdr.type != MSG_PONG)
            fail_msg("expected only PONG while the job hangs, got %s seq=%lld",
                     msg_type_name(m.hdr.type), (long long)m.hdr.seq);
        assert_int_equal(m.hdr.load, 1);
        pongs++;
        transport_msg_close(&m);
        sleep_ms(250);
    }
    assert_true(pongs >= 4);
}

static void test_hang_shutdown(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "hang", 1);
    const char *job = "hs.index_advisor.1";
    transport_msg_t m;
    progress_log_t p = {.job = job, .progress_ms = 100};
    int64_t t0 = clock_mono_ms();
    send_job(w, job, "index_advisor", 800, 100);
    expect_msg(w, MSG_PROGRESS, 5000, &m, NULL);
    note_progress(&p, &m.hdr);
    transport_msg_close(&m);
    kill(w->pid, SIGTERM);
    /* Shutdown waits for the deadline, answers, and exits although the hung
     * thread never returns. */
    expect_error(w, "cancelled", job, 5000, &m, &p);
    assert_string_equal(m.hdr.message, "deadline of 800 ms passed");
    transport_msg_close(&m);
    assert_true(clock_mono_ms() - t0 >= 800);
    worker_reap(w, 5000);
    assert_true(w->reaped);
    assert_true(WIFEXITED(w->status));
    assert_int_equal(WEXITSTATUS(w->status), 0);
}

/* Issue 13 item 2: a cancelled job whose thread never returns (the "hang"
 * agent checks nothing) must not keep its slot for good. After
 * --cancel-grace-ms the thread is set aside and the slot freed, so the next
 * JOB is accepted, not refused with BUSY; at most --jobs threads are set
 * aside, after which the slot stays taken and BUSY is the honest answer. */
static void test_stuck_slot(void **state)
{
    fixture_t *fx = *state;
    spawn_opts_t o = {.behaviour = "hang",
                      .agent = "index_advisor",
                      .jobs = 1,
                      .opt = "--cancel-grace-ms",
                      .opt_value = "300"};
    worker_t *w = spawn_worker(fx, &o);
    transport_msg_t m;
    const char *a = "stuck.index_advisor.1";
    progress_log_t pa = {.job = a, .progress_ms = 100};
    send_job(w, a, "index_advisor", 300, 100);
    expect_error(w, "cancelled", a, 5000, &m, &pa);
    assert_string_equal(m.hdr.message, "deadline of 300 ms passed");
    transport_msg_close(&m);
    /* Before the fix the load stayed 1 here forever. */
    wait_load(w, 0, 5000, NULL);

    /* A later job is taken: its first PROGRESS, not BUSY. */
    const char *b = "stuck.index_advisor.2";
    progress_log_t pb = {.job = b, .progress_ms = 100};
    send_job(w, b, "index_advisor", 300, 100);
    expect_msg(w, MSG_PROGRESS, 5000, &m, NULL);
    assert_string_equal(m.hdr.job, b);
    note_progress(&pb, &m.hdr);
    transport_msg_close(&m);
    expect_error(w, "cancelled", b, 5000, &m, &pb);
    transport_msg_close(&m);

    /* One thread is set aside already (the limit for --jobs 1): this one
     * keeps its slot, and the worker says BUSY rather than pile up threads. */
    const char *c = "stuck.index_advisor.3";
    int64_t end = clock_mono_ms() + 1500;
    while (clock_mono_ms() < end) {
        transport_msg_t pong;
        send_ping(w);
        expect_msg(w, MSG_PONG, 2000, &pong, NULL);
        assert_int_equal(pong.hdr.load, 1);
        transport_msg_close(&pong);
        sleep_ms(100);
    }
    send_job(w, c, "index_advisor", 300, 100);
    expect_msg(w, MSG_BUSY, 5000, &m, NULL);
    assert_string_equal(m.hdr.job, c);
    transport_msg_close(&m);
}

static void test_second_signal(void **state)
{
    fixture_t *fx = *state;
    char log_path[128];
    worker_t *w = spawn_logged(fx, "hang", log_path, sizeof log_path);
    const char *job = "s2.index_advisor.1";
    transport_msg_t m;
    progress_log_t p = {.job = job, .progress_ms = 100};
    send_job(w, job, "index_advisor", 0, 100);
    expect_msg(w, MSG_PROGRESS, 5000, &m, NULL);
    note_progress(&p, &m.hdr);
    transport_msg_close(&m);

    kill(w->pid, SIGTERM);
    wait_log(log_path, "msg=\"shutdown requested\"");
    /* No deadline: the first signal waits for the job, and refuses new ones. */
    worker_reap(w, 200);
    assert_false(w->reaped);
    send_job(w, "late.index_advisor.1", "index_advisor", 1000, 100);
    expect_error(w, "shutting_down", "late.index_advisor.1", 2000, &m, &p);
    transport_msg_close(&m);

    kill(w->pid, SIGTERM);
    expect_error(w, "shutting_down", job, 3000, &m, &p);
    transport_msg_close(&m);
    worker_reap(w, 3000);
    assert_true(w->reaped);
    assert_true(WIFEXITED(w->status));
    assert_int_equal(WEXITSTATUS(w->status), 1); /* a job was abandoned */
}

static void test_sigterm(void **state)
{
    fixture_t *fx = *state;
    char log_path[128];
    worker_t *w = spawn_logged(fx, "slow:1000", log_path, sizeof log_path);
    const char *job = "t.index_advisor.1";
    transport_msg_t m;
    progress_log_t p = {.job = job, .progress_ms = 100};
    send_job(w, job, "index_advisor", 20000, 100);
    expect_msg(w, MSG_PROGRESS, 5000, &m, NULL);
    note_progress(&p, &m.hdr);
    transport_msg_close(&m);

    kill(w->pid, SIGTERM);
    wait_log(log_path, "msg=\"shutdown requested\"");
    send_job(w, "new.index_advisor.1", "index_advisor", 20000, 100);
    expect_error(w, "shutting_down", "new.index_advisor.1", 2000, &m, &p);
    transport_msg_close(&m);

    /* The running job still completes and its RESULT arrives. */
    expect_msg(w, MSG_RESULT, 5000, &m, &p);
    assert_string_equal(m.hdr.job, job);
    assert_true(m.has_body && zmq_msg_size(&m.body) > 0);
    assert_true(m.hdr.elapsed_ms >= 1000);
    transport_msg_close(&m);
    worker_reap(w, 5000);
    assert_true(w->reaped);
    assert_true(WIFEXITED(w->status));
    assert_int_equal(WEXITSTATUS(w->status), 0);
}

static void test_exit_after_job(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "exit-after-job", 2);
    transport_msg_t m;
    send_job(w, "e.index_advisor.1", "index_advisor", 10000, 100);
    expect_msg(w, MSG_RESULT, 10000, &m,
               &(progress_log_t){.job = "e.index_advisor.1", .progress_ms = 100});
    transport_msg_close(&m);
    worker_reap(w, 5000);
    assert_true(w->reaped);
    assert_true(WIFEXITED(w->status));
    assert_int_equal(WEXITSTATUS(w->status), 0);
}

static void test_crash(void **state)
{
    fixture_t *fx = *state;
    worker_t *w = spawn_simple(fx, "crash", 2);
    send_job(w, "k.index_advisor.1", "index_advisor", 10000, 100);
    worker_reap(w, 5000);
    assert_true(w->reaped);
    assert_true(WIFSIGNALED(w->status));
    assert_int_equal(WTERMSIG(w->status), SIGABRT);
    /* Nothing but PROGRESS came out of it. */
    transport_msg_t m;
    while (recv_msg(w->dealer, 100, &m) == 0) {
        assert_int_equal(m.hdr.type, MSG_PROGRESS);
        transport_msg_close(&m);
    }
}

static void test_argv0_name(void **state)
{
    fixture_t *fx = *state;
    char exe[512], link[256];
    worker_exe(exe, sizeof exe);
    snprintf(link, sizeof link, "%s/pgopt-query-rewriter", fx->dir);
    assert_int_equal(symlink(exe, link), 0);
    spawn_opts_t o = {.behaviour = "ok", .exe = link, .jobs = 1};
    worker_t *w = spawn_worker(fx, &o);
    transport_msg_t m;
    expect_pong(w, &m, 2000);
    assert_string_equal(m.hdr.agent, "query_rewriter");
    transport_msg_close(&m);

    /* Neither PGOPT_TEST_AGENT nor an agent's name: refuse to guess. */
    char out[4096];
    char *argv[] = {exe, "--bind", "ipc:///tmp/unused.sock", NULL};
    const char *add[] = {NULL};
    assert_int_equal(run_capture(fx, argv, add, out, sizeof out), 2);
    assert_contains(out, "PGOPT_TEST_AGENT");
}

static void test_bad_bind(void **state)
{
    fixture_t *fx = *state;
    char exe[512], out[4096];
    worker_exe(exe, sizeof exe);
    const char *add[] = {"PGOPT_TEST_AGENT=index_advisor", NULL};

    char *argv1[] = {exe, "--bind", "ipc:///nonexistent-pgopt-dir/w.sock", NULL};
    assert_int_equal(run_capture(fx, argv1, add, out, sizeof out), 1);
    assert_contains(out,
                    "cannot bind ipc:///nonexistent-pgopt-dir/w.sock: No such file or directory");

    /* A TCP port that is taken. */
    void *holder = zmq_socket(fx->zctx, ZMQ_ROUTER);
    assert_non_null(holder);
    fx->extra_socks[fx->nextra++] = holder;
    int linger = 0;
    zmq_setsockopt(holder, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_bind(holder, "tcp://127.0.0.1:*"), 0);
    char taken[256];
    size_t len = sizeof taken;
    assert_int_equal(zmq_getsockopt(holder, ZMQ_LAST_ENDPOINT, taken, &len), 0);
    char *argv2[] = {exe, "--bind", taken, NULL};
    assert_int_equal(run_capture(fx, argv2, add, out, sizeof out), 1);
    char want[300];
    snprintf(want, sizeof want, "cannot bind %s: Address already in use", taken);
    assert_contains(out, want);

    /* Not an endpoint at all. */
    char *argv3[] = {exe, "--bind", "carrier-pigeon://roof", NULL};
    assert_int_equal(run_capture(fx, argv3, add, out, sizeof out), 1);
    assert_contains(out, "cannot bind carrier-pigeon://roof: ");

    /* --log-level wins over PGOPT_LOG_LEVEL: "off" leaves only the plain
     * one-line message, not the structured log event. */
    const char *noisy[] = {"PGOPT_TEST_AGENT=index_advisor", "PGOPT_LOG_LEVEL=debug", NULL};
    char *argv4[] = {exe, "--log-level", "off", "--bind", "ipc:///nonexistent-pgopt-dir/w.sock",
                     NULL};
    assert_int_equal(run_capture(fx, argv4, noisy, out, sizeof out), 1);
    assert_contains(out, "cannot bind");
    assert_null(strstr(out, "level="));
    char *argv5[] = {exe, "--bind", "ipc:///nonexistent-pgopt-dir/w.sock", NULL};
    assert_int_equal(run_capture(fx, argv5, noisy, out, sizeof out), 1);
    assert_contains(out, "level=error");
}

static void test_options(void **state)
{
    fixture_t *fx = *state;
    char exe[512], out[8192];
    worker_exe(exe, sizeof exe);
    const char *add[] = {"PGOPT_TEST_AGENT=config_tuner", NULL};
    char ep[128];
    snprintf(ep, sizeof ep, "ipc://%s/o.sock", fx->dir);

    char *help[] = {exe, "--help", NULL};
    assert_int_equal(run_capture(fx, help, add, out, sizeof out), 0);
    static const char *const words[] = {
        "config_tuner", "--bind",    "--jobs",     "--max-frame", "--heartbeat-ms",  "--log-level",
        "--help",       "--version", "PGOPT_BIND", "PGOPT_JOBS",  "PGOPT_LOG_LEVEL", "SIGTERM"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        assert_contains(out, words[i]);

    char *version[] = {exe, "--version", NULL};
    assert_int_equal(run_capture(fx, version, add, out, sizeof out), 0);
    char proto[32];
    snprintf(proto, sizeof proto, "protocol %d.%d", PROTO_VERSION_MAJOR, PROTO_VERSION_MINOR);
    assert_contains(out, proto);

    struct {
        const char *opt, *val, *want;
    } bad[] = {
        {"--jobs", "0", "--jobs: expected a number of jobs from 1 to"},
        {"--jobs", "2x", "got '2x'"},
        {"--max-frame", "12Q", "--max-frame: expected a byte count"},
        {"--max-frame", "100", "--max-frame: expected a byte count"},
        {"--heartbeat-ms", "-5", "--heartbeat-ms: expected milliseconds"},
        {"--log-level", "loud", "--log-level: expected debug, info, warn, error or off"},
        {"--bogus", NULL, "unknown option '--bogus'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[] = {exe, "--bind", ep, (char *)bad[i].opt, (char *)bad[i].val, NULL};
        assert_int_equal(run_capture(fx, argv, add, out, sizeof out), 2);
        assert_contains(out, bad[i].want);
        assert_non_null(strstr(out, "\n")); /* one line */
        assert_null(strchr(strchr(out, '\n') + 1, '\n'));
    }
    char *nobind[] = {exe, "--jobs", "1", NULL};
    assert_int_equal(run_capture(fx, nobind, add, out, sizeof out), 2);
    assert_contains(out, "PGOPT_BIND");
    char *missing[] = {exe, "--bind", ep, "--jobs", NULL};
    assert_int_equal(run_capture(fx, missing, add, out, sizeof out), 2);
    assert_contains(out, "'--jobs' needs a value");
    const char *badenv[] = {"PGOPT_TEST_AGENT=config_tuner", "PGOPT_JOBS=many", NULL};
    char *plain[] = {exe, "--bind", ep, NULL};
    assert_int_equal(run_capture(fx, plain, badenv, out, sizeof out), 2);
    assert_contains(out, "PGOPT_JOBS: expected");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ping, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job_result, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agent_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agent_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_map, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_peer_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extreme_durations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hang, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hang_shutdown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stuck_slot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_signal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigterm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exit_after_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_argv0_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_bind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_options, setup, teardown),
    };
    /* ctest runs one test per process: the name is the first argument. */
    if (argc > 1) {
        /* A name matching no test would "pass" by running nothing. */
        int known = 0;
        for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
            known |= strcmp(tests[i].name, argv[1]) == 0;
        if (!known) {
            fprintf(stderr, "test_runtime: no test named '%s'\n", argv[1]);
            return 1;
        }
        cmocka_set_test_filter(argv[1]);
    }
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests_name("runtime", tests, NULL, NULL);
}
