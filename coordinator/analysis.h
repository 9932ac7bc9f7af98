/*
 * analysis.h - one analysis, start to end: the pipeline pgopt-coordinator
 * runs, callable by a test or another program without the command line.
 *
 *   1. get the snapshot: collect it (coordinator/collect/collect.h) or read
 *      a saved one and redact it (coordinator/collect/redact.h); attach the
 *      history (--store) and live samples (--samples); keep it (--save-
 *      snapshot);
 *   2. the user's analysis options into the snapshot (options section,
 *      sqlalchemy.app_processes, pgbouncer);
 *   3. withhold target.dsn when a worker is reached without encryption;
 *   4. encode the snapshot once (proto/codec.h);
 *   5. start local workers when no endpoint is given
 *      (coordinator/fleet/embedded.h);
 *   6. dispatch and gather (coordinator/fleet/fleet.h), assemble
 *      phase3_output (coordinator/fleet/phase3.h);
 *   7. with --store: verify the previous result's advice and keep this one
 *      (coordinator/history/applied.h);
 *   8. write the report (coordinator/report/report.h) in the chosen format.
 *
 * The command line (coordinator/main.c) parses options, reads the
 * environment (PGOPT_WORKERS, PGOPT_CURVE_*) into analysis_opts_t and calls
 * analysis_run; nothing here reads the environment or the command line.
 */
#ifndef PGOPT_COORDINATOR_ANALYSIS_H
#define PGOPT_COORDINATOR_ANALYSIS_H

#include <jansson.h>
#include <stdint.h>

#include "common/error.h"
#include "coordinator/collect/collect.h"
#include "coordinator/fleet/fleet.h"
#include "coordinator/fleet/phase3.h"

#define ANALYSIS_MAX_WORKERS 256

typedef struct {
    /* Input: exactly one of snapshot_path (a saved snapshot) and dsn (a
     * live collection with `collect`'s options). */
    const char *snapshot_path;
    const char *dsn;
    const char *save_snapshot; /* keep the snapshot here (NULL: not kept) */
    const char *store;         /* history store to ship and verify against */
    int samples;               /* live counter samples, 0 = none (needs dsn) */
    int interval_s;            /* between samples; 0 = 10 s */
    collect_opts_t collect;

    /* Analysis options that travel in the snapshot. */
    int64_t index_budget; /* 0: the index advisor's default */
    int verify;
    int offline;       /* the agents never connect to the database */
    int app_processes; /* 0: derived by the config tuner */
    const char *pgbouncer_ini;

    /* Fleet: endpoints given (workers) or in a comma-separated list
     * (workers_list, PGOPT_WORKERS); with neither, the agents' workers are
     * started locally with worker_jobs slots and worker_log_level. */
    const char *workers[ANALYSIS_MAX_WORKERS];
    int nworkers;
    const char *workers_list;
    const char *agents[AGENT_COUNT]; /* nagents 0: all four */
    int nagents;
    int worker_jobs;
    const char *worker_log_level;
    const char *curve_secret; /* key pair file; NULL: no CURVE */
    const char *curve_server; /* workers' public key file */
    fleet_opts_t fleet;       /* its on_progress is the analysis' own */

    /* Report: format NULL chooses from output's extension and whether
     * standard output is a terminal (report_format_default); output NULL or
     * "-" is standard output. */
    const char *output;
    const char *format;
    int quiet; /* no progress lines even on a terminal */
} analysis_opts_t;

/* Defaults: collect_opts_init, fleet_opts_init, worker_jobs 2. */
void analysis_opts_init(analysis_opts_t *o);

/* Runs one analysis and returns the coordinator's exit status:
 * EXIT_COMPLETE or EXIT_PARTIAL when phase3_output was assembled and
 * written; EXIT_ERROR when no agent answered, when the report could not be
 * written, or when the analysis stopped early; EXIT_USAGE when the fleet
 * options were unusable (CURVE key files, endpoints). When it stopped before
 * assembling a result, err says why and nothing else was printed; problems
 * after that (the report's output, --store verification, each agent that
 * did not answer) are printed on standard error as they happen, because the
 * result is still reported, and err is left empty. *result (when not NULL) receives
 * phase3_output, or NULL when none was assembled; the caller owns it. */
int analysis_run(const analysis_opts_t *opts, json_t **result, err_t *err);

#endif
