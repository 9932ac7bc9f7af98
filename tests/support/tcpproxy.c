/* tcpproxy.c - see tcpproxy.h. One thread, poll(), non-blocking sockets. */
#include "tests/support/tcpproxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"

#define CHUNK_MAX  65536
#define QUEUE_MAX  (1024 * 1024) /* per direction; reading pauses above it */
#define CONN_SLOTS 64

typedef struct chunk {
    struct chunk *next;
    int64_t release_at;
    size_t len, off;
    char data[];
} chunk_t;

typedef struct {
    chunk_t *head, *tail;
    size_t queued;
} queue_t;

/* Side 0 is the client, side 1 the server; q[i] holds bytes read from side i
 * on their way to the other side. */
typedef struct {
    int used;
    int fd[2];
    int eof[2];
    queue_t q[2];
    int64_t from_server;
    int64_t freeze_after;
    int frozen;
} conn_t;

struct tcpproxy {
    int lfd, port;
    struct sockaddr_storage target;
    socklen_t target_len;
    int wake[2];
    pthread_t thread;
    int running;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    int freeze_all;
    int64_t freeze_after;
    char freeze_on[128]; /* "" = none */
    int lat_min, lat_max;
    int accepted, frozen;
    int64_t delayed; /* client chunks held by the latency */

    conn_t conns[CONN_SLOTS]; /* proxy thread only */
    unsigned seed;
};

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void queue_free(queue_t *q)
{
    while (q->head) {
        chunk_t *c = q->head;
        q->head = c->next;
        free(c);
    }
    q->tail = NULL;
    q->queued = 0;
}

static void conn_close(conn_t *c)
{
    for (int i = 0; i < 2; i++) {
        if (c->fd[i] >= 0)
            close(c->fd[i]);
        queue_free(&c->q[i]);
    }
    memset(c, 0, sizeof *c);
}

static void wake(tcpproxy_t *p)
{
    char b = 1;
    ssize_t w = write(p->wake[1], &b, 1);
    (void)w;
}

static void mark_frozen(tcpproxy_t *p, conn_t *c)
{
    if (c->frozen)
        return;
    c->frozen = 1;
    pthread_mutex_lock(&p->mu);
    p->frozen++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void accept_one(tcpproxy_t *p)
{
    int cfd = accept(p->lfd, NULL, NULL);
    if (cfd < 0)
        return;
    int slot = -1;
    for (int i = 0; i < CONN_SLOTS && slot < 0; i++)
        if (!p->conns[i].used)
            slot = i;
    int sfd = slot >= 0 ? socket(p->target.ss_family, SOCK_STREAM, 0) : -1;
    if (sfd < 0 || connect(sfd, (struct sockaddr *)&p->target, p->target_len) != 0) {
        fprintf(stderr, "tcpproxy: cannot reach the target: %s\n", strerror(errno));
        if (sfd >= 0)
            close(sfd);
        close(cfd);
        return;
    }
    int one = 1;
    setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(sfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    set_nonblock(cfd);
    set_nonblock(sfd);
    conn_t *c = &p->conns[slot];
    memset(c, 0, sizeof *c);
    c->used = 1;
    c->fd[0] = cfd;
    c->fd[1] = sfd;
    pthread_mutex_lock(&p->mu);
    c->freeze_after = p->freeze_after;
    p->accepted++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* 1 when the len bytes at data contain needle. */
static int contains(const char *data, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n && i + n <= len; i++)
        if (memcmp(data + i, needle, n) == 0)
            return 1;
    return 0;
}

/* Reads what side i has to say into q[i]. */
static void read_side(tcpproxy_t *p, conn_t *c, int i, int lat_min, int lat_max,
                      const char *freeze_on)
{
    chunk_t *ch = malloc(sizeof *ch + CHUNK_MAX);
    if (!ch)
        return;
    ssize_t n = read(c->fd[i], ch->data, CHUNK_MAX);
    if (n <= 0) {
        free(ch);
        if (n == 0 || (errno != EAGAIN && errno != EINTR))
            c->eof[i] = 1;
        return;
    }
    if (i == 0 && freeze_on[0] && contains(ch->data, (size_t)n, freeze_on)) {
        free(ch); /* the client's message never arrives */
        mark_frozen(p, c);
        return;
    }
    int64_t now = clock_mono_ms();
    int64_t delay = 0;
    if (i == 0 && lat_max > 0) {
        delay = lat_min + (lat_max > lat_min ? rand_r(&p->seed) % (lat_max - lat_min + 1) : 0);
        pthread_mutex_lock(&p->mu);
        p->delayed++;
        pthread_mutex_unlock(&p->mu);
    }
    ch->next = NULL;
    ch->len = (size_t)n;
    ch->off = 0;
    ch->release_at = now + delay;
    queue_t *q = &c->q[i];
    if (q->tail && q->tail->release_at > ch->release_at)
        ch->release_at = q->tail->release_at; /* keep the byte order */
    if (q->tail)
        q->tail->next = ch;
    else
        q->head = ch;
    q->tail = ch;
    q->queued += (size_t)n;
    if (i == 1) {
        c->from_server += n;
        if (c->freeze_after >= 0 && c->from_server >= c->freeze_after)
            mark_frozen(p, c);
    }
}

/* Writes released bytes of q[i] to the other side. */
static void write_side(conn_t *c, int i, int64_t now)
{
    queue_t *q = &c->q[i];
    while (q->head && q->head->release_at <= now) {
        chunk_t *ch = q->head;
        ssize_t n = write(c->fd[!i], ch->data + ch->off, ch->len - ch->off);
        if (n <= 0) {
            if (n < 0 && errno != EAGAIN && errno != EINTR)
                c->eof[!i] = 1;
            return;
        }
        ch->off += (size_t)n;
        q->queued -= (size_t)n;
        if (ch->off < ch->len)
            return;
        q->head = ch->next;
        if (!q->head)
            q->tail = NULL;
        free(ch);
    }
}

static void *proxy_main(void *arg)
{
    tcpproxy_t *p = arg;
    struct pollfd fds[2 + 2 * CONN_SLOTS];
    int owner[2 + 2 * CONN_SLOTS];
    for (;;) {
        pthread_mutex_lock(&p->mu);
        int stop = p->stop, freeze_all = p->freeze_all, lat_min = p->lat_min, lat_max = p->lat_max;
        char freeze_on[sizeof p->freeze_on];
        memcpy(freeze_on, p->freeze_on, sizeof freeze_on);
        p->freeze_all = 0;
        pthread_mutex_unlock(&p->mu);
        if (stop)
            break;
        if (freeze_all)
            for (int i = 0; i < CONN_SLOTS; i++)
                if (p->conns[i].used)
                    mark_frozen(p, &p->conns[i]);
        int64_t now = clock_mono_ms();
        int64_t next = -1;
        int n = 0;
        fds[n] = (struct pollfd){.fd = p->wake[0], .events = POLLIN};
        owner[n++] = -1;
        fds[n] = (struct pollfd){.fd = p->lfd, .events = POLLIN};
        owner[n++] = -1;
        for (int k = 0; k < CONN_SLOTS; k++) {
            conn_t *c = &p->conns[k];
            if (!c->used || c->frozen)
                continue;
            for (int i = 0; i < 2; i++) {
                short ev = 0;
                if (!c->eof[i] && c->q[i].queued < QUEUE_MAX)
                    ev |= POLLIN;
                /* bytes toward side i come from q[!i] */
                chunk_t *h = c->q[!i].head;
                if (h && h->release_at <= now)
                    ev |= POLLOUT;
                else if (h && (next < 0 || h->release_at < next))
                    next = h->release_at;
                fds[n] = (struct pollfd){.fd = c->fd[i], .events = ev};
                owner[n++] = k * 2 + i;
            }
        }
        int timeout = next < 0 ? -1 : (int)(next > now ? next - now : 0);
        if (poll(fds, (nfds_t)n, timeout) < 0 && errno != EINTR)
            break;
        if (fds[0].revents & POLLIN) {
            char buf[64];
            while (read(p->wake[0], buf, sizeof buf) > 0)
                ;
        }
        if (fds[1].revents & POLLIN)
            accept_one(p);
        now = clock_mono_ms();
        for (int j = 2; j < n; j++) {
            conn_t *c = &p->conns[owner[j] / 2];
            int i = owner[j] % 2;
            if (!c->used || c->frozen)
                continue;
            if (fds[j].revents & (POLLIN | POLLHUP | POLLERR))
                read_side(p, c, i, lat_min, lat_max, freeze_on);
        }
        for (int k = 0; k < CONN_SLOTS; k++) {
            conn_t *c = &p->conns[k];
            if (!c->used || c->frozen)
                continue;
            write_side(c, 0, now);
            write_side(c, 1, now);
            /* A side that closed: once what it sent has gone on, close both. */
            if ((c->eof[0] && !c->q[0].head) || (c->eof[1] && !c->q[1].head))
                conn_close(c);
        }
    }
    return NULL;
}

tcpproxy_t *tcpproxy_start(const char *target_host, int target_port)
{
    tcpproxy_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->lfd = -1;
    p->wake[0] = p->wake[1] = -1;
    p->freeze_after = -1;
    p->seed = (unsigned)getpid();
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", target_port);
    int rc = getaddrinfo(target_host, port, &hints, &ai);
    if (rc != 0 || !ai) {
        fprintf(stderr, "tcpproxy: %s: %s\n", target_host, gai_strerror(rc));
        tcpproxy_destroy(&p);
        return NULL;
    }
    memcpy(&p->target, ai->ai_addr, ai->ai_addrlen);
    p->target_len = ai->ai_addrlen;
    freeaddrinfo(ai);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    p->lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (p->lfd < 0 || bind(p->lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(p->lfd, 64) != 0 || getsockname(p->lfd, (struct sockaddr *)&a, &alen) != 0 ||
        pipe(p->wake) != 0) {
        fprintf(stderr, "tcpproxy: cannot listen: %s\n", strerror(errno));
        tcpproxy_destroy(&p);
        return NULL;
    }
    p->port = ntohs(a.sin_port);
    set_nonblock(p->lfd);
    set_nonblock(p->wake[0]);
    if (pthread_create(&p->thread, NULL, proxy_main, p) != 0) {
        fprintf(stderr, "tcpproxy: cannot start its thread\n");
        tcpproxy_destroy(&p);
        return NULL;
    }
    p->running = 1;
    return p;
}

void tcpproxy_destroy(tcpproxy_t **pp)
{
    if (!pp || !*pp)
        return;
    tcpproxy_t *p = *pp;
    if (p->running) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_mutex_unlock(&p->mu);
        wake(p);
        pthread_join(p->thread, NULL);
    }
    for (int i = 0; i < CONN_SLOTS; i++)
        if (p->conns[i].used)
            conn_close(&p->conns[i]);
    if (p->lfd >= 0)
        close(p->lfd);
    for (int i = 0; i < 2; i++)
        if (p->wake[i] >= 0)
            close(p->wake[i]);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
    *pp = NULL;
}

int tcpproxy_port(const tcpproxy_t *p)
{
    return p ? p->port : -1;
}

int tcpproxy_accepted(tcpproxy_t *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->accepted;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void tcpproxy_freeze_after(tcpproxy_t *p, int64_t server_bytes)
{
    pthread_mutex_lock(&p->mu);
    p->freeze_after = server_bytes;
    pthread_mutex_unlock(&p->mu);
}

void tcpproxy_freeze_on_client(tcpproxy_t *p, const char *needle)
{
    pthread_mutex_lock(&p->mu);
    snprintf(p->freeze_on, sizeof p->freeze_on, "%s", needle ? needle : "");
    pthread_mutex_unlock(&p->mu);
    wake(p);
}

void tcpproxy_freeze_all(tcpproxy_t *p)
{
    pthread_mutex_lock(&p->mu);
    p->freeze_all = 1;
    pthread_mutex_unlock(&p->mu);
    wake(p);
}

int tcpproxy_wait_frozen(tcpproxy_t *p, int n, int timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    while (p->frozen < n)
        if (pthread_cond_timedwait(&p->cv, &p->mu, &until) != 0)
            break;
    int got = p->frozen;
    pthread_mutex_unlock(&p->mu);
    return got;
}

int64_t tcpproxy_delayed(tcpproxy_t *p)
{
    pthread_mutex_lock(&p->mu);
    int64_t n = p->delayed;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void tcpproxy_set_latency(tcpproxy_t *p, int min_ms, int max_ms)
{
    pthread_mutex_lock(&p->mu);
    p->lat_min = min_ms;
    p->lat_max = max_ms < min_ms ? min_ms : max_ms;
    pthread_mutex_unlock(&p->mu);
    wake(p);
}
