/*
 * mh_coord.c - pgopt-mh-coord: a coordinator for the multi-host tests and the
 * fleet benchmark, built on the production fleet code (coordinator/fleet/fleet.c)
 * with the CURVE options that pgopt-coordinator's command line does not
 * (yet) expose. It is a test driver, never installed.
 *
 *   pgopt-mh-coord --snapshot FILE [-w ENDPOINT]... [--curve-secret FILE
 *       --curve-server FILE] [--agents a,b] [--timeout MS] [--hang MS]
 *       [--discover MS] [--progress MS] [--heartbeat MS] [--runs N]
 *
 * Runs the analysis --runs times in this one process (one fleet_t each, as
 * a fresh coordinator would) and prints one JSON line per run:
 *   {"run":i, "ms":..., "agents":{"<agent>":{"status","worker","endpoint",
 *    "attempts","elapsed_ms","error"}}, "rss_kb":..., "secure":0|1}
 * `pgopt-mh-coord keygen ...` and `pgopt-mh-coord ping ...` run the
 * subcommands that pgopt-coordinator dispatches the same way.
 * Exit status: 0 when every run ran (whatever the agents' statuses), 1 on a
 * local failure, 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/log.h"
#include "coordinator/fleet/fleet.h"
#include "coordinator/fleet/keygen.h"
#include "coordinator/fleet/ping.h"
#include "proto/codec.h"
#include "proto/snapshot.h"
#include "proto/transport.h"

#define MAX_EP     64
#define MAX_AGENTS 8

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

static int64_t ms_arg(const char *name, const char *v)
{
    char *end = NULL;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || x < 0) {
        fprintf(stderr, "pgopt-mh-coord: %s: expected milliseconds, got '%s'\n", name, v);
        exit(2);
    }
    return x;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "keygen") == 0)
        return keygen_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "ping") == 0)
        return ping_main(argc - 1, argv + 1);
    static const struct option longopts[] = {
        {"snapshot", required_argument, NULL, 's'},
        {"worker", required_argument, NULL, 'w'},
        {"curve-secret", required_argument, NULL, 'S'},
        {"curve-server", required_argument, NULL, 'K'},
        {"agents", required_argument, NULL, 'a'},
        {"timeout", required_argument, NULL, 't'},
        {"hang", required_argument, NULL, 'H'},
        {"discover", required_argument, NULL, 'D'},
        {"progress", required_argument, NULL, 'P'},
        {"heartbeat", required_argument, NULL, 'B'},
        {"runs", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    const char *snapshot = NULL, *secret = NULL, *server = NULL;
    const char *eps[MAX_EP];
    int neps = 0, runs = 1;
    char agents_buf[256] = "index_advisor,query_rewriter,config_tuner,ai_tuning";
    fleet_opts_t opts;
    fleet_opts_init(&opts);
    int c;
    while ((c = getopt_long(argc, argv, "s:w:a:t:r:", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            snapshot = optarg;
            break;
        case 'w':
            if (neps == MAX_EP) {
                fprintf(stderr, "pgopt-mh-coord: too many --worker\n");
                return 2;
            }
            eps[neps++] = optarg;
            break;
        case 'S':
            secret = optarg;
            break;
        case 'K':
            server = optarg;
            break;
        case 'a':
            snprintf(agents_buf, sizeof agents_buf, "%s", optarg);
            break;
        case 't':
            opts.timeout_ms = ms_arg("--timeout", optarg);
            break;
        case 'H':
            opts.hang_ms = ms_arg("--hang", optarg);
            break;
        case 'D':
            opts.discover_ms = ms_arg("--discover", optarg);
            break;
        case 'P':
            opts.progress_ms = ms_arg("--progress", optarg);
            break;
        case 'B':
            opts.heartbeat_ms = (int)ms_arg("--heartbeat", optarg);
            break;
        case 'r':
            runs = (int)ms_arg("--runs", optarg);
            break;
        default:
            return 2;
        }
    }
    if (!snapshot || neps == 0 || runs < 1) {
        fprintf(stderr, "pgopt-mh-coord: needs --snapshot FILE and at least one -w ENDPOINT\n");
        return 2;
    }
    log_init("mh-coord", LOG_WARN);
    err_t err = {{0}};
    if (secret && fleet_opts_load_curve(&opts, secret, server, &err) != 0) {
        fprintf(stderr, "pgopt-mh-coord: CURVE: %s\n", err.msg);
        return 2;
    }
    const char *agents[MAX_AGENTS];
    int nagents = 0;
    for (char *save = NULL, *tok = strtok_r(agents_buf, ",", &save); tok && nagents < MAX_AGENTS;
         tok = strtok_r(NULL, ",", &save))
        agents[nagents++] = tok;

    json_t *snap = NULL;
    char *buf = NULL;
    size_t len = 0;
    if (snapshot_read_file(snapshot, &snap, &err) != 0 || codec_encode(snap, &buf, &len, &err)) {
        fprintf(stderr, "pgopt-mh-coord: %s\n", err.msg);
        json_decref(snap);
        return 1;
    }
    json_decref(snap);
    zmq_msg_t body;
    if (transport_body_from_buffer(&body, buf, len, &err) != 0) {
        fprintf(stderr, "pgopt-mh-coord: %s\n", err.msg);
        return 1;
    }
    int status = 0;
    for (int run = 0; run < runs && status == 0; run++) {
        int64_t t0 = clock_mono_ms();
        fleet_t *fleet = fleet_new(&opts);
        if (!fleet) {
            status = 1;
            break;
        }
        for (int i = 0; i < neps; i++)
            if (fleet_add_endpoint(fleet, eps[i]) < 0) {
                fprintf(stderr, "pgopt-mh-coord: %s\n", fleet_error(fleet));
                status = 2;
            }
        agent_outcome_t out[MAX_AGENTS];
        if (status == 0 && fleet_run(fleet, agents, nagents, &body, out) != 0) {
            fprintf(stderr, "pgopt-mh-coord: %s\n", fleet_error(fleet));
            status = 1;
        }
        if (status == 0) {
            json_t *line = json_object();
            json_t *ag = json_object();
            for (int k = 0; k < nagents; k++)
                json_object_set_new(
                    ag, out[k].agent,
                    json_pack("{s:s, s:s, s:s, s:i, s:I, s:s}", "status",
                              agent_status_name(out[k].status), "worker", out[k].worker, "endpoint",
                              out[k].endpoint, "attempts", out[k].attempts, "elapsed_ms",
                              (json_int_t)out[k].elapsed_ms, "error", out[k].error));
            json_object_set_new(line, "run", json_integer(run));
            json_object_set_new(line, "ms", json_integer(clock_mono_ms() - t0));
            json_object_set_new(line, "secure", json_integer(fleet_is_secure(fleet)));
            json_object_set_new(line, "agents", ag);
            fleet_outcomes_clear(out, nagents);
            fleet_destroy(&fleet);
            json_object_set_new(line, "rss_kb", json_integer(rss_kb()));
            char *text = json_dumps(line, JSON_COMPACT);
            json_decref(line);
            printf("%s\n", text ? text : "{}");
            fflush(stdout);
            free(text);
        }
        fleet_destroy(&fleet);
    }
    zmq_msg_close(&body);
    memset(&opts.curve, 0, sizeof opts.curve);
    return status;
}
