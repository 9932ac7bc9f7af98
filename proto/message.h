/*
 * message.h - pgopt wire messages (see proto/PROTOCOL.md, the normative text).
 *
 * A message is one or two ZeroMQ frames: a small msgpack header map, and for
 * JOB and RESULT a body frame (the snapshot, the result) that is itself a
 * msgpack document. This module encodes and decodes header frames and knows
 * which types carry a body. Sending and receiving over sockets lives in
 * common/zmsg.h so that the coordinator and the worker runtime share it.
 */
#ifndef PGOPT_PROTO_MESSAGE_H
#define PGOPT_PROTO_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define PROTO_VERSION_MAJOR 1
#define PROTO_VERSION_MINOR 1 /* 1.1: STATS / COUNTERS */

#define MSG_HEADER_MAX_BYTES 4096

typedef enum {
    MSG_INVALID = 0,
    MSG_PING,
    MSG_PONG,
    MSG_JOB,
    MSG_PROGRESS,
    MSG_RESULT,
    MSG_ERROR,
    MSG_BUSY,
    MSG_CANCEL,
    MSG_STATS,    /* 1.1: C -> W, asks for the worker's counters */
    MSG_COUNTERS, /* 1.1: W -> C, answers STATS */
} msg_type_t;

#define MSG_TYPE_LAST MSG_COUNTERS

/* ERROR codes (the "code" field): machine-readable, stable. */
#define MSG_ERR_VERSION    "version"        /* unsupported protocol major version */
#define MSG_ERR_MALFORMED  "malformed"      /* header or frames not decodable */
#define MSG_ERR_AGENT      "agent_mismatch" /* JOB for an agent this worker is not */
#define MSG_ERR_SNAPSHOT   "snapshot_invalid"
#define MSG_ERR_FAILED     "agent_failed" /* the agent function returned an error */
#define MSG_ERR_CANCELLED  "cancelled"    /* CANCEL received or deadline passed */
#define MSG_ERR_SHUTDOWN   "shutting_down"
#define MSG_ERR_TOO_LARGE  "too_large"
#define MSG_ERR_UNEXPECTED "unexpected" /* a type this peer does not accept */

typedef struct {
    int v_major;
    int v_minor;
    msg_type_t type;
    char job[65];         /* JOB, PROGRESS, RESULT, ERROR, BUSY, CANCEL */
    char agent[33];       /* JOB (requested), PONG/RESULT (served) */
    char worker[129];     /* PONG, RESULT, BUSY, ERROR: "host:pid" of the worker */
    int64_t deadline_ms;  /* JOB: time the coordinator allows, relative to receipt */
    int64_t progress_ms;  /* JOB: how often the worker must send PROGRESS */
    int64_t elapsed_ms;   /* PROGRESS, RESULT */
    int64_t seq;          /* PROGRESS: increases with every beat of the job loop */
    int64_t done;         /* PROGRESS: units of work done ... */
    int64_t total;        /* ... of total (0 if unknown) */
    int64_t load;         /* PONG, BUSY: jobs running */
    int64_t capacity;     /* PONG, BUSY: job slots */
    int64_t served;       /* PONG, COUNTERS: jobs completed since start */
    int64_t received;     /* COUNTERS: JOBs accepted into a slot */
    int64_t failed;       /* COUNTERS: jobs answered agent_failed / snapshot_invalid */
    int64_t cancelled;    /* COUNTERS: jobs cancelled (CANCEL, deadline, shutdown) */
    int64_t busy;         /* COUNTERS: JOBs answered BUSY */
    int64_t refused;      /* COUNTERS: messages refused (malformed, version, mismatch) */
    int64_t auth_refused; /* COUNTERS: CURVE handshakes refused by the allow-list */
    int64_t uptime_ms;    /* COUNTERS: since the worker started */
    int64_t total_ms;     /* COUNTERS: sum of the served jobs' durations */
    int64_t max_ms;       /* COUNTERS: slowest served job */
    char stage[65];       /* PROGRESS: what the job is doing */
    char code[33];        /* ERROR */
    char message[513];    /* ERROR: one human-readable line */
} msg_header_t;

/* Returns "PING", ... or "INVALID". */
const char *msg_type_name(msg_type_t type);
/* The type a name ("PING", ...) stands for, or MSG_INVALID. */
msg_type_t msg_type_parse(const char *name);

/* True for JOB and RESULT: a second (body) frame follows the header. */
int msg_type_has_body(msg_type_t type);

/* Zeroes h and sets version and type. */
void msg_header_init(msg_header_t *h, msg_type_t type);

/* Encodes only the fields that matter for h->type (malloc()ed *buf). */
int msg_header_encode(const msg_header_t *h, char **buf, size_t *len, err_t *err);

/* Decodes a header frame strictly (codec limits for headers). A header with
 * another major version decodes successfully so that the caller can answer
 * with ERROR "version"; callers must check h->v_major. Unknown keys are
 * ignored (minor versions add keys); known keys of the wrong type are errors. */
int msg_header_decode(const void *buf, size_t len, msg_header_t *h, err_t *err);

#endif
