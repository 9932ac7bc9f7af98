/*
 * curve.h - CURVE keys and client authentication for pgopt sockets.
 *
 * tcp:// endpoints that cross hosts are encrypted and authenticated with
 * ZeroMQ's CURVE mechanism (CurveZMQ). Keys are 32-byte Curve25519 keys
 * written as 40 characters of Z85 text. A worker (CURVE server) holds a key
 * pair and an allow-list of coordinator (client) public keys; a coordinator
 * holds its own key pair and each worker's public key.
 *
 * libzmq 4.3 accepts ANY client key on a CURVE server unless a ZAP handler
 * is bound in the same context. curve_zap_start() binds that handler
 * ("inproc://zeromq.zap.01") before it returns, so a worker that starts it
 * before zmq_bind() never accepts an unchecked client, not even in the first
 * instant after start.
 *
 * Key files (text, written by `pgopt-coordinator keygen`):
 *
 *   NAME.key (mode 0600)          NAME.pub
 *     # pgopt CURVE secret key      # pgopt CURVE public key
 *     public-key = <40 chars>       public-key = <40 chars>
 *     secret-key = <40 chars>
 *
 * Lines starting with '#' and blank lines are ignored. A file holding one
 * bare 40-character key is read as that key (public files only). A secret
 * file readable or writable by "others" is refused.
 *
 * An allow-list is a file (one public key per line, or key files) or a
 * directory (every *.pub and *.key file in it; only the public key of a
 * .key file is read).
 */
#ifndef PGOPT_PROTO_CURVE_H
#define PGOPT_PROTO_CURVE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define CURVE_Z85_LEN 40 /* Z85 text of a 32-byte key */

typedef struct {
    char public_z85[CURVE_Z85_LEN + 1];
    char secret_z85[CURVE_Z85_LEN + 1]; /* empty when only the public key is known */
} curve_keypair_t;

/* 1 when s is exactly 40 characters of valid Z85 (a 32-byte key). */
int curve_key_valid(const char *s);

/* A fresh key pair (zmq_curve_keypair). */
int curve_keypair_generate(curve_keypair_t *kp, err_t *err);

/* Writes kp to secret_path (mode 0600) and its public key to public_path
 * (mode 0644). Refuses to overwrite existing files unless force. */
int curve_keypair_write(const curve_keypair_t *kp, const char *secret_path, const char *public_path,
                        int force, err_t *err);

/* Reads a secret key file: both keys, checked to belong together. */
int curve_keypair_load(const char *path, curve_keypair_t *kp, err_t *err);

/* Reads the public key of a .pub file, a .key file or a bare-key file. */
int curve_public_load(const char *path, char out[CURVE_Z85_LEN + 1], err_t *err);

/* ---- allow-list ---------------------------------------------------------- */

typedef struct curve_allow curve_allow_t;

/* Loads an allow-list from a file or a directory (see above). An empty
 * list is an error: it would refuse everyone, which is never what was meant. */
curve_allow_t *curve_allow_load(const char *path, err_t *err);
void curve_allow_destroy(curve_allow_t **self);
int curve_allow_count(const curve_allow_t *self);
/* key: 32 raw bytes. */
int curve_allow_contains(const curve_allow_t *self, const uint8_t key[32]);

/* ---- ZAP handler ----------------------------------------------------------- */

typedef struct curve_zap curve_zap_t;

/* Binds the ZAP endpoint in zctx and starts the handler thread, which
 * answers every CURVE handshake: 200 for a client key in the allow-list
 * (takes ownership of allow), 400 otherwise, and 400 for any other
 * mechanism. Returns NULL (err set) when the endpoint cannot be bound. */
curve_zap_t *curve_zap_start(void *zctx, curve_allow_t *allow, err_t *err);

/* Replaces the allow-list (key rotation); takes ownership of allow. */
void curve_zap_replace(curve_zap_t *self, curve_allow_t *allow);

/* Handshakes accepted and refused since start. */
uint64_t curve_zap_accepted(const curve_zap_t *self);
uint64_t curve_zap_refused(const curve_zap_t *self);

/* Stops the thread and closes its sockets; call before zmq_ctx_term. */
void curve_zap_stop(curve_zap_t **self);

/* ---- socket setup ---------------------------------------------------------- */

/* Makes sock a CURVE server with kp (before zmq_bind). */
int curve_setup_server(void *sock, const curve_keypair_t *kp, err_t *err);

/* Makes sock a CURVE client with its own kp and the server's public key
 * (before zmq_connect). */
int curve_setup_client(void *sock, const curve_keypair_t *kp, const char *server_public_z85,
                       err_t *err);

#endif
