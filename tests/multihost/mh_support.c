/* mh_support.c - see mh_support.h. */
#include "mh_support.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "proto/transport.h"

extern char **environ;

int64_t mh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mh_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

const char *mh_bin_dir(void)
{
    const char *d = getenv("PGOPT_BIN_DIR");
    if (!d || !*d) {
        fprintf(stderr, "PGOPT_BIN_DIR is not set (run through ctest)\n");
        exit(1);
    }
    return d;
}

int mh_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

pid_t mh_spawn(char *const argv[], const char *const *env_extra, const char *log_path)
{
    size_t n = 0, m = 0;
    while (environ[n])
        n++;
    while (env_extra && env_extra[m])
        m++;
    char **env = calloc(n + m + 1, sizeof *env);
    if (!env)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "PGOPT_TEST_", 11) != 0 && strncmp(environ[i], "PGOPT_CURVE", 11))
            env[k++] = environ[i];
    for (size_t i = 0; i < m; i++)
        env[k++] = (char *)env_extra[i];
    int fd = log_path ? open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600) : -1;
    pid_t pid = fork();
    if (pid == 0) {
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
    free(env);
    return pid;
}

int mh_wait(pid_t pid, int timeout_ms, int *status)
{
    int64_t end = mh_now_ms() + timeout_ms;
    for (;;) {
        if (waitpid(pid, status, WNOHANG) == pid)
            return 1;
        if (mh_now_ms() >= end)
            return 0;
        mh_sleep_ms(10);
    }
}

void mh_kill(pid_t pid)
{
    if (pid <= 0)
        return;
    int st;
    kill(pid, SIGKILL);
    mh_wait(pid, 5000, &st);
}

void *mh_dealer(void *zctx, const char *endpoint, const curve_keypair_t *kp,
                const char *server_public)
{
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    err_t err = {{0}};
    if (!s || transport_setup_socket(s, 1 << 20, 0, &err) != 0)
        return NULL;
    if (kp && curve_setup_client(s, kp, server_public, &err) != 0) {
        fprintf(stderr, "mh_dealer: %s\n", err.msg);
        zmq_close(s);
        return NULL;
    }
    if (zmq_connect(s, endpoint) != 0) {
        zmq_close(s);
        return NULL;
    }
    return s;
}

int mh_send(void *sock, msg_type_t type, const char *job)
{
    msg_header_t h;
    msg_header_init(&h, type);
    if (job)
        snprintf(h.job, sizeof h.job, "%s", job);
    err_t err = {{0}};
    return transport_send(sock, NULL, 0, &h, NULL, &err);
}

int mh_send_job(void *sock, const char *job, const char *agent, int64_t deadline_ms)
{
    /* {"meta": {"format_version": 1}} in msgpack. */
    static const char snap[] = "\x81\xa4meta\x81\xae"
                               "format_version\x01";
    msg_header_t h;
    msg_header_init(&h, MSG_JOB);
    snprintf(h.job, sizeof h.job, "%s", job);
    snprintf(h.agent, sizeof h.agent, "%s", agent);
    h.deadline_ms = deadline_ms;
    h.progress_ms = 100;
    zmq_msg_t body;
    zmq_msg_init_size(&body, sizeof snap - 1);
    memcpy(zmq_msg_data(&body), snap, sizeof snap - 1);
    err_t err = {{0}};
    int rc = transport_send(sock, NULL, 0, &h, &body, &err);
    zmq_msg_close(&body);
    return rc;
}

int mh_await(void *sock, msg_type_t want, int timeout_ms, msg_header_t *h)
{
    int64_t end = mh_now_ms() + timeout_ms;
    for (;;) {
        int64_t left = end - mh_now_ms();
        if (left <= 0)
            return -1;
        zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, (long)left) <= 0)
            continue;
        transport_msg_t m;
        err_t err = {{0}};
        int rc = transport_recv(sock, 0, &m, &err);
        if (rc == 1)
            continue;
        msg_type_t t = m.hdr.type;
        if (rc == 0 && t == want && h)
            *h = m.hdr;
        transport_msg_close(&m);
        if (rc == 0 && t == want)
            return 0;
    }
}
