/*
 * transport.h - sending and receiving pgopt messages over ZeroMQ sockets.
 *
 * Shared by the coordinator (DEALER sockets, one per worker endpoint) and the
 * worker runtime (one ROUTER socket). A message is [identity] header [body]:
 * the identity frame only on ROUTER sockets, the body only for JOB and
 * RESULT. Bodies travel as zmq_msg_t so that one encoded snapshot can be sent
 * to many workers without copying (zmq_msg_copy shares the buffer).
 */
#ifndef PGOPT_PROTO_TRANSPORT_H
#define PGOPT_PROTO_TRANSPORT_H

#include <stddef.h>
#include <zmq.h>

#include "common/error.h"
#include "proto/message.h"

#define TRANSPORT_IDENT_MAX 255
#define TRANSPORT_PEER_MAX  64

typedef struct {
    unsigned char ident[TRANSPORT_IDENT_MAX];
    size_t ident_len; /* 0 on DEALER sockets */
    /* Who sent it, beyond one connection: "key:<Z85>" when CURVE
     * authenticated the peer (the ZAP handler's User-Id), else
     * "addr:<IP>" (libzmq's Peer-Address), else "" (ipc://: no address). */
    char peer[TRANSPORT_PEER_MAX];
    msg_header_t hdr;
    zmq_msg_t body; /* valid only when has_body */
    int has_body;
} transport_msg_t;

/* Socket options every pgopt socket gets: LINGER 0 (shutdown never hangs),
 * MAXMSGSIZE (a frame larger than max_frame drops the peer), and libzmq
 * heartbeats (ivl_ms; timeout 3 x ivl) to detect dead hosts. */
int transport_setup_socket(void *sock, int64_t max_frame, int heartbeat_ivl_ms, err_t *err);

/* Sends a message. ident may be NULL (DEALER). body may be NULL; when given
 * it is shared with zmq_msg_copy, so the caller keeps its own reference.
 * Never blocks (ZMQ_DONTWAIT): a peer that cannot take it is an error. */
int transport_send(void *sock, const void *ident, size_t ident_len, const msg_header_t *hdr,
                   zmq_msg_t *body, err_t *err);

/* Receives one whole message (all its frames, even when it is malformed, so
 * the socket stays in step). Returns 0 with *m filled; 1 when nothing was
 * waiting (ZMQ_DONTWAIT and EAGAIN); -1 when the message was malformed (err
 * says why; m->ident is still filled on ROUTER sockets so the caller can
 * answer ERROR). Call transport_msg_close() after a 0 or -1 return. */
int transport_recv(void *sock, int is_router, transport_msg_t *m, err_t *err);

void transport_msg_close(transport_msg_t *m);

/* Wraps a malloc()ed buffer in a zmq_msg_t that free()s it when the last
 * reference goes; no copy. */
int transport_body_from_buffer(zmq_msg_t *msg, char *buf, size_t len, err_t *err);

#endif
