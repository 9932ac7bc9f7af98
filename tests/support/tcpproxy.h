/*
 * tcpproxy.h - a TCP proxy for tests that can freeze or slow a connection,
 * the way a stalled network path, a hung pooler or a distant database does.
 *
 * It listens on 127.0.0.1 (a free port) and relays every accepted connection
 * to a target host:port, on its own thread, with real sockets. Faults:
 *  - freeze: a connection stops relaying in both directions, with both
 *    sockets left open (no RST, no FIN): the client sees a peer that accepts
 *    bytes into its kernel buffers and never answers, which is what TCP
 *    keepalives cannot see through;
 *  - freeze after N bytes: each new connection freezes once it has relayed
 *    N bytes from the server, so a test can freeze a session in the middle
 *    of its work without timing anything;
 *  - freeze on a client message: a connection freezes when its client sends
 *    bytes containing a given string (a statement the test names);
 *  - latency: each chunk from the client is held for a delay drawn from
 *    [min_ms, max_ms] before it goes on (order kept), adding that much to
 *    every round trip.
 * Events (a connection froze) are waited for, never slept on.
 */
#ifndef PGOPT_TESTS_TCPPROXY_H
#define PGOPT_TESTS_TCPPROXY_H

#include <stdint.h>

typedef struct tcpproxy tcpproxy_t;

/* Starts relaying to target_host:target_port (an IPv4 address or a name).
 * Returns NULL with a message on stderr on failure. */
tcpproxy_t *tcpproxy_start(const char *target_host, int target_port);

/* Stops the thread, closes every socket. Safe on NULL and twice. */
void tcpproxy_destroy(tcpproxy_t **p);

/* The port it listens on (127.0.0.1). */
int tcpproxy_port(const tcpproxy_t *p);

/* Connections accepted so far. */
int tcpproxy_accepted(tcpproxy_t *p);

/* New connections freeze after relaying this many bytes from the server
 * (-1: never, the default). Applies to connections accepted afterwards. */
void tcpproxy_freeze_after(tcpproxy_t *p, int64_t server_bytes);

/* A connection freezes when a chunk from its client contains needle (that
 * chunk is not relayed): e.g. "EXPLAIN" freezes a what-if session at its
 * first plan. NULL or "" turns it off. */
void tcpproxy_freeze_on_client(tcpproxy_t *p, const char *needle);

/* Freezes every open connection now. */
void tcpproxy_freeze_all(tcpproxy_t *p);

/* Waits until at least n connections have frozen, at most timeout_ms.
 * Returns the number frozen (compare with n). */
int tcpproxy_wait_frozen(tcpproxy_t *p, int n, int timeout_ms);

/* Every chunk from a client waits a delay in [min_ms, max_ms] (0, 0: none). */
void tcpproxy_set_latency(tcpproxy_t *p, int min_ms, int max_ms);

/* Client chunks held by the latency so far: a lower bound on the round
 * trips a client waited for. */
int64_t tcpproxy_delayed(tcpproxy_t *p);

#endif
