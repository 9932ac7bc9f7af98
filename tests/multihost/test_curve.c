/*
 * test_curve.c - CURVE security of the fleet, through real worker processes
 * (pgopt-test-worker on the production runtime) on 127.0.0.1:
 *
 *   - key files: keygen output, modes, round trip, mismatched and malformed
 *     files, world-readable secrets and empty allow-lists refused;
 *   - an allowed client is served; an unknown client key, a plaintext client
 *     and a client holding a wrong server key are refused, including clients
 *     that were already connecting when the worker started (first instant);
 *   - SIGHUP reloads the allow-list (key rotation);
 *   - per-peer job limit: one coordinator cannot take every slot;
 *   - STATS -> COUNTERS reflects what happened;
 *   - the fleet (coordinator side) runs over CURVE and fleet_is_secure() says
 *     when a DSN may travel; the ping tool works with and without keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "coordinator/fleet/fleet.h"
#include "coordinator/fleet/keygen.h"
#include "coordinator/fleet/ping.h"
#include "mh_support.h"
#include "proto/codec.h"
#include "proto/curve.h"
#include "proto/transport.h"
#include "tests/support/proc.h"

static char dir[64];

static void path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", dir, name);
}

static void keygen(const char *name)
{
    char base[256];
    path(base, sizeof base, name);
    char *argv[] = {"keygen", "--force", base, NULL};
    assert_int_equal(keygen_main(3, argv), 0);
}

static curve_keypair_t load_pair(const char *name)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s.key", dir, name);
    curve_keypair_t kp;
    err_t err = {{0}};
    if (curve_keypair_load(p, &kp, &err) != 0)
        fail_msg("%s", err.msg);
    return kp;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/pgopt-curve-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

typedef struct {
    pid_t pid;
    char endpoint[64];
    char log[256];
} worker_t;

/* Starts a test worker bound to a free loopback port; extra options. */
static worker_t start_worker(const char *behaviour, const char *const *opts)
{
    worker_t w;
    memset(&w, 0, sizeof w);
    int port = mh_free_port();
    assert_true(port > 0);
    snprintf(w.endpoint, sizeof w.endpoint, "tcp://127.0.0.1:%d", port);
    char exe[512], bind[80];
    snprintf(exe, sizeof exe, "%s/pgopt-test-worker", mh_bin_dir());
    snprintf(bind, sizeof bind, "--bind=%s", w.endpoint);
    snprintf(w.log, sizeof w.log, "%s/worker-%d.log", dir, port);
    char *argv[16] = {exe, bind, "--heartbeat-ms", "200"};
    int n = 4;
    for (int i = 0; opts && opts[i] && n < 15; i++)
        argv[n++] = (char *)opts[i];
    argv[n] = NULL;
    char beh[64];
    snprintf(beh, sizeof beh, "PGOPT_TEST_BEHAVIOUR=%s", behaviour ? behaviour : "ok");
    const char *env[] = {"PGOPT_TEST_AGENT=config_tuner", beh, "PGOPT_LOG_LEVEL=debug", NULL};
    w.pid = mh_spawn(argv, env, w.log);
    assert_true(w.pid > 0);
    return w;
}

/* Waits up to 3 s for text to appear in the log file (lines are written
 * after the replies they describe). */
static int log_has(const char *logp, const char *text)
{
    int64_t end = mh_now_ms() + 3000;
    do {
        char *log = proc_slurp(logp);
        int found = log && strstr(log, text);
        free(log);
        if (found)
            return 1;
        mh_sleep_ms(50);
    } while (mh_now_ms() < end);
    return 0;
}

static void stop_worker(worker_t *w)
{
    mh_kill(w->pid);
    w->pid = 0;
}

/* ---- key files --------------------------------------------------------- */

static void test_key_files(void **state)
{
    (void)state;
    keygen("alpha");
    char key[256], pub[256];
    path(key, sizeof key, "alpha.key");
    path(pub, sizeof pub, "alpha.pub");
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(pub, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    curve_keypair_t kp = load_pair("alpha");
    char pk[CURVE_Z85_LEN + 1];
    err_t err = {{0}};
    assert_int_equal(curve_public_load(pub, pk, &err), 0);
    assert_string_equal(pk, kp.public_z85);
    /* The public key of a secret file is derivable. */
    assert_int_equal(curve_public_load(key, pk, &err), 0);
    assert_string_equal(pk, kp.public_z85);

    /* keygen refuses to overwrite without --force. */
    char base[256];
    path(base, sizeof base, "alpha");
    char *argv[] = {"keygen", base, NULL};
    assert_int_equal(keygen_main(2, argv), 1);
    char *argv2[] = {"keygen", NULL};
    assert_int_equal(keygen_main(1, argv2), 2);

    /* A public key file is not a key pair. */
    chmod(pub, 0600); /* past the permission check, to the content */
    assert_int_equal(curve_keypair_load(pub, &kp, &err), -1);
    assert_non_null(strstr(err.msg, "no secret-key"));
    chmod(pub, 0644);

    /* Secret readable by others: refused. */
    chmod(key, 0644);
    assert_int_equal(curve_keypair_load(key, &kp, &err), -1);
    assert_non_null(strstr(err.msg, "accessible to other users"));
    chmod(key, 0600);

    /* Mismatched pair. */
    keygen("beta");
    curve_keypair_t b = load_pair("beta");
    curve_keypair_t a = load_pair("alpha");
    char mixed[256];
    path(mixed, sizeof mixed, "mixed.key");
    FILE *f = fopen(mixed, "w");
    fprintf(f, "public-key = %s\nsecret-key = %s\n", a.public_z85, b.secret_z85);
    fclose(f);
    chmod(mixed, 0600);
    assert_int_equal(curve_keypair_load(mixed, &kp, &err), -1);
    assert_non_null(strstr(err.msg, "does not belong"));

    /* Malformed: the line is named. */
    char bad[256];
    path(bad, sizeof bad, "bad.pub");
    f = fopen(bad, "w");
    fprintf(f, "# comment\n\npublic-key = tooshort\n");
    fclose(f);
    assert_int_equal(curve_public_load(bad, pk, &err), -1);
    assert_non_null(strstr(err.msg, "bad.pub:3"));
    assert_int_equal(curve_key_valid("tooshort"), 0);
    assert_int_equal(curve_key_valid(a.public_z85), 1);
    /* 40 characters but one outside the Z85 alphabet. */
    char notz85[CURVE_Z85_LEN + 1];
    memcpy(notz85, a.public_z85, sizeof notz85);
    notz85[5] = '~';
    assert_int_equal(curve_key_valid(notz85), 0);

    /* Allow-lists: a file of bare keys with comments, a directory. */
    char list[256];
    path(list, sizeof list, "allow.txt");
    f = fopen(list, "w");
    fprintf(f, "# coordinators\n%s  # alpha\n%s\n", a.public_z85, b.public_z85);
    fclose(f);
    curve_allow_t *al = curve_allow_load(list, &err);
    assert_non_null(al);
    assert_int_equal(curve_allow_count(al), 2);
    uint8_t raw[32];
    zmq_z85_decode(raw, a.public_z85);
    assert_int_equal(curve_allow_contains(al, raw), 1);
    curve_allow_destroy(&al);
    curve_allow_destroy(&al);         /* safe twice */
    al = curve_allow_load(dir, &err); /* alpha, beta (.key and .pub), mixed.key refused? */
    /* mixed.key holds alpha's public key: read as a public line, fine. bad.pub
     * is malformed: the whole directory is refused, naming it. */
    assert_null(al);
    assert_non_null(strstr(err.msg, "bad.pub"));
    unlink(bad);
    al = curve_allow_load(dir, &err);
    assert_non_null(al);
    assert_int_equal(curve_allow_count(al), 2);
    curve_allow_destroy(&al);
    char empty[256];
    path(empty, sizeof empty, "empty.txt");
    f = fopen(empty, "w");
    fprintf(f, "# nobody\n");
    fclose(f);
    assert_null(curve_allow_load(empty, &err));
    assert_non_null(strstr(err.msg, "holds no public key"));
    unlink(empty);
    unlink(list);
    unlink(mixed);
}

/* ---- worker refusals ------------------------------------------------------ */

static void test_refused_from_first_instant(void **state)
{
    (void)state;
    keygen("server");
    keygen("good");
    keygen("intruder");
    keygen("fakeserver");
    char allow[256], secret[256];
    path(allow, sizeof allow, "allowed");
    mkdir(allow, 0700);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "cp '%s/good.pub' '%s/'", dir, allow);
    assert_int_equal(system(cmd), 0);
    path(secret, sizeof secret, "server.key");
    curve_keypair_t server = load_pair("server"), good = load_pair("good"),
                    intruder = load_pair("intruder"), fake = load_pair("fakeserver");

    int port = mh_free_port();
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    void *zctx = zmq_ctx_new();
    /* Every client connects and queues a PING before the worker exists, so
     * each handshake happens in the first instant the socket is bound. */
    void *ok = mh_dealer(zctx, ep, &good, server.public_z85);
    void *unknown = mh_dealer(zctx, ep, &intruder, server.public_z85);
    void *plain = mh_dealer(zctx, ep, NULL, NULL);
    void *wrongsrv = mh_dealer(zctx, ep, &good, fake.public_z85);
    assert_non_null(ok);
    assert_non_null(unknown);
    assert_non_null(plain);
    assert_non_null(wrongsrv);
    assert_int_equal(mh_send(ok, MSG_PING, NULL), 0);
    assert_int_equal(mh_send(unknown, MSG_PING, NULL), 0);
    assert_int_equal(mh_send(plain, MSG_PING, NULL), 0);
    assert_int_equal(mh_send(wrongsrv, MSG_PING, NULL), 0);

    char exe[512], bind[80], sopt[300], aopt[300];
    snprintf(exe, sizeof exe, "%s/pgopt-test-worker", mh_bin_dir());
    snprintf(bind, sizeof bind, "--bind=%s", ep);
    snprintf(sopt, sizeof sopt, "--curve-secret=%s", secret);
    snprintf(aopt, sizeof aopt, "--curve-allow=%s", allow);
    char logp[256];
    path(logp, sizeof logp, "first.log");
    char *argv[] = {exe, bind, sopt, aopt, "--heartbeat-ms", "200", NULL};
    const char *env[] = {"PGOPT_TEST_AGENT=config_tuner", "PGOPT_LOG_LEVEL=debug", NULL};
    pid_t pid = mh_spawn(argv, env, logp);

    msg_header_t h;
    if (mh_await(ok, MSG_PONG, 15000, &h) != 0) {
        char *log = proc_slurp(logp);
        fail_msg("allowed client got no PONG; worker log:\n%s", log ? log : "");
    }
    assert_string_equal(h.agent, "config_tuner");
    /* The others: nothing, however long they wait (the worker is up). */
    assert_int_equal(mh_await(unknown, MSG_PONG, 1500, NULL), -1);
    assert_int_equal(mh_await(plain, MSG_PONG, 200, NULL), -1);
    assert_int_equal(mh_await(wrongsrv, MSG_PONG, 200, NULL), -1);
    /* A JOB from the unknown key never runs either (libzmq may already have
     * dropped the refused connection, so the send itself may fail). */
    (void)mh_send_job(unknown, "x.config_tuner.1", "config_tuner", 5000);
    assert_int_equal(mh_await(unknown, MSG_PROGRESS, 500, NULL), -1);

    /* The allowed client still works and sees the refusals counted. */
    assert_int_equal(mh_send(ok, MSG_STATS, NULL), 0);
    assert_int_equal(mh_await(ok, MSG_COUNTERS, 5000, &h), 0);
    assert_true(h.auth_refused >= 1);
    assert_int_equal(h.received, 0);
    assert_string_equal(h.agent, "config_tuner");

    assert_true(log_has(logp, "curve=on"));
    assert_true(log_has(logp, "client refused"));
    assert_true(log_has(logp, intruder.public_z85));

    /* Refusals are rate-limited per address: more clients with the bad key
     * are counted (the event waited for), not logged line by line. */
    void *more[10];
    for (int i = 0; i < 10; i++) {
        more[i] = mh_dealer(zctx, ep, &intruder, server.public_z85);
        assert_int_equal(mh_send(more[i], MSG_PING, NULL), 0);
    }
    int64_t end = mh_now_ms() + 15000;
    do {
        assert_int_equal(mh_send(ok, MSG_STATS, NULL), 0);
        assert_int_equal(mh_await(ok, MSG_COUNTERS, 5000, &h), 0);
    } while (h.auth_refused < 11 && mh_now_ms() < end);
    if (h.auth_refused < 11)
        fail_msg("only %lld refusals counted", (long long)h.auth_refused);
    char *log = proc_slurp(logp);
    int lines = 0;
    for (const char *q = log; (q = strstr(q, "msg=\"client refused\" peer=\"127.0.0.1\"")); q++)
        lines++;
    if (lines != 1)
        fail_msg("%d refusal lines for 127.0.0.1 after %lld refusals (10 s window):\n%s", lines,
                 (long long)h.auth_refused, log);
    free(log);
    for (int i = 0; i < 10; i++)
        zmq_close(more[i]);

    /* Key rotation: the intruder's key joins the allow-list, SIGHUP. */
    snprintf(cmd, sizeof cmd, "cp '%s/intruder.pub' '%s/'", dir, allow);
    assert_int_equal(system(cmd), 0);
    kill(pid, SIGHUP);
    /* the reload is done when the worker says so, not after a guessed delay */
    assert_true(log_has(logp, "allow-list reloaded"));
    void *rotated = mh_dealer(zctx, ep, &intruder, server.public_z85);
    assert_int_equal(mh_send(rotated, MSG_PING, NULL), 0);
    assert_int_equal(mh_await(rotated, MSG_PONG, 5000, NULL), 0);

    zmq_close(ok);
    zmq_close(unknown);
    zmq_close(plain);
    zmq_close(wrongsrv);
    zmq_close(rotated);
    zmq_ctx_term(zctx);
    kill(pid, SIGTERM);
    int st;
    assert_true(mh_wait(pid, 10000, &st));
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_worker_bad_usage(void **state)
{
    (void)state;
    keygen("lonely");
    char secret[256], opt[300];
    path(secret, sizeof secret, "lonely.key");
    snprintf(opt, sizeof opt, "--curve-secret=%s", secret);
    const char *opts[] = {opt, NULL};
    worker_t w = start_worker("ok", opts);
    int st;
    assert_true(mh_wait(w.pid, 10000, &st));
    assert_int_equal(WEXITSTATUS(st), 2);
    char *log = proc_slurp(w.log);
    assert_non_null(strstr(log, "needs --curve-allow"));
    free(log);

    /* World-readable secret: the worker does not start. */
    chmod(secret, 0644);
    char aopt[300];
    snprintf(aopt, sizeof aopt, "--curve-allow=%s/lonely.pub", dir);
    const char *opts2[] = {opt, aopt, NULL};
    w = start_worker("ok", opts2);
    assert_true(mh_wait(w.pid, 10000, &st));
    assert_int_equal(WEXITSTATUS(st), 1);
    log = proc_slurp(w.log);
    assert_non_null(strstr(log, "accessible to other users"));
    free(log);
    chmod(secret, 0600);
}

/* ---- per-peer limit and STATS ---------------------------------------------- */

/* Without CURVE the per-peer limit is per network address: a client with
 * two sockets (a and a2, both from 127.0.0.1) holds one job, not two; a
 * client from another address (b, 127.0.0.2) gets the free slot. */
static void test_per_peer_limit(void **state)
{
    (void)state;
    const char *opts[] = {"--jobs", "2", "--max-peer-jobs", "1", NULL};
    worker_t w = start_worker("slow:1500", opts);
    void *zctx = zmq_ctx_new();
    void *a = mh_dealer(zctx, w.endpoint, NULL, NULL);
    void *a2 = mh_dealer(zctx, w.endpoint, NULL, NULL);
    char other[100];
    snprintf(other, sizeof other, "tcp://127.0.0.2:0;%s", w.endpoint + strlen("tcp://"));
    void *b = mh_dealer(zctx, other, NULL, NULL);
    assert_non_null(b);
    mh_send(a2, MSG_PING, NULL);
    assert_int_equal(mh_await(a2, MSG_PONG, 15000, NULL), 0);
    mh_send(a, MSG_PING, NULL);
    assert_int_equal(mh_await(a, MSG_PONG, 15000, NULL), 0);
    mh_send(b, MSG_PING, NULL);
    assert_int_equal(mh_await(b, MSG_PONG, 5000, NULL), 0);

    msg_header_t h;
    assert_int_equal(mh_send_job(a, "a.config_tuner.1", "config_tuner", 20000), 0);
    assert_int_equal(mh_await(a, MSG_PROGRESS, 5000, &h), 0);
    assert_string_equal(h.job, "a.config_tuner.1");
    /* A second job from the same coordinator: BUSY although a slot is free. */
    assert_int_equal(mh_send_job(a, "a.config_tuner.2", "config_tuner", 20000), 0);
    assert_int_equal(mh_await(a, MSG_BUSY, 5000, &h), 0);
    assert_string_equal(h.job, "a.config_tuner.2");
    assert_int_equal(h.load, 1);
    assert_int_equal(h.capacity, 2);
    /* ... and from its second socket */
    assert_int_equal(mh_send_job(a2, "a2.config_tuner.1", "config_tuner", 20000), 0);
    assert_int_equal(mh_await(a2, MSG_BUSY, 5000, &h), 0);
    assert_string_equal(h.job, "a2.config_tuner.1");
    /* Another coordinator gets the free slot. */
    assert_int_equal(mh_send_job(b, "b.config_tuner.1", "config_tuner", 20000), 0);
    assert_int_equal(mh_await(b, MSG_PROGRESS, 5000, &h), 0);
    assert_string_equal(h.job, "b.config_tuner.1");
    assert_int_equal(mh_await(a, MSG_RESULT, 10000, &h), 0);
    assert_int_equal(mh_await(b, MSG_RESULT, 10000, &h), 0);

    assert_int_equal(mh_send(b, MSG_STATS, NULL), 0);
    assert_int_equal(mh_await(b, MSG_COUNTERS, 5000, &h), 0);
    assert_int_equal(h.received, 2);
    assert_int_equal(h.served, 2);
    assert_int_equal(h.busy, 2);
    assert_int_equal(h.failed, 0);
    assert_int_equal(h.capacity, 2);
    assert_true(h.total_ms >= 2 * 1500);
    assert_true(h.max_ms >= 1500 && h.max_ms <= h.total_ms);
    assert_true(h.uptime_ms >= h.max_ms);
    assert_true(log_has(w.log, "per_peer_limit=reached"));
    assert_true(log_has(w.log, "msg=\"stats\""));
    zmq_close(a);
    zmq_close(a2);
    zmq_close(b);
    zmq_ctx_term(zctx);
    stop_worker(&w);
}

/* With CURVE the per-peer limit is per client key: two sockets with one key
 * hold one job; another key from the same address gets the free slot. */
static void test_per_peer_limit_curve(void **state)
{
    (void)state;
    keygen("server");
    keygen("one");
    keygen("two");
    char allow[256], secret[256], cmd[700];
    path(allow, sizeof allow, "allowed-two");
    mkdir(allow, 0700);
    snprintf(cmd, sizeof cmd, "cp '%s/one.pub' '%s/two.pub' '%s/'", dir, dir, allow);
    assert_int_equal(system(cmd), 0);
    path(secret, sizeof secret, "server.key");
    char sopt[300], aopt[300];
    snprintf(sopt, sizeof sopt, "--curve-secret=%s", secret);
    snprintf(aopt, sizeof aopt, "--curve-allow=%s", allow);
    const char *opts[] = {sopt, aopt, "--jobs", "2", "--max-peer-jobs", "1", NULL};
    worker_t w = start_worker("slow:1500", opts);
    curve_keypair_t server = load_pair("server"), one = load_pair("one"), two = load_pair("two");
    void *zctx = zmq_ctx_new();
    void *one_a = mh_dealer(zctx, w.endpoint, &one, server.public_z85);
    void *one_b = mh_dealer(zctx, w.endpoint, &one, server.public_z85);
    void *two_a = mh_dealer(zctx, w.endpoint, &two, server.public_z85);
    void *socks[] = {one_a, one_b, two_a};
    for (int i = 0; i < 3; i++) {
        assert_non_null(socks[i]);
        mh_send(socks[i], MSG_PING, NULL);
        assert_int_equal(mh_await(socks[i], MSG_PONG, 15000, NULL), 0);
    }
    msg_header_t h;
    assert_int_equal(mh_send_job(one_a, "1a.config_tuner.1", "config_tuner", 20000), 0);
    assert_int_equal(mh_await(one_a, MSG_PROGRESS, 5000, &h), 0);
    assert_int_equal(mh_send_job(one_b, "1b.config_tuner.1", "config_tuner", 20000), 0);
    assert_int_equal(mh_await(one_b, MSG_BUSY, 5000, &h), 0);
    assert_int_equal(h.load, 1);
    assert_int_equal(mh_send_job(two_a, "2a.config_tuner.1", "config_tuner", 20000), 0);
    assert_int_equal(mh_await(two_a, MSG_PROGRESS, 5000, &h), 0);
    assert_string_equal(h.job, "2a.config_tuner.1");
    char want[120];
    snprintf(want, sizeof want, "peer=\"key:%s\"", one.public_z85);
    assert_true(log_has(w.log, want));
    assert_int_equal(mh_await(one_a, MSG_RESULT, 10000, &h), 0);
    assert_int_equal(mh_await(two_a, MSG_RESULT, 10000, &h), 0);
    for (int i = 0; i < 3; i++)
        zmq_close(socks[i]);
    zmq_ctx_term(zctx);
    stop_worker(&w);
}

/* ---- coordinator side ------------------------------------------------------- */

static void test_fleet_over_curve(void **state)
{
    (void)state;
    keygen("w1");
    keygen("coord");
    char secret[256], aopt[300], sopt[300], ckey[256], wpub[256];
    path(secret, sizeof secret, "w1.key");
    path(ckey, sizeof ckey, "coord.key");
    path(wpub, sizeof wpub, "w1.pub");
    snprintf(sopt, sizeof sopt, "--curve-secret=%s", secret);
    snprintf(aopt, sizeof aopt, "--curve-allow=%s/coord.pub", dir);
    const char *opts[] = {sopt, aopt, NULL};
    worker_t w = start_worker("ok", opts);

    fleet_opts_t fo;
    fleet_opts_init(&fo);
    fo.discover_ms = 10000;
    fo.timeout_ms = 20000;
    err_t err = {{0}};
    assert_int_equal(fleet_opts_load_curve(&fo, ckey, wpub, &err), 0);
    fleet_t *f = fleet_new(&fo);
    assert_int_equal(fleet_add_endpoint(f, w.endpoint), 1);
    assert_int_equal(fleet_is_secure(f), 1);
    const char *agents[] = {"config_tuner"};
    char *buf = NULL;
    size_t len = 0;
    json_t *snap = json_pack("{s:{s:i}}", "meta", "format_version", 1);
    assert_int_equal(codec_encode(snap, &buf, &len, &err), 0);
    json_decref(snap);
    zmq_msg_t body;
    assert_int_equal(transport_body_from_buffer(&body, buf, len, &err), 0);
    agent_outcome_t out[1];
    assert_int_equal(fleet_run(f, agents, 1, &body, out), 0);
    if (out[0].status != AGENT_OK)
        fail_msg("over CURVE: %s: %s", agent_status_name(out[0].status), out[0].error);
    fleet_outcomes_clear(out, 1);
    fleet_destroy(&f);
    fleet_destroy(&f);

    /* The same worker through a coordinator key it does not know: refused,
     * so the agent is unavailable (no PONG), not served. */
    keygen("stranger");
    char skey[256];
    path(skey, sizeof skey, "stranger.key");
    fleet_opts_t fo2;
    fleet_opts_init(&fo2);
    fo2.discover_ms = 1500;
    assert_int_equal(fleet_opts_load_curve(&fo2, skey, wpub, &err), 0);
    f = fleet_new(&fo2);
    assert_int_equal(fleet_add_endpoint(f, w.endpoint), 1);
    assert_int_equal(fleet_run(f, agents, 1, &body, out), 0);
    assert_int_equal(out[0].status, AGENT_UNAVAILABLE);
    fleet_outcomes_clear(out, 1);
    fleet_destroy(&f);

    /* Plaintext to another host is not secure; ipc is; CURVE without a
     * server key cannot be used for tcp. */
    fleet_opts_t plain;
    fleet_opts_init(&plain);
    f = fleet_new(&plain);
    assert_int_equal(fleet_add_endpoint(f, "ipc:///tmp/pgopt-nonexistent.sock"), 1);
    assert_int_equal(fleet_is_secure(f), 1);
    assert_int_equal(fleet_add_endpoint(f, "tcp://192.0.2.1:5701"), 1);
    assert_int_equal(fleet_is_secure(f), 0);
    assert_int_equal(fleet_all_local(f), 0);
    fleet_destroy(&f);
    fleet_opts_t nokey;
    fleet_opts_init(&nokey);
    assert_int_equal(fleet_opts_load_curve(&nokey, ckey, NULL, &err), 0);
    f = fleet_new(&nokey);
    assert_int_equal(fleet_add_endpoint(f, "tcp://192.0.2.1:5701"), -1);
    assert_non_null(strstr(fleet_error(f), "no public key of this worker"));
    assert_int_equal(fleet_add_endpoint_key(f, "tcp://192.0.2.1:5701", "short"), -1);
    curve_keypair_t wk = load_pair("w1");
    assert_int_equal(fleet_add_endpoint_key(f, "tcp://192.0.2.1:5701", wk.public_z85), 1);
    assert_int_equal(fleet_add_endpoint(f, "ipc:///tmp/pgopt-nonexistent.sock"), 1);
    assert_int_equal(fleet_is_secure(f), 1);
    fleet_destroy(&f);

    /* The ping tool, with and without the keys. */
    char *pargv[] = {"ping", "--timeout",      "8000", "--stats",  "--curve-secret",
                     ckey,   "--curve-server", wpub,   w.endpoint, NULL};
    assert_int_equal(ping_main(9, pargv), 0);
    char *pargv2[] = {"ping", "--timeout", "1000", w.endpoint, NULL};
    assert_int_equal(ping_main(4, pargv2), 1);
    char *pargv3[] = {"ping", NULL};
    assert_int_equal(ping_main(1, pargv3), 2);

    zmq_msg_close(&body);
    stop_worker(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_files),
        cmocka_unit_test(test_refused_from_first_instant),
        cmocka_unit_test(test_worker_bad_usage),
        cmocka_unit_test(test_per_peer_limit),
        cmocka_unit_test(test_per_peer_limit_curve),
        cmocka_unit_test(test_fleet_over_curve),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
