/*
 * pgbouncer_ini.h - the [pgbouncer] section of a pgbouncer.ini as the
 * snapshot's `pgbouncer` map (setting -> string), so the config tuner can
 * compare PgBouncer's current settings with what it recommends
 * (--pgbouncer-ini FILE). Only the [pgbouncer] section is read; [databases]
 * and [users] may carry passwords and are never copied.
 */
#ifndef PGOPT_COORDINATOR_PGBOUNCER_INI_H
#define PGOPT_COORDINATOR_PGBOUNCER_INI_H

#include <jansson.h>

#include "common/error.h"

/* Reads path; *out is a new map. Errors name the file and line. Settings
 * whose names suggest secrets (auth_*password*, *key*) are left out. */
int pgbouncer_ini_read(const char *path, json_t **out, err_t *err);

#endif
