/*
 * mh_support.h - helpers shared by the multi-host and CURVE tests: start
 * worker processes (optionally inside a network namespace), DEALER sockets
 * with or without CURVE, PING/STATS round trips, free TCP ports.
 */
#ifndef PGOPT_TESTS_MULTIHOST_SUPPORT_H
#define PGOPT_TESTS_MULTIHOST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto/curve.h"
#include "proto/message.h"

int64_t mh_now_ms(void);
void mh_sleep_ms(long ms);
const char *mh_bin_dir(void);

/* A TCP port on 127.0.0.1 that was free a moment ago. */
int mh_free_port(void);

/* fork + exec argv (NULL-terminated) with extra "NAME=value" env entries
 * (NULL-terminated, may be NULL); output to log_path. The child dies with
 * this process (PR_SET_PDEATHSIG). */
pid_t mh_spawn(char *const argv[], const char *const *env_extra, const char *log_path);

/* Waits up to timeout_ms; returns 1 and *status when it exited. */
int mh_wait(pid_t pid, int timeout_ms, int *status);

/* SIGKILL and reap. */
void mh_kill(pid_t pid);

/* A DEALER connected to endpoint; CURVE when kp is not NULL. */
void *mh_dealer(void *zctx, const char *endpoint, const curve_keypair_t *kp,
                const char *server_public);

/* Sends a header-only message; 0 or -1. */
int mh_send(void *sock, msg_type_t type, const char *job);

/* Sends a JOB for agent with a small valid snapshot body. */
int mh_send_job(void *sock, const char *job, const char *agent, int64_t deadline_ms);

/* Waits for a message of type want (others are skipped); 0 with *h, or -1. */
int mh_await(void *sock, msg_type_t want, int timeout_ms, msg_header_t *h);

#endif
