/* curve.c - see curve.h. */
#include "proto/curve.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "common/alloc.h"
#include "common/clock.h"
#include "common/escape.h"
#include "common/log.h"

/* Largest key file read: a key file is under 200 bytes; an allow-list file
 * of a few thousand keys fits easily. */
#define KEYFILE_MAX (1024 * 1024)
#define ALLOW_MAX   65536

static const char z85_chars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                ".-:+=^!/*?&<>()[]{}@%$#";

int curve_key_valid(const char *s)
{
    if (!s || strlen(s) != CURVE_Z85_LEN)
        return 0;
    for (int i = 0; i < CURVE_Z85_LEN; i++)
        if (!strchr(z85_chars, s[i]))
            return 0;
    uint8_t raw[32];
    /* Z85 digits above the 32-bit range decode to garbage: zmq_z85_decode
     * does not check; a valid key re-encodes to the same text. */
    if (!zmq_z85_decode(raw, s))
        return 0;
    char back[CURVE_Z85_LEN + 1];
    if (!zmq_z85_encode(back, raw, sizeof raw))
        return 0;
    return strcmp(back, s) == 0;
}

int curve_keypair_generate(curve_keypair_t *kp, err_t *err)
{
    memset(kp, 0, sizeof *kp);
    if (zmq_curve_keypair(kp->public_z85, kp->secret_z85) != 0)
        return err_set(err, "zmq_curve_keypair: %s (is libzmq built with CURVE?)",
                       zmq_strerror(errno));
    return 0;
}

/* Writes text to path with mode (also on an existing file when force
 * replaces it) and fsyncs it. -1 with err (path and reason) when it exists
 * without force or cannot be written. */
static int write_file(const char *path, const char *text, mode_t mode, int force, err_t *err)
{
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
    int fd = open(path, flags, mode);
    if (fd < 0)
        return err_set(err, "%s: %s%s", path, strerror(errno),
                       errno == EEXIST ? " (use --force to replace it)" : "");
    /* An existing file keeps its mode on O_TRUNC: a secret must not stay
     * readable because the old file was. */
    if (fchmod(fd, mode) != 0) {
        int e = errno;
        close(fd);
        return err_set(err, "%s: chmod: %s", path, strerror(e));
    }
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            return err_set(err, "%s: write: %s", path, strerror(e));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0)
        return err_set(err, "%s: %s", path, strerror(errno));
    return 0;
}

int curve_keypair_write(const curve_keypair_t *kp, const char *secret_path, const char *public_path,
                        int force, err_t *err)
{
    if (!curve_key_valid(kp->public_z85) || !curve_key_valid(kp->secret_z85))
        return err_set(err, "refusing to write an invalid key pair");
    char text[256];
    snprintf(text, sizeof text,
             "# pgopt CURVE secret key: keep it private (mode 0600)\n"
             "public-key = %s\nsecret-key = %s\n",
             kp->public_z85, kp->secret_z85);
    if (write_file(secret_path, text, 0600, force, err) != 0)
        return -1;
    snprintf(text, sizeof text, "# pgopt CURVE public key\npublic-key = %s\n", kp->public_z85);
    return write_file(public_path, text, 0644, force, err);
}

/* Reads a whole small text file; checks "others" permissions for secrets. */
static char *read_text(const char *path, int secret, err_t *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err_set(err, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        err_set(err, "%s: not a regular file", path);
        return NULL;
    }
    if (secret && (st.st_mode & (S_IROTH | S_IWOTH))) {
        close(fd);
        err_set(err, "%s: secret key file is accessible to other users (mode %04o); chmod 600 it",
                path, (unsigned)(st.st_mode & 07777));
        return NULL;
    }
    if (st.st_size > KEYFILE_MAX) {
        close(fd);
        err_set(err, "%s: %lld bytes, more than a key file can be (%d)", path,
                (long long)st.st_size, KEYFILE_MAX);
        return NULL;
    }
    char *buf = xmalloc((size_t)st.st_size + 1); /* at most KEYFILE_MAX + 1 */
    size_t off = 0;
    while (off < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + off, (size_t)st.st_size - off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        off += (size_t)r;
    }
    close(fd);
    buf[off] = '\0';
    if (memchr(buf, '\0', off)) {
        free(buf);
        err_set(err, "%s: contains a NUL byte, not a key file", path);
        return NULL;
    }
    return buf;
}

/* s without leading blanks and trailing blanks or CR (in place). */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* Parses key file text: "public-key = K", "secret-key = K", or bare keys
 * (one per line). Calls found(kind, key) for each; kind is 'p', 's' or 'b'.
 * Returns -1 naming the line of anything else. */
typedef int (*key_found_fn)(void *arg, char kind, const char *key, const char *where, err_t *err);

/* Reads a key file's lines (text, modified in place): comments and blank
 * lines skipped, "public-key = K" / "secret-key = K" or a bare key (kinds
 * 'p', 's', 'b') handed to found with file:line. -1 with err naming the line
 * on an unknown setting or a malformed key, or when found fails. */
static int parse_keys(char *text, const char *path, key_found_fn found, void *arg, err_t *err)
{
    int lineno = 0;
    for (char *line = text; line; lineno++) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        char *s = trim(line);
        line = next;
        if (*s == '\0' || *s == '#')
            continue;
        char where[300];
        snprintf(where, sizeof where, "%s:%d", path, lineno + 1);
        char kind = 'b';
        char *value = s;
        char *eq = strchr(s, '=');
        /* '=' is a Z85 digit too: a "name = value" line has a known name. */
        if (eq && (strncmp(s, "public-key", 10) == 0 || strncmp(s, "secret-key", 10) == 0)) {
            *eq = '\0';
            char *name = trim(s);
            value = trim(eq + 1);
            if (strcmp(name, "public-key") == 0)
                kind = 'p';
            else if (strcmp(name, "secret-key") == 0)
                kind = 's';
            else
                return err_set(err, "%s: unknown setting '%.40s'", where, name);
        } else {
            /* A bare key may be followed by a comment: "KEY  # alice". */
            char *sp = strpbrk(value, " \t");
            if (sp)
                *sp = '\0';
        }
        if (!curve_key_valid(value))
            return err_set(err, "%s: not a CURVE key (expected 40 characters of Z85, got %zu)",
                           where, strlen(value));
        if (found(arg, kind, value, where, err) != 0)
            return -1;
    }
    return 0;
}

typedef struct {
    curve_keypair_t kp;
    int nbare;
} pair_parse_t;

/* parse_keys callback of a key pair file: keeps the public and secret key;
 * -1 with err when one is given twice or a bare key comes with another. */
static int pair_found(void *arg, char kind, const char *key, const char *where, err_t *err)
{
    pair_parse_t *p = arg;
    char *dst = kind == 's' ? p->kp.secret_z85 : p->kp.public_z85;
    if (kind == 'b') {
        if (p->nbare++ > 0 || p->kp.public_z85[0])
            return err_set(err, "%s: more than one key in a key file", where);
    } else if (dst[0]) {
        return err_set(err, "%s: %s-key given twice", where, kind == 's' ? "secret" : "public");
    }
    snprintf(dst, CURVE_Z85_LEN + 1, "%s", key);
    return 0;
}

int curve_keypair_load(const char *path, curve_keypair_t *kp, err_t *err)
{
    memset(kp, 0, sizeof *kp);
    char *text = read_text(path, 1, err);
    if (!text)
        return -1;
    pair_parse_t p;
    memset(&p, 0, sizeof p);
    int rc = parse_keys(text, path, pair_found, &p, err);
    free(text);
    if (rc != 0)
        return -1;
    if (!p.kp.secret_z85[0])
        return err_set(err, "%s: no secret-key line (is this a .pub file?)", path);
    char derived[CURVE_Z85_LEN + 1];
    if (zmq_curve_public(derived, p.kp.secret_z85) != 0)
        return err_set(err, "%s: cannot derive the public key: %s", path, zmq_strerror(errno));
    if (p.kp.public_z85[0] && strcmp(derived, p.kp.public_z85) != 0)
        return err_set(err, "%s: public-key does not belong to secret-key", path);
    snprintf(p.kp.public_z85, sizeof p.kp.public_z85, "%s", derived);
    *kp = p.kp;
    return 0;
}

int curve_public_load(const char *path, char out[CURVE_Z85_LEN + 1], err_t *err)
{
    out[0] = '\0';
    char *text = read_text(path, 0, err);
    if (!text)
        return -1;
    pair_parse_t p;
    memset(&p, 0, sizeof p);
    int rc = parse_keys(text, path, pair_found, &p, err);
    free(text);
    if (rc != 0)
        return -1;
    if (!p.kp.public_z85[0] && p.kp.secret_z85[0] &&
        zmq_curve_public(p.kp.public_z85, p.kp.secret_z85) != 0)
        return err_set(err, "%s: cannot derive the public key", path);
    if (!p.kp.public_z85[0])
        return err_set(err, "%s: no public key in the file", path);
    memcpy(out, p.kp.public_z85, CURVE_Z85_LEN + 1);
    return 0;
}

/* ---- allow-list ---------------------------------------------------------- */

struct curve_allow {
    uint8_t (*keys)[32];
    int n;
    int cap;
};

/* Adds the Z85 key to the allow-list (a duplicate is ignored). -1 with err
 * at where when it is not a key or the list is full (ALLOW_MAX). */
static int allow_add(curve_allow_t *a, const char *z85, const char *where, err_t *err)
{
    uint8_t raw[32];
    if (!zmq_z85_decode(raw, z85))
        return err_set(err, "%s: not a CURVE key", where);
    for (int i = 0; i < a->n; i++)
        if (memcmp(a->keys[i], raw, 32) == 0)
            return 0;
    if (a->n >= ALLOW_MAX)
        return err_set(err, "%s: more than %d keys in the allow-list", where, ALLOW_MAX);
    if (a->n == a->cap) {
        int cap = a->cap ? a->cap * 2 : 16;
        a->keys = xreallocarray(a->keys, (size_t)cap, 32);
        a->cap = cap;
    }
    memcpy(a->keys[a->n++], raw, 32);
    return 0;
}

static int allow_found(void *arg, char kind, const char *key, const char *where, err_t *err)
{
    if (kind == 's')
        return 0; /* a .key file in the directory: its public line counts */
    return allow_add(arg, key, where, err);
}

/* A .key file listed in an allow-list: only its public key, without the
 * secret-file permission check (the worker must never need a client's
 * secret, but an operator may drop whole key files in the directory). */
static int allow_file(curve_allow_t *a, const char *path, err_t *err)
{
    char *text = read_text(path, 0, err);
    if (!text)
        return -1;
    int rc = parse_keys(text, path, allow_found, a, err);
    free(text);
    return rc;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

curve_allow_t *curve_allow_load(const char *path, err_t *err)
{
    curve_allow_t *a = xcalloc(1, sizeof *a);
    struct stat st;
    if (stat(path, &st) != 0) {
        err_set(err, "allow-list %s: %s", path, strerror(errno));
        curve_allow_destroy(&a);
        return NULL;
    }
    int rc = 0;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d) {
            err_set(err, "allow-list %s: %s", path, strerror(errno));
            curve_allow_destroy(&a);
            return NULL;
        }
        struct dirent *e;
        while (rc == 0 && (e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' ||
                (!has_suffix(e->d_name, ".pub") && !has_suffix(e->d_name, ".key")))
                continue;
            char file[4096];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            struct stat fst;
            /* Kubernetes mounts secrets as symlinks into a ..data dir. */
            if (stat(file, &fst) != 0 || !S_ISREG(fst.st_mode))
                continue;
            rc = allow_file(a, file, err);
        }
        closedir(d);
    } else {
        rc = allow_file(a, path, err);
    }
    if (rc == 0 && a->n == 0) {
        err_set(err, "allow-list %s holds no public key (a worker would refuse every client)",
                path);
        rc = -1;
    }
    if (rc != 0)
        curve_allow_destroy(&a);
    return a;
}

void curve_allow_destroy(curve_allow_t **self)
{
    if (!self || !*self)
        return;
    free((*self)->keys);
    free(*self);
    *self = NULL;
}

int curve_allow_count(const curve_allow_t *self)
{
    return self ? self->n : 0;
}

int curve_allow_contains(const curve_allow_t *self, const uint8_t key[32])
{
    for (int i = 0; self && i < self->n; i++)
        if (memcmp(self->keys[i], key, 32) == 0)
            return 1;
    return 0;
}

/* ---- ZAP handler ----------------------------------------------------------- */

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

/* Refusals are logged once per peer address and then at most once per
 * window, with the number not logged since: a client retrying with a bad
 * key (libzmq reconnects every 100 ms) or a flood from one host otherwise
 * writes hundreds of lines a second. The table is the ZAP thread's own; an
 * address not in it takes the slot of the one seen least recently. */
#define REFUSAL_LOG_SLOTS     64
#define REFUSAL_LOG_WINDOW_MS 10000

typedef struct {
    char address[64];
    int64_t logged_at; /* 0: free slot */
    int64_t seen_at;
    uint64_t unlogged;
} refusal_log_t;

struct curve_zap {
    void *rep;      /* bound to ZAP_ENDPOINT; owned by the thread once started */
    void *ctl_main; /* PAIR: the stop signal */
    void *ctl_thread;
    pthread_t thread;
    pthread_mutex_t lock; /* guards allow */
    curve_allow_t *allow;
    atomic_ullong accepted;
    atomic_ullong refused;
    refusal_log_t refusals[REFUSAL_LOG_SLOTS];
};

/* 1 when this refusal from address is to be logged now; *unlogged is the
 * number of refusals from it that were not logged since its last line. */
static int refusal_should_log(curve_zap_t *z, const char *address, uint64_t *unlogged)
{
    int64_t now = clock_mono_ms();
    refusal_log_t *slot = NULL;
    for (int i = 0; i < REFUSAL_LOG_SLOTS && !slot; i++)
        if (z->refusals[i].logged_at && strcmp(z->refusals[i].address, address) == 0)
            slot = &z->refusals[i];
    if (!slot) {
        slot = &z->refusals[0];
        for (int i = 0; i < REFUSAL_LOG_SLOTS && slot->logged_at; i++)
            if (!z->refusals[i].logged_at || z->refusals[i].seen_at < slot->seen_at)
                slot = &z->refusals[i];
        memset(slot, 0, sizeof *slot);
        snprintf(slot->address, sizeof slot->address, "%s", address);
    }
    slot->seen_at = now;
    if (slot->logged_at && now - slot->logged_at < REFUSAL_LOG_WINDOW_MS) {
        slot->unlogged++;
        return 0;
    }
    *unlogged = slot->unlogged;
    slot->unlogged = 0;
    slot->logged_at = now;
    return 1;
}

static int send_frame(void *sock, const void *data, size_t len, int more)
{
    return zmq_send(sock, data, len, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

/* Sends one ZAP reply (RFC 27): version, request id, status code and text,
 * user id, no metadata. */
static void zap_reply(void *rep, const zmq_msg_t *request_id, const char *code, const char *text,
                      const char *user_id)
{
    send_frame(rep, "1.0", 3, 1);
    send_frame(rep, zmq_msg_data((zmq_msg_t *)request_id), zmq_msg_size((zmq_msg_t *)request_id),
               1);
    send_frame(rep, code, strlen(code), 1);
    send_frame(rep, text, strlen(text), 1);
    send_frame(rep, user_id, strlen(user_id), 1);
    send_frame(rep, "", 0, 0); /* no metadata */
}

/* Reads one ZAP request (all its frames) and answers it. */
static void zap_handle(curve_zap_t *z)
{
    enum { MAXF = 8 };
    zmq_msg_t f[MAXF];
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t tmp;
        zmq_msg_init(&tmp);
        if (zmq_msg_recv(&tmp, z->rep, 0) < 0) {
            zmq_msg_close(&tmp);
            break;
        }
        more = zmq_msg_more(&tmp);
        if (n < MAXF) {
            zmq_msg_init(&f[n]);
            zmq_msg_move(&f[n++], &tmp);
        }
        zmq_msg_close(&tmp);
    }
    /* 0 version, 1 request id, 2 domain, 3 address, 4 identity,
     * 5 mechanism, 6.. credentials. */
    if (n >= 6) {
        char address[64] = "";
        size_t alen =
            zmq_msg_size(&f[3]) < sizeof address - 1 ? zmq_msg_size(&f[3]) : sizeof address - 1;
        memcpy(address, zmq_msg_data(&f[3]), alen);
        for (size_t i = 0; i < alen; i++)
            if (address[i] == '"' || address[i] < 0x20)
                address[i] = '?';
        int is_curve = zmq_msg_size(&f[5]) == 5 && memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0;
        int ok = 0;
        char z85[CURVE_Z85_LEN + 1] = "";
        if (is_curve && n >= 7 && zmq_msg_size(&f[6]) == 32) {
            const uint8_t *key = zmq_msg_data(&f[6]);
            zmq_z85_encode(z85, key, 32);
            pthread_mutex_lock(&z->lock);
            ok = curve_allow_contains(z->allow, key);
            pthread_mutex_unlock(&z->lock);
        }
        if (ok) {
            atomic_fetch_add(&z->accepted, 1);
            log_debug("client key accepted", "peer=\"%s\" key=%s", address, z85);
            zap_reply(z->rep, &f[1], "200", "OK", z85);
        } else {
            atomic_fetch_add(&z->refused, 1);
            char mech[17];
            size_t ml = zmq_msg_size(&f[5]) < 16 ? zmq_msg_size(&f[5]) : 16;
            memcpy(mech, zmq_msg_data(&f[5]), ml);
            mech[ml] = '\0';
            uint64_t unlogged = 0;
            if (refusal_should_log(z, address, &unlogged))
                log_warn("client refused",
                         "peer=\"%s\" mechanism=\"%s\" key=%s reason=\"%s\" "
                         "not_logged_since_last=%llu log_window_ms=%d",
                         address, ESC(mech), z85[0] ? z85 : "-",
                         is_curve ? "key not in the allow-list" : "CURVE required",
                         (unsigned long long)unlogged, REFUSAL_LOG_WINDOW_MS);
            zap_reply(z->rep, &f[1], "400", is_curve ? "unknown client key" : "CURVE required", "");
        }
    } else if (n >= 2) {
        atomic_fetch_add(&z->refused, 1);
        zap_reply(z->rep, &f[1], "500", "malformed ZAP request", "");
    }
    for (int i = 0; i < n; i++)
        zmq_msg_close(&f[i]);
}

/* The ZAP handler's thread: answers authentication requests until the
 * control socket says stop, then closes its sockets. */
static void *zap_thread(void *arg)
{
    curve_zap_t *z = arg;
    for (;;) {
        zmq_pollitem_t items[2] = {{z->rep, 0, ZMQ_POLLIN, 0}, {z->ctl_thread, 0, ZMQ_POLLIN, 0}};
        if (zmq_poll(items, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (items[1].revents & ZMQ_POLLIN)
            break;
        if (items[0].revents & ZMQ_POLLIN)
            zap_handle(z);
    }
    zmq_close(z->rep);
    zmq_close(z->ctl_thread);
    return NULL;
}

curve_zap_t *curve_zap_start(void *zctx, curve_allow_t *allow, err_t *err)
{
    curve_zap_t *z = xcalloc(1, sizeof *z);
    pthread_mutex_init(&z->lock, NULL);
    z->allow = allow;
    atomic_init(&z->accepted, 0);
    atomic_init(&z->refused, 0);
    char ctl[64];
    snprintf(ctl, sizeof ctl, "inproc://pgopt-zap-ctl-%p", (void *)z);
    int linger = 0;
    z->rep = zmq_socket(zctx, ZMQ_REP);
    z->ctl_main = zmq_socket(zctx, ZMQ_PAIR);
    z->ctl_thread = zmq_socket(zctx, ZMQ_PAIR);
    if (!z->rep || !z->ctl_main || !z->ctl_thread) {
        err_set(err, "ZAP handler: zmq_socket: %s", zmq_strerror(errno));
        goto fail;
    }
    zmq_setsockopt(z->rep, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(z->ctl_main, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(z->ctl_thread, ZMQ_LINGER, &linger, sizeof linger);
    /* Bound here, in the caller's thread, so the handler exists before the
     * caller binds its CURVE socket: libzmq queues ZAP requests on this
     * socket until the thread reads them. */
    if (zmq_bind(z->rep, ZAP_ENDPOINT) != 0) {
        err_set(err, "ZAP handler: cannot bind %s: %s", ZAP_ENDPOINT, zmq_strerror(errno));
        goto fail;
    }
    if (zmq_bind(z->ctl_thread, ctl) != 0 || zmq_connect(z->ctl_main, ctl) != 0) {
        err_set(err, "ZAP handler: control pipe: %s", zmq_strerror(errno));
        goto fail;
    }
    int rc = pthread_create(&z->thread, NULL, zap_thread, z);
    if (rc != 0) {
        err_set(err, "ZAP handler: pthread_create: %s", strerror(rc));
        goto fail;
    }
    return z;
fail:
    if (z->rep)
        zmq_close(z->rep);
    if (z->ctl_main)
        zmq_close(z->ctl_main);
    if (z->ctl_thread)
        zmq_close(z->ctl_thread);
    curve_allow_destroy(&z->allow);
    pthread_mutex_destroy(&z->lock);
    free(z);
    return NULL;
}

void curve_zap_replace(curve_zap_t *self, curve_allow_t *allow)
{
    pthread_mutex_lock(&self->lock);
    curve_allow_t *old = self->allow;
    self->allow = allow;
    pthread_mutex_unlock(&self->lock);
    curve_allow_destroy(&old);
}

uint64_t curve_zap_accepted(const curve_zap_t *self)
{
    return self ? atomic_load(&((curve_zap_t *)self)->accepted) : 0;
}

uint64_t curve_zap_refused(const curve_zap_t *self)
{
    return self ? atomic_load(&((curve_zap_t *)self)->refused) : 0;
}

void curve_zap_stop(curve_zap_t **pself)
{
    if (!pself || !*pself)
        return;
    curve_zap_t *z = *pself;
    /* Blocking send on a connected inproc PAIR: the peer exists. */
    zmq_send(z->ctl_main, "x", 1, 0);
    pthread_join(z->thread, NULL);
    zmq_close(z->ctl_main);
    curve_allow_destroy(&z->allow);
    pthread_mutex_destroy(&z->lock);
    free(z);
    *pself = NULL;
}

/* ---- socket setup ---------------------------------------------------------- */

int curve_setup_server(void *sock, const curve_keypair_t *kp, err_t *err)
{
    int one = 1;
    if (!curve_key_valid(kp->secret_z85))
        return err_set(err, "CURVE server: no valid secret key");
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, kp->secret_z85, CURVE_Z85_LEN) != 0 ||
        zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, "pgopt", 5) != 0)
        return err_set(err, "CURVE server options: %s", zmq_strerror(errno));
    return 0;
}

int curve_setup_client(void *sock, const curve_keypair_t *kp, const char *server_public_z85,
                       err_t *err)
{
    if (!curve_key_valid(kp->public_z85) || !curve_key_valid(kp->secret_z85))
        return err_set(err, "CURVE client: no valid key pair");
    if (!curve_key_valid(server_public_z85))
        return err_set(err, "CURVE client: no valid server public key");
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_public_z85, CURVE_Z85_LEN) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, kp->public_z85, CURVE_Z85_LEN) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, kp->secret_z85, CURVE_Z85_LEN) != 0)
        return err_set(err, "CURVE client options: %s", zmq_strerror(errno));
    return 0;
}
