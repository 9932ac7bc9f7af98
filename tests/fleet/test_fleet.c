/*
 * test_fleet.c - the coordinator's fan-out/gather against real worker
 * processes over real ZeroMQ sockets.
 *
 * Workers are pgopt-test-worker processes (the real worker runtime with a
 * scripted agent function), bound to private ipc:// endpoints; the
 * coordinator is the real pgopt-coordinator executable, run as a child, and
 * its phase3_output is parsed and checked. A fake peer speaking another
 * protocol version runs in a thread of this test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "proto/message.h"
#include "proto/transport.h"
#include "tests/support/proc.h"

static char tmp[256];
static char snapshot[4096];

static int setup(void **state)
{
    (void)state;
    if (proc_tmpdir(tmp, sizeof tmp) != 0)
        return -1;
    const char *src = getenv("PGOPT_SOURCE_DIR");
    snprintf(snapshot, sizeof snapshot, "%s/tests/data/snapshots/minimal.json", src ? src : ".");
    if (access(snapshot, R_OK) != 0) {
        fprintf(stderr, "test snapshot %s is missing\n", snapshot);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    proc_kill_all(SIGKILL);
    proc_rmdir(tmp);
    return 0;
}

/* Starts a test worker serving agent with a behaviour on ipc://tmp/name. */
static pid_t worker(const char *name, const char *agent, const char *behaviour, int jobs)
{
    static char endpoints[32][300];
    static int n;
    char *ep = endpoints[n++ % 32];
    snprintf(ep, 300, "ipc://%s/%s.sock", tmp, name);
    char jobs_s[16], log[400], agent_env[64], beh_env[64];
    snprintf(jobs_s, sizeof jobs_s, "%d", jobs);
    snprintf(log, sizeof log, "%s/%s.log", tmp, name);
    snprintf(agent_env, sizeof agent_env, "PGOPT_TEST_AGENT=%s", agent);
    snprintf(beh_env, sizeof beh_env, "PGOPT_TEST_BEHAVIOUR=%s", behaviour);
    char bin[4096];
    snprintf(bin, sizeof bin, "%s", proc_bin("pgopt-test-worker"));
    /* info: the "job received" line is the event tests wait for */
    char *argv[] = {bin, "--bind", ep, "--jobs", jobs_s, "--log-level", "info", NULL};
    char *env[] = {agent_env, beh_env, NULL};
    pid_t pid = proc_start(argv, env, NULL, log);
    assert_true(pid > 0);
    return pid;
}

/* The worker of the two that logged "job received" (its log is
 * tmp/NAME.log): 0 for a, 1 for b; fails after 30 s. Tests act on the
 * instance that really has the job instead of guessing it after a sleep. */
static int which_got_job(const char *a, const char *b)
{
    char pa[400], pb[400];
    snprintf(pa, sizeof pa, "%s/%s.log", tmp, a);
    snprintf(pb, sizeof pb, "%s/%s.log", tmp, b);
    for (int i = 0; i < 3000; i++) {
        if (proc_wait_for_text(pa, "msg=\"job received\"", 0))
            return 0;
        if (proc_wait_for_text(pb, "msg=\"job received\"", 10))
            return 1;
    }
    fail_msg("neither %s nor %s received the job within 30 s", a, b);
    return -1;
}

static const char *ep(const char *name)
{
    static char buf[8][300];
    static int n;
    char *b = buf[n++ % 8];
    snprintf(b, 300, "ipc://%s/%s.sock", tmp, name);
    return b;
}

typedef struct {
    int status;
    json_t *out;
    char *err;
} coord_run_t;

/* argv after the executable name, NULL-terminated. */
static char **coord_argv(const char *out_name, va_list ap)
{
    static char bin[4096], outp[400];
    static char *argv[64];
    int n = 0;
    snprintf(bin, sizeof bin, "%s", proc_bin("pgopt-coordinator"));
    snprintf(outp, sizeof outp, "%s/%s.json", tmp, out_name);
    argv[n++] = bin;
    argv[n++] = "-o";
    argv[n++] = outp;
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 62)
        argv[n++] = (char *)a;
    argv[n] = NULL;
    return argv;
}

static void coord_collect(coord_run_t *r, const char *out_name)
{
    char p[400];
    snprintf(p, sizeof p, "%s/%s.json", tmp, out_name);
    char *text = proc_slurp(p);
    json_error_t je;
    r->out = text ? json_loads(text, 0, &je) : NULL;
    free(text);
    snprintf(p, sizeof p, "%s/%s.err", tmp, out_name);
    r->err = proc_slurp(p);
    if (!r->err)
        r->err = strdup("");
}

static coord_run_t coord(const char *out_name, ...)
{
    va_list ap;
    va_start(ap, out_name);
    char **argv = coord_argv(out_name, ap);
    va_end(ap);
    char errp[400];
    snprintf(errp, sizeof errp, "%s/%s.err", tmp, out_name);
    coord_run_t r = {0};
    r.status = proc_run(argv, NULL, NULL, errp);
    coord_collect(&r, out_name);
    return r;
}

static pid_t coord_start(const char *out_name, char *const env[], ...)
{
    va_list ap;
    va_start(ap, env);
    char **argv = coord_argv(out_name, ap);
    va_end(ap);
    char errp[400];
    snprintf(errp, sizeof errp, "%s/%s.err", tmp, out_name);
    return proc_start(argv, env, NULL, errp);
}

static void coord_free(coord_run_t *r)
{
    json_decref(r->out);
    free(r->err);
}

static const char *fleet_str(const coord_run_t *r, const char *agent, const char *key)
{
    json_t *v = json_object_get(json_object_get(json_object_get(r->out, "fleet"), agent), key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static long long fleet_int(const coord_run_t *r, const char *agent, const char *key)
{
    return json_integer_value(
        json_object_get(json_object_get(json_object_get(r->out, "fleet"), agent), key));
}

static void expect_ok(const coord_run_t *r, const char *agent)
{
    assert_string_equal(fleet_str(r, agent, "status"), "ok");
    json_t *res = json_object_get(r->out, agent);
    assert_true(json_is_object(res));
    /* The test worker computes its answer from the snapshot it received. */
    assert_string_equal(json_string_value(json_object_get(res, "agent")), agent);
    assert_int_equal(json_integer_value(json_object_get(res, "statements")), 2);
}

static int ends_with_pid(const char *worker_id, pid_t pid)
{
    char suffix[32];
    snprintf(suffix, sizeof suffix, ":%d", (int)pid);
    size_t a = strlen(worker_id), b = strlen(suffix);
    return a >= b && strcmp(worker_id + a - b, suffix) == 0;
}

static void four_workers_except(const char *skip_agent)
{
    const char *agents[] = {"index_advisor", "query_rewriter", "config_tuner", "ai_tuning"};
    for (int i = 0; i < 4; i++)
        if (!skip_agent || strcmp(agents[i], skip_agent) != 0)
            worker(agents[i], agents[i], "ok", 2);
}

/* ---- tests -------------------------------------------------------------- */

static void test_all_ok(void **state)
{
    (void)state;
    four_workers_except(NULL);
    coord_run_t r =
        coord("all", "--snapshot", snapshot, "--discover", "5s", "-w", ep("index_advisor"), "-w",
              ep("query_rewriter"), "-w", ep("config_tuner"), "-w", ep("ai_tuning"), NULL);
    assert_int_equal(r.status, 0);
    assert_non_null(r.out);
    assert_string_equal(json_string_value(json_object_get(r.out, "phase")), "OPTIMIZE");
    assert_string_equal(json_string_value(json_object_get(r.out, "status")), "complete");
    assert_true(json_is_string(json_object_get(r.out, "timestamp")));
    const char *agents[] = {"index_advisor", "query_rewriter", "config_tuner", "ai_tuning"};
    for (int i = 0; i < 4; i++) {
        expect_ok(&r, agents[i]);
        assert_int_equal(fleet_int(&r, agents[i], "attempts"), 1);
        assert_true(strlen(fleet_str(&r, agents[i], "worker")) > 0);
        assert_string_equal(fleet_str(&r, agents[i], "endpoint"), ep(agents[i]));
    }
    coord_free(&r);
}

static void test_failover_on_crash(void **state)
{
    (void)state;
    four_workers_except("config_tuner");
    worker("ct_a", "config_tuner", "crash", 2);
    pid_t b = worker("ct_b", "config_tuner", "ok", 2);
    coord_run_t r = coord("crash", "--snapshot", snapshot, "--discover", "5s", "--hang", "1s", "-w",
                          ep("ct_a"), "-w", ep("ct_b"), "-w", ep("index_advisor"), "-w",
                          ep("query_rewriter"), "-w", ep("ai_tuning"), NULL);
    assert_int_equal(r.status, 0);
    expect_ok(&r, "config_tuner");
    assert_int_equal(fleet_int(&r, "config_tuner", "attempts"), 2);
    assert_true(ends_with_pid(fleet_str(&r, "config_tuner", "worker"), b));
    coord_free(&r);
}

static void test_failover_on_kill(void **state)
{
    (void)state;
    four_workers_except("config_tuner");
    pid_t pids[2];
    pids[0] = worker("ct_a", "config_tuner", "slow:3000", 2);
    pids[1] = worker("ct_b", "config_tuner", "slow:3000", 2);
    pid_t c = coord_start("kill", NULL, "--snapshot", snapshot, "--discover", "5s", "--hang", "1s",
                          "-w", ep("ct_a"), "-w", ep("ct_b"), "-w", ep("index_advisor"), "-w",
                          ep("query_rewriter"), "-w", ep("ai_tuning"), NULL);
    /* Kill the instance that has the job, once it has it (its "job received"
     * log line; the test used to guess it after 800 ms, and under load the
     * job had not been dispatched yet). The other one then runs the job to
     * the end: both are slow, so a kill before dispatch would show as one
     * attempt, not pass. */
    int victim = which_got_job("ct_a", "ct_b");
    kill(pids[victim], SIGKILL);
    coord_run_t r = {0};
    r.status = proc_wait(c);
    coord_collect(&r, "kill");
    assert_int_equal(r.status, 0);
    expect_ok(&r, "config_tuner");
    assert_int_equal(fleet_int(&r, "config_tuner", "attempts"), 2);
    assert_true(ends_with_pid(fleet_str(&r, "config_tuner", "worker"), pids[1 - victim]));
    coord_free(&r);
}

static void test_hung_worker_times_out_others_succeed(void **state)
{
    (void)state;
    four_workers_except("index_advisor");
    worker("ia_hang", "index_advisor", "hang", 2);
    coord_run_t r = coord("hang", "--snapshot", snapshot, "--discover", "5s", "--timeout", "20s",
                          "--hang", "1s", "-w", ep("ia_hang"), "-w", ep("query_rewriter"), "-w",
                          ep("config_tuner"), "-w", ep("ai_tuning"), NULL);
    assert_int_equal(r.status, 3); /* partial */
    assert_string_equal(json_string_value(json_object_get(r.out, "status")), "partial");
    assert_string_equal(fleet_str(&r, "index_advisor", "status"), "timeout");
    assert_non_null(strstr(fleet_str(&r, "index_advisor", "error"), "stopped responding"));
    assert_true(json_is_null(json_object_get(r.out, "index_advisor")));
    /* Detected by silence (1 s window), long before the 20 s deadline. */
    assert_true(fleet_int(&r, "index_advisor", "elapsed_ms") < 15000);
    expect_ok(&r, "query_rewriter");
    expect_ok(&r, "config_tuner");
    expect_ok(&r, "ai_tuning");
    coord_free(&r);
}

static void test_slow_worker_hits_deadline(void **state)
{
    (void)state;
    four_workers_except("ai_tuning");
    worker("ai_slow", "ai_tuning", "slow:30000", 2);
    coord_run_t r = coord("slow", "--snapshot", snapshot, "--discover", "5s", "--timeout", "2s",
                          "-w", ep("ai_slow"), "-w", ep("index_advisor"), "-w",
                          ep("query_rewriter"), "-w", ep("config_tuner"), NULL);
    assert_int_equal(r.status, 3);
    assert_string_equal(fleet_str(&r, "ai_tuning", "status"), "timeout");
    /* The exact text, said once (it was printed into the buffer it read
     * from: "...deadline of 2000 msno result within the deadline of 2000
     * ms"). Either the coordinator's timer fired, or the worker enforced
     * the same deadline a moment before and said so. */
    const char *why = fleet_str(&r, "ai_tuning", "error");
    const char *want = "no result within the deadline of 2000 ms";
    char worker_said[400];
    snprintf(worker_said, sizeof worker_said, "%s (%s: deadline of ", want, ep("ai_slow"));
    if (strcmp(why, want) != 0 &&
        (strncmp(why, worker_said, strlen(worker_said)) != 0 || strstr(why + 1, "no result")))
        fail_msg("unexpected deadline error text: \"%s\"", why);
    assert_true(fleet_int(&r, "ai_tuning", "elapsed_ms") >= 2000);
    expect_ok(&r, "index_advisor");
    expect_ok(&r, "config_tuner");
    coord_free(&r);
}

static void test_missing_agent_unavailable(void **state)
{
    (void)state;
    four_workers_except("ai_tuning");
    coord_run_t r =
        coord("unavail", "--snapshot", snapshot, "--discover", "3s", "-w", ep("index_advisor"),
              "-w", ep("query_rewriter"), "-w", ep("config_tuner"), NULL);
    assert_int_equal(r.status, 3);
    assert_string_equal(fleet_str(&r, "ai_tuning", "status"), "unavailable");
    assert_non_null(
        strstr(fleet_str(&r, "ai_tuning", "error"), "no live worker for agent ai_tuning"));
    assert_int_equal(fleet_int(&r, "ai_tuning", "attempts"), 0);
    expect_ok(&r, "index_advisor");
    coord_free(&r);
}

static void test_agent_failure_is_error(void **state)
{
    (void)state;
    worker("qr_fail", "query_rewriter", "fail", 2);
    coord_run_t r = coord("fail", "--snapshot", snapshot, "--discover", "3s", "--agents",
                          "query_rewriter", "-w", ep("qr_fail"), NULL);
    assert_int_equal(r.status, 1); /* no agent answered */
    assert_string_equal(fleet_str(&r, "query_rewriter", "status"), "error");
    assert_non_null(strstr(fleet_str(&r, "query_rewriter", "error"), "agent_failed"));
    /* Agents not asked for are reported as skipped, with null results. */
    assert_string_equal(fleet_str(&r, "index_advisor", "status"), "skipped");
    coord_free(&r);
}

/* A worker answering with a wrongly shaped result, or with another
 * agent's label, makes that agent an error (it was accepted as ok with an
 * empty section); a good instance of the same agent is then tried. */
static void test_invalid_result_is_error(void **state)
{
    (void)state;
    worker("ct_bad", "config_tuner", "wrong-shape", 2);
    worker("qr_bad", "query_rewriter", "wrong-agent", 2);
    worker("ia_bad", "index_advisor", "wrong-shape", 2);
    pid_t good = worker("ia_good", "index_advisor", "ok", 2);
    coord_run_t r = coord("invalid", "--snapshot", snapshot, "--discover", "5s", "--agents",
                          "config_tuner,query_rewriter,index_advisor", "-w", ep("ct_bad"), "-w",
                          ep("qr_bad"), "-w", ep("ia_bad"), "-w", ep("ia_good"), NULL);
    assert_int_equal(r.status, 3); /* partial */
    assert_string_equal(json_string_value(json_object_get(r.out, "status")), "partial");
    assert_string_equal(fleet_str(&r, "config_tuner", "status"), "error");
    assert_true(json_is_null(json_object_get(r.out, "config_tuner")));
    const char *why = fleet_str(&r, "config_tuner", "error");
    if (!strstr(why, "invalid result: config_tuner result: postgresql: expected map, got string"))
        fail_msg("config_tuner error: %s", why);
    assert_string_equal(fleet_str(&r, "query_rewriter", "status"), "error");
    why = fleet_str(&r, "query_rewriter", "error");
    if (!strstr(why, "invalid result: query_rewriter result: agent: the result is labelled "
                     "\"index_advisor\""))
        fail_msg("query_rewriter error: %s", why);
    /* whichever index_advisor instance is tried first, the result comes from the good one */
    expect_ok(&r, "index_advisor");
    assert_true(ends_with_pid(fleet_str(&r, "index_advisor", "worker"), good));
    coord_free(&r);
}

/* Three analyses at once against two one-slot instances: every analysis
 * completes; at least one had to take a BUSY answer and go elsewhere or
 * wait, so the attempts add up to more than three. */
static void test_busy_moves_to_other_instance(void **state)
{
    (void)state;
    worker("ct_a", "config_tuner", "slow:1500", 1);
    worker("ct_b", "config_tuner", "slow:1500", 1);
    pid_t c[3];
    char name[3][16];
    for (int i = 0; i < 3; i++) {
        snprintf(name[i], sizeof name[i], "busy%d", i);
        c[i] = coord_start(name[i], NULL, "--snapshot", snapshot, "--discover", "5s", "--agents",
                           "config_tuner", "--timeout", "20s", "-w", ep("ct_a"), "-w", ep("ct_b"),
                           NULL);
    }
    long long attempts = 0;
    for (int i = 0; i < 3; i++) {
        coord_run_t r = {0};
        r.status = proc_wait(c[i]);
        coord_collect(&r, name[i]);
        assert_int_equal(r.status, 0);
        expect_ok(&r, "config_tuner");
        attempts += fleet_int(&r, "config_tuner", "attempts");
        coord_free(&r);
    }
    assert_true(attempts >= 4);
}

/* SIGSTOP a worker mid-job: it falls silent, the job moves to another
 * instance; when it is continued it finishes and sends its RESULT for the
 * old attempt, which the coordinator must drop. */
static void test_stopped_worker_late_reply_dropped(void **state)
{
    (void)state;
    pid_t pids[2];
    pids[0] = worker("ct_a", "config_tuner", "slow:3000", 2);
    pids[1] = worker("ct_b", "config_tuner", "slow:3000", 2);
    char *env[] = {"PGOPT_LOG_LEVEL=debug", NULL};
    pid_t c = coord_start("late", env, "--snapshot", snapshot, "--discover", "5s", "--agents",
                          "config_tuner", "--hang", "1s", "-w", ep("ct_a"), "-w", ep("ct_b"), NULL);
    /* Stop the instance that has the job once it has it, and continue it
     * once the coordinator has given up on it (its own log line), not after
     * guessed delays. */
    int victim = which_got_job("ct_a", "ct_b");
    kill(pids[victim], SIGSTOP);
    char coord_log[400];
    snprintf(coord_log, sizeof coord_log, "%s/late.err", tmp);
    int gave_up = proc_wait_for_text(coord_log, "job failed on instance, failing over", 30000);
    kill(pids[victim], SIGCONT);
    if (!gave_up)
        fail_msg("the coordinator never gave up on the stopped instance");
    coord_run_t r = {0};
    r.status = proc_wait(c);
    coord_collect(&r, "late");
    assert_int_equal(r.status, 0);
    expect_ok(&r, "config_tuner");
    assert_int_equal(fleet_int(&r, "config_tuner", "attempts"), 2);
    assert_true(ends_with_pid(fleet_str(&r, "config_tuner", "worker"), pids[1 - victim]));
    /* The stopped instance was told CANCEL when it fell silent; once
     * continued it answers that old attempt at once (ERROR cancelled, or its
     * RESULT if it finished first), while the other one still has 3 s to
     * go, and the answer is dropped by job id. */
    if (!strstr(r.err, "late or unknown RESULT dropped") &&
        !strstr(r.err, "ERROR not about a current job"))
        fail_msg("no dropped late reply in the coordinator's log:\n%s", r.err);
    coord_free(&r);
}

/* A peer that answers PING with a PONG of protocol major 2. */
static void *fake_v2_peer(void *arg)
{
    const char *endpoint = arg;
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_bind(sock, endpoint);
    zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
    for (int rounds = 0; rounds < 100; rounds++) { /* bounded: ~10 s */
        if (zmq_poll(&item, 1, 100) <= 0)
            continue;
        transport_msg_t m;
        err_t e;
        int rc = transport_recv(sock, 1, &m, &e);
        if (rc == 0 && m.hdr.type == MSG_PING) {
            msg_header_t h;
            msg_header_init(&h, MSG_PONG);
            h.v_major = 2;
            snprintf(h.agent, sizeof h.agent, "ai_tuning");
            snprintf(h.worker, sizeof h.worker, "fake:1");
            h.capacity = 1;
            transport_send(sock, m.ident, m.ident_len, &h, NULL, &e);
        }
        if (rc == 0 && m.hdr.type == MSG_JOB)
            rounds = 1000; /* must never happen; the test checks attempts */
        transport_msg_close(&m);
    }
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return NULL;
}

static void test_wrong_protocol_version_peer(void **state)
{
    (void)state;
    four_workers_except("ai_tuning");
    pthread_t th;
    char fake_ep[300];
    snprintf(fake_ep, sizeof fake_ep, "%s", ep("fake"));
    pthread_create(&th, NULL, fake_v2_peer, fake_ep);
    coord_run_t r =
        coord("v2", "--snapshot", snapshot, "--discover", "3s", "-w", fake_ep, "-w",
              ep("index_advisor"), "-w", ep("query_rewriter"), "-w", ep("config_tuner"), NULL);
    pthread_join(th, NULL);
    assert_int_equal(r.status, 3);
    assert_string_equal(fleet_str(&r, "ai_tuning", "status"), "unavailable");
    assert_int_equal(fleet_int(&r, "ai_tuning", "attempts"), 0);
    assert_non_null(strstr(fleet_str(&r, "ai_tuning", "error"), "protocol version 2"));
    expect_ok(&r, "config_tuner");
    coord_free(&r);
}

/* A hostile worker: its PONG names it with a terminal escape and a forged
 * log record, its PROGRESS stage carries a C1 CSI, and it answers the JOB
 * with an ERROR whose message holds a bidi override and a newline. */
#define HOSTILE_WORKER "w\x1b]0;owned\x07\nts=2026-01-01T00:00:00.000Z level=error msg=\"x\""
#define HOSTILE_STAGE                                                                              \
    "st\xc2\x9b"                                                                                   \
    "2J"
#define HOSTILE_ERROR                                                                              \
    "bad\xe2\x80\xae"                                                                              \
    "txt.exe\n\x1b[31mred\r"

static void *hostile_peer(void *arg)
{
    const char *endpoint = arg;
    void *ctx = zmq_ctx_new();
    void *sock = zmq_socket(ctx, ZMQ_ROUTER);
    int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_bind(sock, endpoint);
    zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
    int answered_job = 0;
    for (int rounds = 0; rounds < 300 && !answered_job; rounds++) { /* bounded: ~30 s */
        if (zmq_poll(&item, 1, 100) <= 0)
            continue;
        transport_msg_t m;
        err_t e;
        if (transport_recv(sock, 1, &m, &e) != 0)
            continue;
        msg_header_t h;
        if (m.hdr.type == MSG_PING) {
            msg_header_init(&h, MSG_PONG);
            snprintf(h.agent, sizeof h.agent, "config_tuner");
            snprintf(h.worker, sizeof h.worker, "%s", HOSTILE_WORKER);
            h.capacity = 1;
            transport_send(sock, m.ident, m.ident_len, &h, NULL, &e);
        } else if (m.hdr.type == MSG_JOB) {
            msg_header_init(&h, MSG_PROGRESS);
            snprintf(h.job, sizeof h.job, "%s", m.hdr.job);
            snprintf(h.stage, sizeof h.stage, "%s", HOSTILE_STAGE);
            h.seq = 1;
            transport_send(sock, m.ident, m.ident_len, &h, NULL, &e);
            msg_header_init(&h, MSG_ERROR);
            snprintf(h.job, sizeof h.job, "%s", m.hdr.job);
            snprintf(h.worker, sizeof h.worker, "%s", HOSTILE_WORKER);
            snprintf(h.code, sizeof h.code, "agent_failed");
            snprintf(h.message, sizeof h.message, "%s", HOSTILE_ERROR);
            transport_send(sock, m.ident, m.ident_len, &h, NULL, &e);
            answered_job = 1;
        }
        transport_msg_close(&m);
    }
    zmq_close(sock);
    zmq_ctx_term(ctx);
    return NULL;
}

static void assert_no_raw_controls(const char *what, const char *text)
{
    const char *bad[] = {"\x1b", "\x07", "\r", "\xc2\x9b", "\xe2\x80\xae"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (strstr(text, bad[i]))
            fail_msg("%s holds a raw control character (#%zu):\n%s", what, i, text);
}

static void test_hostile_worker_strings_escaped(void **state)
{
    (void)state;
    pthread_t th;
    char hostile_ep[300];
    snprintf(hostile_ep, sizeof hostile_ep, "%s", ep("hostile"));
    pthread_create(&th, NULL, hostile_peer, hostile_ep);
    char *env[] = {"PGOPT_LOG_LEVEL=debug", NULL};
    pid_t c = coord_start("hostile", env, "--snapshot", snapshot, "--discover", "5s", "--agents",
                          "config_tuner", "-f", "text", "-w", hostile_ep, NULL);
    coord_run_t r = {0};
    r.status = proc_wait(c);
    pthread_join(th, NULL);
    char p[400];
    snprintf(p, sizeof p, "%s/hostile.json", tmp);
    char *report = proc_slurp(p);
    snprintf(p, sizeof p, "%s/hostile.err", tmp);
    r.err = proc_slurp(p);
    assert_non_null(report);
    assert_non_null(r.err);
    assert_int_equal(r.status, 1); /* the only agent failed */
    assert_no_raw_controls("the coordinator's stderr", r.err);
    assert_no_raw_controls("the text report", report);
    /* every stderr line is a log record or the coordinator's own message */
    for (const char *line = r.err; *line;) {
        if (strncmp(line, "ts=2026-01-01", 13) == 0 ||
            (strncmp(line, "ts=", 3) != 0 && strncmp(line, "pgopt-coordinator: ", 19) != 0))
            fail_msg("forged or foreign stderr line:\n%s", r.err);
        const char *nl = strchr(line, '\n');
        line = nl ? nl + 1 : line + strlen(line);
    }
    /* shown, escaped: the log quotes, the report and the summary line do not */
    if (!strstr(r.err, "worker=\"w\\x1b]0;owned\\x07\\nts=2026-01-01T00:00:00.000Z "
                       "level=error msg=\\\"x\\\"\""))
        fail_msg("escaped worker name missing from the log:\n%s", r.err);
    if (!strstr(r.err, "pgopt-coordinator: config_tuner: error: "))
        fail_msg("no summary line:\n%s", r.err);
    if (!strstr(r.err, "bad\\u202etxt.exe\\n\\x1b[31mred\\r"))
        fail_msg("escaped ERROR message missing from stderr:\n%s", r.err);
    if (!strstr(report, "bad\\u202etxt.exe"))
        fail_msg("escaped ERROR message missing from the report:\n%s", report);
    free(report);
    coord_free(&r);
}

static void make_worker_dir(const char *dir, int skip_ai_tuning)
{
    const char *names[] = {"pgopt-index-advisor", "pgopt-query-rewriter", "pgopt-config-tuner",
                           "pgopt-ai-tuning"};
    char target[4096];
    snprintf(target, sizeof target, "%s", proc_bin("pgopt-test-worker"));
    for (int i = 0; i < 4 - skip_ai_tuning; i++) {
        char link[600];
        snprintf(link, sizeof link, "%s/%s", dir, names[i]);
        assert_int_equal(symlink(target, link), 0);
    }
}

static void test_embedded_mode(void **state)
{
    (void)state;
    char dir[400];
    snprintf(dir, sizeof dir, "%s/bin", tmp);
    assert_int_equal(mkdir(dir, 0755), 0);
    make_worker_dir(dir, 0);
    char env_dir[500];
    snprintf(env_dir, sizeof env_dir, "PGOPT_WORKER_DIR=%s", dir);
    char *env[] = {env_dir, NULL};
    pid_t c = coord_start("embedded", env, "--snapshot", snapshot, NULL);
    coord_run_t r = {0};
    r.status = proc_wait(c);
    coord_collect(&r, "embedded");
    assert_int_equal(r.status, 0);
    const char *agents[] = {"index_advisor", "query_rewriter", "config_tuner", "ai_tuning"};
    for (int i = 0; i < 4; i++) {
        expect_ok(&r, agents[i]);
        assert_non_null(strstr(fleet_str(&r, agents[i], "endpoint"), "ipc://"));
        /* The coordinator stopped the worker it started. */
        const char *w = fleet_str(&r, agents[i], "worker");
        const char *colon = strrchr(w, ':');
        assert_non_null(colon);
        pid_t pid = (pid_t)atoi(colon + 1);
        assert_true(pid > 0);
        assert_int_equal(kill(pid, 0), -1);
    }
    coord_free(&r);
    proc_rmdir(dir);
}

static void test_embedded_missing_executable(void **state)
{
    (void)state;
    char dir[400];
    snprintf(dir, sizeof dir, "%s/bin", tmp);
    assert_int_equal(mkdir(dir, 0755), 0);
    make_worker_dir(dir, 1);
    char env_dir[500];
    snprintf(env_dir, sizeof env_dir, "PGOPT_WORKER_DIR=%s", dir);
    char *env[] = {env_dir, NULL};
    pid_t c = coord_start("embedded_missing", env, "--snapshot", snapshot, NULL);
    coord_run_t r = {0};
    r.status = proc_wait(c);
    coord_collect(&r, "embedded_missing");
    assert_int_equal(r.status, 3);
    assert_string_equal(fleet_str(&r, "ai_tuning", "status"), "unavailable");
    assert_non_null(strstr(fleet_str(&r, "ai_tuning", "error"), "pgopt-ai-tuning not found"));
    expect_ok(&r, "config_tuner");
    coord_free(&r);
    proc_rmdir(dir);
}

static void *drain_fifo(void *arg)
{
    FILE *f = fopen(arg, "r");
    char buf[4096];
    size_t total = 0, n;
    while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
        total += n;
    if (f)
        fclose(f);
    return (void *)total;
}

/* -o to something that is not a regular file (a FIFO here, /dev/null in
 * life) is written in place: an atomic rename would replace the node. */
static void test_output_to_fifo(void **state)
{
    (void)state;
    worker("ct", "config_tuner", "ok", 1);
    char fifo[400];
    snprintf(fifo, sizeof fifo, "%s/out.fifo", tmp);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pthread_t th;
    pthread_create(&th, NULL, drain_fifo, fifo);
    coord_run_t r = coord("fifo", "--snapshot", snapshot, "--discover", "3s", "--agents",
                          "config_tuner", "-w", ep("ct"), "-o", fifo, NULL);
    void *got = NULL;
    pthread_join(th, &got);
    assert_int_equal(r.status, 0);
    assert_true((size_t)got > 100);
    struct stat st;
    assert_int_equal(stat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    coord_free(&r);
}

static void test_bad_input(void **state)
{
    (void)state;
    coord_run_t r = coord("noargs", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--dsn or --snapshot"));
    coord_free(&r);

    r = coord("badtimeout", "--snapshot", snapshot, "--timeout", "soon", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--timeout: expected a duration from 1 ms to 7.0 days"));
    assert_non_null(strstr(r.err, "got 'soon'"));
    coord_free(&r);

    /* Out of range is refused with the range, never wrapped to "no timeout"
     * or clipped to 1 ms; 0 is PostgreSQL's "no statement timeout". */
    r = coord("hugestmt", "--snapshot", snapshot, "--statement-timeout", "999999999999s", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--statement-timeout: expected a duration from 0 ms to "
                                  "2147483647 ms (e.g. 30s, 500ms, 2m, 1h), got '999999999999s'"));
    coord_free(&r);
    r = coord("hugetimeout", "--snapshot", snapshot, "--timeout", "9223372036854775807ms", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--timeout: expected a duration"));
    coord_free(&r);
    r = coord("badprogress", "--snapshot", snapshot, "--progress-ms", "1e3", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(
        strstr(r.err, "--progress-ms: expected an integer from 10 to 60000, got '1e3'"));
    coord_free(&r);

    r = coord("missingfile", "--snapshot", "/nonexistent/snap.json", NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "/nonexistent/snap.json"));
    coord_free(&r);

    char bad[400];
    snprintf(bad, sizeof bad, "%s/bad.json", tmp);
    FILE *f = fopen(bad, "w");
    fputs("{\"meta\": {\"format_version\": 1},\n \"statements\": [1, 2,]\n}\n", f);
    fclose(f);
    r = coord("badjson", "--snapshot", bad, NULL);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "bad.json"));
    assert_non_null(strstr(r.err, "line 2"));
    coord_free(&r);

    r = coord("badworker", "--snapshot", snapshot, "-w", "http://nope", NULL);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "expected tcp://HOST:PORT"));
    coord_free(&r);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_all_ok, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failover_on_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failover_on_kill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hung_worker_times_out_others_succeed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_worker_hits_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_agent_unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agent_failure_is_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_result_is_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_busy_moves_to_other_instance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stopped_worker_late_reply_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_protocol_version_peer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hostile_worker_strings_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_embedded_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_embedded_missing_executable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_output_to_fifo, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, setup, teardown),
    };
    return cmocka_run_group_tests_name("fleet", tests, NULL, NULL);
}
