/* transport.c - see transport.h. */
#include "proto/transport.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int transport_setup_socket(void *sock, int64_t max_frame, int heartbeat_ivl_ms, err_t *err)
{
    int linger = 0;
    if (zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger) != 0)
        return err_set(err, "zmq_setsockopt(LINGER): %s", zmq_strerror(errno));
    if (max_frame > 0 && zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame) != 0)
        return err_set(err, "zmq_setsockopt(MAXMSGSIZE): %s", zmq_strerror(errno));
    if (heartbeat_ivl_ms > 0) {
        int ttl = heartbeat_ivl_ms * 3;
        if (zmq_setsockopt(sock, ZMQ_HEARTBEAT_IVL, &heartbeat_ivl_ms, sizeof(int)) != 0 ||
            zmq_setsockopt(sock, ZMQ_HEARTBEAT_TIMEOUT, &ttl, sizeof ttl) != 0 ||
            zmq_setsockopt(sock, ZMQ_HEARTBEAT_TTL, &ttl, sizeof ttl) != 0)
            return err_set(err, "zmq_setsockopt(HEARTBEAT): %s", zmq_strerror(errno));
    }
    return 0;
}

static void free_buffer(void *data, void *hint)
{
    (void)hint;
    free(data);
}

int transport_body_from_buffer(zmq_msg_t *msg, char *buf, size_t len, err_t *err)
{
    if (zmq_msg_init_data(msg, buf, len, free_buffer, NULL) != 0) {
        free(buf);
        return err_set(err, "zmq_msg_init_data: %s", zmq_strerror(errno));
    }
    return 0;
}

static int send_bytes(void *sock, const void *data, size_t len, int more, err_t *err)
{
    int flags = ZMQ_DONTWAIT | (more ? ZMQ_SNDMORE : 0);
    if (zmq_send(sock, data, len, flags) < 0)
        return err_set(err, "zmq_send: %s", zmq_strerror(errno));
    return 0;
}

int transport_send(void *sock, const void *ident, size_t ident_len, const msg_header_t *hdr,
                   zmq_msg_t *body, err_t *err)
{
    char *hbuf = NULL;
    size_t hlen = 0;
    if (msg_header_encode(hdr, &hbuf, &hlen, err) != 0)
        return -1;
    int rc = 0;
    if (ident && send_bytes(sock, ident, ident_len, 1, err) != 0)
        rc = -1;
    if (rc == 0 && send_bytes(sock, hbuf, hlen, body != NULL, err) != 0)
        rc = -1;
    free(hbuf);
    if (rc == 0 && body) {
        zmq_msg_t shared;
        zmq_msg_init(&shared);
        if (zmq_msg_copy(&shared, body) != 0 || zmq_msg_send(&shared, sock, ZMQ_DONTWAIT) < 0) {
            rc = err_set(err, "zmq_msg_send(body): %s", zmq_strerror(errno));
            zmq_msg_close(&shared);
        }
    }
    return rc;
}

static int more_frames(void *sock)
{
    int more = 0;
    size_t sz = sizeof more;
    zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz);
    return more;
}

/* Discards the rest of a multi-frame message. */
static void drain(void *sock)
{
    while (more_frames(sock)) {
        zmq_msg_t f;
        zmq_msg_init(&f);
        zmq_msg_recv(&f, sock, 0);
        zmq_msg_close(&f);
    }
}

int transport_recv(void *sock, int is_router, transport_msg_t *m, err_t *err)
{
    memset(m, 0, sizeof *m);
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    if (zmq_msg_recv(&frame, sock, ZMQ_DONTWAIT) < 0) {
        int e = errno;
        zmq_msg_close(&frame);
        if (e == EAGAIN)
            return 1;
        return err_set(err, "zmq_msg_recv: %s", zmq_strerror(e));
    }
    if (is_router) {
        size_t n = zmq_msg_size(&frame);
        if (n > TRANSPORT_IDENT_MAX)
            n = TRANSPORT_IDENT_MAX;
        memcpy(m->ident, zmq_msg_data(&frame), n);
        m->ident_len = n;
        zmq_msg_close(&frame);
        if (!more_frames(sock))
            return err_set(err, "message has an identity frame but no header frame");
        zmq_msg_init(&frame);
        if (zmq_msg_recv(&frame, sock, 0) < 0) {
            zmq_msg_close(&frame);
            return err_set(err, "zmq_msg_recv(header): %s", zmq_strerror(errno));
        }
    }
    if (is_router) {
        /* Metadata of the connection (set at the handshake), not of the
         * message: a peer cannot forge it. */
        const char *uid = zmq_msg_gets(&frame, "User-Id");
        const char *addr = zmq_msg_gets(&frame, "Peer-Address");
        if (uid && *uid)
            snprintf(m->peer, sizeof m->peer, "key:%s", uid);
        else if (addr && *addr)
            snprintf(m->peer, sizeof m->peer, "addr:%s", addr);
    }
    int rc = msg_header_decode(zmq_msg_data(&frame), zmq_msg_size(&frame), &m->hdr, err);
    zmq_msg_close(&frame);
    if (rc != 0) {
        drain(sock);
        return err_prefix(err, "header frame: ");
    }
    int want_body = msg_type_has_body(m->hdr.type) && m->hdr.v_major == PROTO_VERSION_MAJOR;
    if (!more_frames(sock)) {
        if (want_body)
            return err_set(err, "%s message without its body frame", msg_type_name(m->hdr.type));
        return 0;
    }
    if (!want_body) {
        drain(sock);
        if (m->hdr.v_major != PROTO_VERSION_MAJOR)
            return 0; /* the caller answers ERROR "version" */
        return err_set(err, "%s message has unexpected extra frames", msg_type_name(m->hdr.type));
    }
    zmq_msg_init(&m->body);
    if (zmq_msg_recv(&m->body, sock, 0) < 0) {
        zmq_msg_close(&m->body);
        return err_set(err, "zmq_msg_recv(body): %s", zmq_strerror(errno));
    }
    m->has_body = 1;
    if (more_frames(sock)) {
        drain(sock);
        return err_set(err, "%s message has more than two frames", msg_type_name(m->hdr.type));
    }
    return 0;
}

void transport_msg_close(transport_msg_t *m)
{
    if (m && m->has_body) {
        zmq_msg_close(&m->body);
        m->has_body = 0;
    }
}
