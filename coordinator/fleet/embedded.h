/*
 * embedded.h - the embedded default fleet: with no worker endpoints given,
 * the coordinator starts the four worker executables itself, each bound to a
 * private ipc:// endpoint in a fresh 0700 directory, uses them through the
 * same fleet code as a distributed run, and stops them at the end.
 *
 * Executables are looked up next to the coordinator's own executable
 * (/proc/self/exe), or in PGOPT_WORKER_DIR when set. A missing executable is
 * not an error here: that agent simply has no worker and the fleet reports it
 * "unavailable". Workers get PR_SET_PDEATHSIG so they never outlive a
 * coordinator that is killed.
 */
#ifndef PGOPT_COORDINATOR_EMBEDDED_H
#define PGOPT_COORDINATOR_EMBEDDED_H

#include "common/error.h"

typedef struct embedded embedded_t;

/* Maps an agent name to its executable ("config_tuner" -> "pgopt-config-tuner"). */
const char *embedded_executable_for(const char *agent);

/* Starts one worker per agent found; worker_jobs is each one's --jobs;
 * log_level is passed as --log-level (NULL: "warn"). */
embedded_t *embedded_start(const char *const *agents, int n, int worker_jobs, const char *log_level,
                           err_t *err);

/* Endpoints of the started workers (count, and the i-th). */
int embedded_count(const embedded_t *self);
const char *embedded_endpoint(const embedded_t *self, int i);

/* Why agent has no local worker ("pgopt-ai-tuning not found in DIR"), or
 * NULL when its worker was started. */
const char *embedded_missing(const embedded_t *self, const char *agent);

/* SIGTERM, wait (up to 5 s, then SIGKILL), remove the private directory. */
void embedded_stop(embedded_t **self);

#endif
