/*
 * main.c - pgopt-coordinator: get a snapshot (collect it from a live
 * PostgreSQL, or read a saved one), publish it to the four agents of the
 * fleet (given endpoints, or workers started locally), gather their replies
 * under deadlines and print phase3_output.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/escape.h"
#include "common/jsonout.h"
#include "common/log.h"
#include "common/numparse.h"
#include "common/outfile.h"
#include "coordinator/collect/collect.h"
#include "coordinator/config_file.h"
#include "coordinator/fleet/embedded.h"
#include "coordinator/fleet/fleet.h"
#include "coordinator/history/history.h"
#include "coordinator/history/history_cli.h"
#include "coordinator/fleet/keygen.h"
#include "coordinator/collect/host.h"
#include "coordinator/collect/pgbouncer_ini.h"
#include "coordinator/fleet/phase3.h"
#include "coordinator/fleet/ping.h"
#include "coordinator/report/progress.h"
#include "coordinator/collect/redact.h"
#include "coordinator/report/report.h"
#include "coordinator/report/report_cli.h"
#include "coordinator/history/verify_cli.h"
#include "coordinator/history/applied.h"
#include "proto/codec.h"
#include "proto/snapshot.h"
#include "proto/transport.h"

#define MAX_WORKER_ARGS 256
/* PostgreSQL's own limit for statement_timeout (INT_MAX ms, 24.8 days) */
#define MAX_STATEMENT_TIMEOUT_MS 2147483647LL
/* --timeout, --hang, --discover, --interval: a week is beyond any analysis */
#define MAX_FLEET_DURATION_MS (7LL * 24 * 3600 * 1000)

typedef struct {
    const char *snapshot_path;
    const char *dsn;
    int have_dsn;
    const char *output;
    const char *save_snapshot;
    const char *workers[MAX_WORKER_ARGS];
    int nworkers;
    const char *agents[PHASE3_AGENT_COUNT];
    int nagents;
    int worker_jobs;
    int verbose;
    int64_t index_budget; /* 0: the index advisor's default */
    int verify;
    int app_processes;        /* 0: derived from pg_stat_activity by the config tuner */
    const char *curve_secret; /* coordinator key pair file (--curve-secret) */
    const char *curve_server; /* workers' public key file (--curve-server) */
    const char *store;        /* history store to ship (--store) */
    int samples;              /* live counter samples (--samples), 0 = none */
    int interval_s;
    const char *pgbouncer_ini;
    const char *log_level;
    const char *format; /* --format; NULL: report_format_default */
    int quiet;          /* --quiet: no progress lines */
    fleet_opts_t fleet;
    collect_opts_t collect;
} options_t;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: pgopt-coordinator (--dsn CONNINFO | --snapshot FILE) [options]\n"
            "   or: pgopt-coordinator snapshot --dsn CONNINFO --store DIR  (append counters\n"
            "       to a history store; snapshot --help)\n"
            "   or: pgopt-coordinator report RESULT.json [-f FORMAT] [-o PATH]  (render a\n"
            "       saved result again; report --help)\n"
            "   or: pgopt-coordinator verify --store DIR RESULT.json  (was the advice applied,\n"
            "       did it help; verify --help)\n"
            "   or: pgopt-coordinator keygen NAME...   (CURVE key pairs; keygen --help)\n"
            "   or: pgopt-coordinator ping ENDPOINT    (is a worker alive? ping --help)\n"
            "\n"
            "Collects a snapshot of a PostgreSQL database (or reads a saved one), publishes\n"
            "it to the four pgopt agents (index_advisor, query_rewriter, config_tuner,\n"
            "ai_tuning) and prints their combined answer (phase3_output, JSON).\n"
            "\n"
            "Input:\n"
            "  -d, --dsn CONNINFO       collect from this database (libpq conninfo or URI;\n"
            "                           PG* environment variables fill what it leaves out;\n"
            "                           --dsn '' uses the environment alone)\n"
            "  -s, --snapshot FILE      use a saved snapshot (.json or .msgpack)\n"
            "      --save-snapshot FILE keep the collected snapshot (.json or .msgpack)\n"
            "      --code DIR           ship the application's *.py files for the agents\n"
            "                           (tests, migrations, seed scripts left out, counted)\n"
            "      --code-include GLOB  keep matching files the default leaves out (repeat)\n"
            "      --code-exclude GLOB  leave matching files out (repeat; wins over include)\n"
            "      --cpus N             CPUs of the database host\n"
            "      --memory SIZE        RAM of the database host (e.g. 16GB)\n"
            "      --storage KIND       hdd | ssd | nvme | san | network\n"
            "      --cloud P:CLASS[:REGION]  cloud provider and instance class\n"
            "      --statement-timeout DURATION  per collection query (default 30s; 0 = none)\n"
            "      --collect-timeout DURATION  the whole collection, however the server or\n"
            "                           network behaves; then the connection is abandoned\n"
            "                           (default 5m; 0 = none)\n"
            "      --app-processes N    application processes sharing the database (each\n"
            "                           with its own SQLAlchemy pool; default: derived)\n"
            "      --pgbouncer-ini FILE PgBouncer's configuration (its [pgbouncer] section)\n"
            "      --store DIR          ship the history kept in DIR (see: pgopt-coordinator\n"
            "                           snapshot --help)\n"
            "      --samples N          sample the counters N times (a live window; needs --dsn)\n"
            "      --interval DURATION  time between samples (default 10s)\n"
            "\n"
            "Analysis:\n"
            "      --index-budget SIZE  storage the index advisor may spend (default 25%%\n"
            "                           of the database size); B, kB, MB, GB, TB or\n"
            "                           KiB..TiB, binary either way: 1 MB = 1 MiB\n"
            "      --verify             query rewriter: run original and rewritten queries\n"
            "                           (read-only, with a timeout) and compare results\n"
            "\n"
            "Output:\n"
            "  -o, --output PATH        write here (default: standard output); with sql, a\n"
            "                           directory gets apply.sql and rollback.sql\n"
            "  -f, --format FORMAT      text | json | html | sql (default: from -o's\n"
            "                           extension, else text on a terminal, json otherwise)\n"
            "  -q, --quiet              no progress lines on standard error (they appear\n"
            "                           only when it is a terminal)\n"
            "\n"
            "Fleet:\n"
            "  -w, --worker ENDPOINT    a worker (tcp://HOST:PORT, ipc://PATH); repeatable.\n"
            "                           A host name with several addresses is several\n"
            "                           workers. Also PGOPT_WORKERS (comma separated).\n"
            "                           Without any, the four workers next to this\n"
            "                           executable (or in PGOPT_WORKER_DIR) are started\n"
            "                           locally on private ipc:// endpoints.\n"
            "      --agents LIST        run only these agents (comma separated)\n"
            "  -t, --timeout DURATION   per-agent deadline (default 120s; 500ms, 2m ...)\n"
            "      --hang DURATION      silence after which a worker counts as dead\n"
            "                           (default 10 x progress interval, at least 5s)\n"
            "      --progress-ms N      PROGRESS interval asked of workers (default 200)\n"
            "      --discover DURATION  wait for workers' PONGs (default 1s; 10s embedded)\n"
            "      --worker-jobs N      job slots of locally started workers (default 2)\n"
            "      --curve-secret FILE  this coordinator's CURVE key pair (tcp:// workers;\n"
            "                           also PGOPT_CURVE_SECRET); see: pgopt-coordinator keygen\n"
            "      --curve-server FILE  the workers' CURVE public key (PGOPT_CURVE_SERVER)\n"
            "\n"
            "Other:\n"
            "  -v, --verbose            log fleet events on standard error\n"
            "      --log-level LEVEL    debug | info | warn | error | off (default warn)\n"
            "  -h, --help               this text\n"
            "  -V, --version            version\n"
            "\n"
            "Exit status: 0 every agent answered; 3 partial (some agents did not answer:\n"
            "see the fleet section); 1 error (bad input, database unreachable, or no agent\n"
            "answered); 2 bad command line.\n");
}

static int parse_agents(options_t *o, const char *list)
{
    char *copy = strdup(list);
    char *save = NULL;
    o->nagents = 0;
    for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int found = -1;
        for (int a = 0; a < PHASE3_AGENT_COUNT; a++)
            if (strcmp(tok, PHASE3_AGENTS[a]) == 0)
                found = a;
        if (found < 0) {
            fprintf(stderr,
                    "pgopt-coordinator: unknown agent '%s' (index_advisor, query_rewriter, "
                    "config_tuner, ai_tuning)\n",
                    tok);
            free(copy);
            return -1;
        }
        int dup = 0;
        for (int i = 0; i < o->nagents; i++)
            dup |= o->agents[i] == PHASE3_AGENTS[found];
        if (!dup)
            o->agents[o->nagents++] = PHASE3_AGENTS[found];
    }
    free(copy);
    if (o->nagents == 0) {
        fprintf(stderr, "pgopt-coordinator: --agents needs at least one agent\n");
        return -1;
    }
    return 0;
}

/* Every duration option has a range; a value outside it is refused with
 * the range in the message, never wrapped or clipped. */
static int parse_duration_opt(const char *name, const char *value, int64_t min_ms, int64_t max_ms,
                              int64_t *out)
{
    err_t err;
    if (num_parse_duration_ms(value, min_ms, max_ms, out, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: %s: %s\n", name, ESC_LINE(err.msg));
        return -1;
    }
    return 0;
}

static int parse_int_opt(const char *name, const char *value, int64_t min, int64_t max,
                         int64_t *out)
{
    err_t err;
    if (num_parse_int(value, min, max, 0, out, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: %s: %s\n", name, ESC_LINE(err.msg));
        return -1;
    }
    return 0;
}

enum {
    OPT_SAVE = 256,
    OPT_CODE,
    OPT_CODE_INCLUDE,
    OPT_CODE_EXCLUDE,
    OPT_CPUS,
    OPT_MEMORY,
    OPT_STORAGE,
    OPT_CLOUD,
    OPT_STMT_TIMEOUT,
    OPT_COLLECT_TIMEOUT,
    OPT_AGENTS,
    OPT_HANG,
    OPT_PROGRESS,
    OPT_DISCOVER,
    OPT_WORKER_JOBS,
    OPT_LOG_LEVEL,
    OPT_APP_PROCESSES,
    OPT_PGBOUNCER_INI,
    OPT_INDEX_BUDGET,
    OPT_VERIFY,
    OPT_STORE,
    OPT_SAMPLES,
    OPT_INTERVAL,
    OPT_CURVE_SECRET,
    OPT_CURVE_SERVER,
    OPT_CONFIG,
};

/* File scope: config_merge_argv reads the same table getopt_long does. */
static const struct option LONGOPTS[] = {
    {"dsn", required_argument, NULL, 'd'},
    {"snapshot", required_argument, NULL, 's'},
    {"save-snapshot", required_argument, NULL, OPT_SAVE},
    {"code", required_argument, NULL, OPT_CODE},
    {"code-include", required_argument, NULL, OPT_CODE_INCLUDE},
    {"code-exclude", required_argument, NULL, OPT_CODE_EXCLUDE},
    {"cpus", required_argument, NULL, OPT_CPUS},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"storage", required_argument, NULL, OPT_STORAGE},
    {"cloud", required_argument, NULL, OPT_CLOUD},
    {"statement-timeout", required_argument, NULL, OPT_STMT_TIMEOUT},
    {"collect-timeout", required_argument, NULL, OPT_COLLECT_TIMEOUT},
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, 'f'},
    {"quiet", no_argument, NULL, 'q'},
    {"config", required_argument, NULL, OPT_CONFIG},
    {"worker", required_argument, NULL, 'w'},
    {"agents", required_argument, NULL, OPT_AGENTS},
    {"timeout", required_argument, NULL, 't'},
    {"hang", required_argument, NULL, OPT_HANG},
    {"progress-ms", required_argument, NULL, OPT_PROGRESS},
    {"discover", required_argument, NULL, OPT_DISCOVER},
    {"worker-jobs", required_argument, NULL, OPT_WORKER_JOBS},
    {"verbose", no_argument, NULL, 'v'},
    {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
    {"app-processes", required_argument, NULL, OPT_APP_PROCESSES},
    {"pgbouncer-ini", required_argument, NULL, OPT_PGBOUNCER_INI},
    {"index-budget", required_argument, NULL, OPT_INDEX_BUDGET},
    {"verify", no_argument, NULL, OPT_VERIFY},
    {"store", required_argument, NULL, OPT_STORE},
    {"samples", required_argument, NULL, OPT_SAMPLES},
    {"interval", required_argument, NULL, OPT_INTERVAL},
    {"curve-secret", required_argument, NULL, OPT_CURVE_SECRET},
    {"curve-server", required_argument, NULL, OPT_CURVE_SERVER},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};
#define SHORTOPTS ":d:s:o:f:qw:t:vhV"

static int parse_args(int argc, char **argv, options_t *o)
{
    err_t err;
    int c;
    int64_t ms;
    opterr = 0;
    while ((c = getopt_long(argc, argv, SHORTOPTS, LONGOPTS, NULL)) != -1) {
        switch (c) {
        case 'd':
            o->dsn = optarg;
            o->have_dsn = 1;
            break;
        case 's':
            o->snapshot_path = optarg;
            break;
        case OPT_SAVE:
            o->save_snapshot = optarg;
            break;
        case OPT_CODE:
            o->collect.code_dir = optarg;
            break;
        case OPT_CODE_INCLUDE:
        case OPT_CODE_EXCLUDE: {
            int inc = c == OPT_CODE_INCLUDE;
            size_t *n = inc ? &o->collect.ncode_include : &o->collect.ncode_exclude;
            if (!*optarg || *n == COLLECT_MAX_CODE_GLOBS) {
                fprintf(stderr, "pgopt-coordinator: --code-%s: %s\n", inc ? "include" : "exclude",
                        *optarg ? "at most 32 globs" : "empty glob");
                return -1;
            }
            (inc ? o->collect.code_include : o->collect.code_exclude)[(*n)++] = optarg;
            break;
        }
        case OPT_CPUS:
            if (host_parse_cpus(optarg, &o->collect.cpus, &err) != 0) {
                fprintf(stderr, "pgopt-coordinator: --cpus: %s\n", ESC_LINE(err.msg));
                return -1;
            }
            break;
        case OPT_MEMORY:
            if (host_parse_memory(optarg, &o->collect.memory_bytes, &err) != 0) {
                fprintf(stderr, "pgopt-coordinator: --memory: %s\n", ESC_LINE(err.msg));
                return -1;
            }
            break;
        case OPT_STORAGE:
            if (host_parse_storage(optarg, &o->collect.storage, &err) != 0) {
                fprintf(stderr, "pgopt-coordinator: --storage: %s\n", ESC_LINE(err.msg));
                return -1;
            }
            break;
        case OPT_CLOUD: {
            json_t *cloud = NULL;
            if (host_parse_cloud(optarg, &cloud, &err) != 0) {
                fprintf(stderr, "pgopt-coordinator: --cloud: %s\n", ESC_LINE(err.msg));
                return -1;
            }
            json_decref(cloud);
            o->collect.cloud = optarg;
            break;
        }
        case OPT_STMT_TIMEOUT:
            /* 0 is PostgreSQL's "no timeout"; the upper bound is its own */
            if (parse_duration_opt("--statement-timeout", optarg, 0, MAX_STATEMENT_TIMEOUT_MS,
                                   &ms) != 0)
                return -1;
            o->collect.statement_timeout_ms = (int)ms;
            break;
        case OPT_COLLECT_TIMEOUT:
            if (parse_duration_opt("--collect-timeout", optarg, 0, COLLECT_MAX_TIMEOUT_MS,
                                   &o->collect.collect_timeout_ms) != 0)
                return -1;
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'f': {
            report_format_t fmt;
            if (report_format_parse(optarg, &fmt, &err) != 0) {
                fprintf(stderr, "pgopt-coordinator: --format: %s\n", ESC_LINE(err.msg));
                return -1;
            }
            o->format = optarg;
            break;
        }
        case 'q':
            o->quiet = 1;
            break;
        case OPT_CONFIG:
            break; /* read by config_merge_argv before getopt */
        case 'w':
            if (o->nworkers >= MAX_WORKER_ARGS) {
                fprintf(stderr, "pgopt-coordinator: too many --worker options (max %d)\n",
                        MAX_WORKER_ARGS);
                return -1;
            }
            o->workers[o->nworkers++] = optarg;
            break;
        case OPT_AGENTS:
            if (parse_agents(o, optarg) != 0)
                return -1;
            break;
        case 't':
            if (parse_duration_opt("--timeout", optarg, 1, MAX_FLEET_DURATION_MS,
                                   &o->fleet.timeout_ms) != 0)
                return -1;
            break;
        case OPT_HANG:
            if (parse_duration_opt("--hang", optarg, 1, MAX_FLEET_DURATION_MS, &o->fleet.hang_ms) !=
                0)
                return -1;
            break;
        case OPT_PROGRESS:
            /* the range a worker clamps a JOB's progress_ms to */
            if (parse_int_opt("--progress-ms", optarg, 10, 60000, &o->fleet.progress_ms) != 0)
                return -1;
            break;
        case OPT_DISCOVER:
            if (parse_duration_opt("--discover", optarg, 1, MAX_FLEET_DURATION_MS,
                                   &o->fleet.discover_ms) != 0)
                return -1;
            break;
        case OPT_WORKER_JOBS:
            if (parse_int_opt("--worker-jobs", optarg, 1, 1024, &ms) != 0)
                return -1;
            o->worker_jobs = (int)ms;
            break;
        case 'v':
            o->verbose = 1;
            break;
        case OPT_APP_PROCESSES:
            if (host_parse_cpus(optarg, &o->app_processes, &err) != 0) {
                fprintf(stderr, "pgopt-coordinator: --app-processes: expected 1..65536, got '%s'\n",
                        optarg);
                return -1;
            }
            break;
        case OPT_PGBOUNCER_INI:
            o->pgbouncer_ini = optarg;
            break;
        case OPT_INDEX_BUDGET:
            if (host_parse_memory(optarg, &o->index_budget, &err) != 0 || o->index_budget <= 0) {
                fprintf(stderr, "pgopt-coordinator: --index-budget: %s\n",
                        o->index_budget <= 0 ? "must be positive" : ESC_LINE(err.msg));
                return -1;
            }
            break;
        case OPT_VERIFY:
            o->verify = 1;
            break;
        case OPT_STORE:
            o->store = optarg;
            break;
        case OPT_CURVE_SECRET:
            o->curve_secret = optarg;
            break;
        case OPT_CURVE_SERVER:
            o->curve_server = optarg;
            break;
        case OPT_SAMPLES:
            if (parse_int_opt("--samples", optarg, 2, 100000, &ms) != 0)
                return -1;
            o->samples = (int)ms;
            break;
        case OPT_INTERVAL:
            if (parse_duration_opt("--interval", optarg, 1000, MAX_FLEET_DURATION_MS, &ms) != 0)
                return -1;
            o->interval_s = (int)(ms >= 1000 ? ms / 1000 : 1);
            break;
        case OPT_LOG_LEVEL: {
            log_level_t lv;
            if (log_level_parse(optarg, &lv) != 0) {
                fprintf(stderr, "pgopt-coordinator: --log-level: unknown level '%s'\n", optarg);
                return -1;
            }
            o->log_level = optarg;
            break;
        }
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf("pgopt-coordinator %s (protocol %d.%d, snapshot format %d)\n", PGOPT_VERSION,
                   PROTO_VERSION_MAJOR, PROTO_VERSION_MINOR, SNAPSHOT_FORMAT_VERSION);
            exit(0);
        case ':':
            fprintf(stderr, "pgopt-coordinator: option %s needs a value\n", argv[optind - 1]);
            return -1;
        default:
            fprintf(stderr, "pgopt-coordinator: unknown option '%s' (see --help)\n",
                    argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pgopt-coordinator: unexpected argument '%s' (see --help)\n", argv[optind]);
        return -1;
    }
    if (!o->snapshot_path == !o->have_dsn) {
        fprintf(stderr,
                "pgopt-coordinator: give exactly one of --dsn or --snapshot (see --help)\n");
        return -1;
    }
    if ((o->collect.ncode_include || o->collect.ncode_exclude) && !o->collect.code_dir) {
        fprintf(stderr, "pgopt-coordinator: --code-include and --code-exclude need --code\n");
        return -1;
    }
    if (o->samples && !o->have_dsn) {
        fprintf(stderr, "pgopt-coordinator: --samples needs --dsn\n");
        return -1;
    }
    if (o->snapshot_path && (o->collect.code_dir || o->collect.cpus || o->collect.memory_bytes ||
                             o->collect.storage || o->collect.cloud)) {
        fprintf(stderr, "pgopt-coordinator: --code, --cpus, --memory, --storage and --cloud "
                        "apply to --dsn collection, not to a saved --snapshot\n");
        return -1;
    }
    return 0;
}

static int write_output(const char *path, const json_t *doc)
{
    err_t err;
    if (!path || strcmp(path, "-") == 0) {
        if (jsonout_file(stdout, doc, JSONOUT_PRETTY, &err) != 0 || fflush(stdout) != 0) {
            fprintf(stderr, "pgopt-coordinator: writing standard output: %s\n", ESC_LINE(err.msg));
            return -1;
        }
        return 0;
    }
    /* common/outfile: a file is replaced atomically (mode 0600), a device or
     * FIFO written in place, a directory refused. */
    outfile_t *f;
    if (outfile_open(path, &f, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(err.msg));
        return -1;
    }
    if (jsonout_file(outfile_stream(f), doc, JSONOUT_PRETTY, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: writing %s: %s\n", ESC_LINE(outfile_path(f)),
                ESC_LINE(err.msg));
        outfile_destroy(&f);
        return -1;
    }
    if (outfile_commit(&f, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(err.msg));
        return -1;
    }
    return 0;
}

/* The user's analysis choices travel inside the snapshot, so remote
 * workers see them too: snapshot.options (index_budget_bytes, verify),
 * sqlalchemy.app_processes and the pgbouncer section. */
static int apply_user_options(const options_t *o, json_t *snap)
{
    json_t *options = json_object_get(snap, "options");
    if (!json_is_object(options)) {
        options = json_object();
        json_object_set_new(snap, "options", options);
    }
    if (o->index_budget > 0)
        json_object_set_new(options, "index_budget_bytes", json_integer(o->index_budget));
    if (o->verify)
        json_object_set_new(options, "verify", json_true());
    if (o->app_processes > 0) {
        json_t *sqla = json_object_get(snap, "sqlalchemy");
        if (!json_is_object(sqla)) {
            sqla = json_object();
            json_object_set_new(snap, "sqlalchemy", sqla);
        }
        json_object_set_new(sqla, "app_processes", json_integer(o->app_processes));
    }
    if (o->pgbouncer_ini) {
        json_t *pgb = NULL;
        err_t err;
        if (pgbouncer_ini_read(o->pgbouncer_ini, &pgb, &err) != 0) {
            fprintf(stderr, "pgopt-coordinator: --pgbouncer-ini: %s\n", ESC_LINE(err.msg));
            return -1;
        }
        json_object_set_new(snap, "pgbouncer", pgb);
    }
    return 0;
}

static json_t *obtain_snapshot(const options_t *o)
{
    err_t err;
    json_t *snap = NULL;
    if (o->snapshot_path) {
        if (snapshot_read_file(o->snapshot_path, &snap, &err) != 0) {
            fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(err.msg));
            return NULL;
        }
        /* A saved snapshot (an older pgopt's, or made by hand) is redacted
         * too before it goes to any worker: coordinator/collect/redact.h. */
        redact_stats_t rs;
        if (redact_snapshot(snap, &rs) != 0) {
            fprintf(stderr, "pgopt-coordinator: redacting %s: out of memory\n",
                    ESC_LINE(o->snapshot_path));
            json_decref(snap);
            return NULL;
        }
        json_t *meta = json_object_get(snap, "meta");
        if (rs.literals && json_is_object(meta)) {
            char msg[400];
            redact_note(&rs, msg, sizeof msg);
            json_t *notes = json_object_get(meta, "notes");
            if (!json_is_array(notes)) {
                notes = json_array();
                json_object_set_new(meta, "notes", notes);
            }
            json_array_append_new(notes, json_string(msg));
        }
    } else {
        collect_opts_t c = o->collect;
        c.conninfo = o->dsn;
        if (collect_snapshot(&c, &snap, &err) != 0) {
            fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(err.msg));
            return NULL;
        }
        if (snapshot_validate(snap, &err) != 0) {
            /* The collector produced something the model rejects: a bug. */
            fprintf(stderr, "pgopt-coordinator: collected snapshot is invalid: %s\n",
                    ESC_LINE(err.msg));
            json_decref(snap);
            return NULL;
        }
    }
    if (o->store && history_attach(snap, o->store, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: --store: %s\n", ESC_LINE(err.msg));
        json_decref(snap);
        return NULL;
    }
    if (o->samples >= 2) {
        collect_opts_t sc = o->collect;
        sc.conninfo = o->dsn;
        if (history_sample_live(&sc, o->samples, o->interval_s ? o->interval_s : 10, snap, &err) !=
            0) {
            fprintf(stderr, "pgopt-coordinator: --samples: %s\n", ESC_LINE(err.msg));
            json_decref(snap);
            return NULL;
        }
    }
    if (o->save_snapshot && snapshot_write_file(o->save_snapshot, snap, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: --save-snapshot: %s\n", ESC_LINE(err.msg));
        json_decref(snap);
        return NULL;
    }
    return snap;
}

typedef struct {
    progress_t *progress;
    int finished, total;
} fleet_progress_t;

static void on_fleet_progress(void *arg, const char *agent, const char *stage, int64_t done,
                              int64_t total, const char *status)
{
    fleet_progress_t *fp = arg;
    if (status)
        fp->finished++;
    progress_step(fp->progress, "waiting for agents", fp->finished, fp->total);
    progress_task(fp->progress, agent, stage, done, total, status);
}

/* phase3_output in the chosen format, to -o or standard output. */
static int write_report(const options_t *o, const json_t *out, const json_t *summary,
                        int64_t total_ms, int64_t collect_ms)
{
    err_t err;
    report_format_t fmt;
    if (o->format)
        report_format_parse(o->format, &fmt, &err);
    else
        fmt = report_format_default(o->output, isatty(STDOUT_FILENO));
    if (fmt == REPORT_JSON)
        return write_output(o->output, out);
    report_opts_t ro;
    report_opts_init(&ro);
    ro.snapshot_summary = summary;
    ro.source = o->snapshot_path ? o->snapshot_path : "--dsn (live collection)";
    ro.total_ms = total_ms;
    ro.collect_ms = collect_ms;
    int to_stdout = !o->output || !strcmp(o->output, "-");
    ro.color = to_stdout && report_color_wanted(stdout);
    if (report_write_path(out, fmt, o->output, &ro, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(err.msg));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "snapshot") == 0)
        return history_cli_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "keygen") == 0)
        return keygen_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "ping") == 0)
        return ping_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "report") == 0)
        return report_cli_main(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "verify") == 0)
        return verify_cli_main(argc - 1, argv + 1);
    /* command line > PGOPT_* > config file > defaults (docs/CONFIG.md) */
    static const char *const not_configurable[] = {"help", "version", "config", NULL};
    static const char *const repeatable[] = {"worker", NULL};
    /* a saved snapshot excludes a collection and its host options */
    static const char *const exclusive[] = {
        "dsn",     "snapshot", "snapshot", "cpus",     "snapshot", "memory", "snapshot",
        "storage", "snapshot", "cloud",    "snapshot", "code",     NULL};
    const config_spec_t spec = {LONGOPTS,  SHORTOPTS, not_configurable, repeatable,
                                exclusive, "PGOPT_",  "pgopt"};
    int margc = 0;
    char **margv = NULL;
    err_t cerr;
    if (config_merge_argv(&spec, argc, argv, &margc, &margv, NULL, &cerr) != 0) {
        fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(cerr.msg));
        return EXIT_USAGE;
    }
    options_t o;
    memset(&o, 0, sizeof o);
    fleet_opts_init(&o.fleet);
    collect_opts_init(&o.collect);
    o.worker_jobs = 2;
    int64_t default_discover = o.fleet.discover_ms;
    if (parse_args(margc, margv, &o) != 0) {
        config_free_argv(margc, &margv);
        return EXIT_USAGE;
    }
    log_level_t level = o.verbose ? LOG_INFO : LOG_WARN;
    if (o.log_level)
        log_level_parse(o.log_level, &level);
    log_init("coordinator", level);

    if (o.nagents == 0)
        for (int a = 0; a < PHASE3_AGENT_COUNT; a++)
            o.agents[o.nagents++] = PHASE3_AGENTS[a];

    int status = EXIT_ERROR;
    err_t err;
    progress_t *progress = progress_new(progress_wanted(o.quiet));
    fleet_progress_t fp = {progress, 0, o.nagents};
    o.fleet.on_progress = on_fleet_progress;
    o.fleet.on_progress_arg = &fp;
    json_t *summary = NULL;
    int64_t collect_ms = -1;
    embedded_t *local = NULL;
    fleet_t *fleet = NULL;
    json_t *snap = NULL, *kept = NULL;
    zmq_msg_t body;
    zmq_msg_init(&body);
    const char *env_workers = getenv("PGOPT_WORKERS");
    int distributed = o.nworkers > 0 || (env_workers && *env_workers);
    if (!distributed && o.fleet.discover_ms == default_discover)
        o.fleet.discover_ms = 10000; /* local workers need a moment to bind; PONGs end it early */
    const char *secret = o.curve_secret ? o.curve_secret : getenv("PGOPT_CURVE_SECRET");
    const char *server = o.curve_server ? o.curve_server : getenv("PGOPT_CURVE_SERVER");
    if ((secret && *secret) || (server && *server)) {
        if (fleet_opts_load_curve(&o.fleet, secret, server, &err) != 0) {
            fprintf(stderr, "pgopt-coordinator: CURVE keys: %s\n", ESC_LINE(err.msg));
            status = EXIT_USAGE;
            goto done;
        }
    }
    fleet = fleet_new(&o.fleet);
    if (!fleet) {
        fprintf(stderr, "pgopt-coordinator: out of memory\n");
        goto done;
    }
    for (int i = 0; i < o.nworkers; i++)
        if (fleet_add_endpoint(fleet, o.workers[i]) < 0) {
            fprintf(stderr, "pgopt-coordinator: --worker: %s\n", ESC_LINE(fleet_error(fleet)));
            status = EXIT_USAGE;
            goto done;
        }
    if (env_workers && *env_workers && fleet_add_endpoint_list(fleet, env_workers) < 0) {
        fprintf(stderr, "pgopt-coordinator: PGOPT_WORKERS: %s\n", ESC_LINE(fleet_error(fleet)));
        status = EXIT_USAGE;
        goto done;
    }

    /* Workers reach the database for what-if analysis through target.dsn
     * (never with a password). It is sent to workers on other hosts only
     * over CURVE; in plaintext it stays on this machine. */
    o.collect.include_target_dsn = 1;
    progress_step(progress, o.snapshot_path ? "reading the snapshot" : "collecting", 0, 0);
    snap = obtain_snapshot(&o);
    if (!o.snapshot_path)
        collect_ms = progress_elapsed_ms(progress);
    progress_done(progress, NULL);
    if (!snap)
        goto done;
    summary = report_snapshot_summary(snap);
    if (apply_user_options(&o, snap) != 0)
        goto done;
    if (json_object_get(snap, "target") && !fleet_is_secure(fleet)) {
        json_object_del(snap, "target");
        json_t *notes = json_object_get(json_object_get(snap, "meta"), "notes");
        if (json_is_array(notes))
            json_array_append_new(notes, json_string("target DSN withheld: workers on other hosts "
                                                     "are reached without encryption, so what-if "
                                                     "analysis on the database is not possible"));
        log_warn("target DSN withheld from remote workers (plaintext tcp)", NULL);
    }

    /* Encode once; every worker gets a reference to the same bytes. */
    char *buf = NULL;
    size_t len = 0;
    if (codec_encode(snap, &buf, &len, &err) != 0 ||
        transport_body_from_buffer(&body, buf, len, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: encoding the snapshot: %s\n", ESC_LINE(err.msg));
        goto done;
    }
    /* --store verifies the previous result against this snapshot's
     * history after the agents answer: keep only what that needs. */
    if (o.store)
        kept = json_pack("{s:{s:O?, s:O?}, s:O?}", "meta", "system_identifier",
                         json_object_get(json_object_get(snap, "meta"), "system_identifier"),
                         "database", json_object_get(json_object_get(snap, "meta"), "database"),
                         "history", json_object_get(snap, "history"));
    json_decref(snap);
    snap = NULL;

    if (!distributed) {
        local = embedded_start(o.agents, o.nagents, o.worker_jobs,
                               o.log_level ? o.log_level : (o.verbose ? "info" : "warn"), &err);
        if (!local) {
            fprintf(stderr, "pgopt-coordinator: starting local workers: %s\n", ESC_LINE(err.msg));
            goto done;
        }
        for (int i = 0; i < embedded_count(local); i++)
            if (fleet_add_endpoint(fleet, embedded_endpoint(local, i)) < 0) {
                fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(fleet_error(fleet)));
                goto done;
            }
    }

    agent_outcome_t outcomes[PHASE3_AGENT_COUNT];
    if (fleet_run(fleet, o.agents, o.nagents, &body, outcomes) != 0) {
        fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(fleet_error(fleet)));
        fleet_outcomes_clear(outcomes, o.nagents);
        goto done;
    }
    for (int k = 0; local && k < o.nagents; k++) {
        const char *why = embedded_missing(local, outcomes[k].agent);
        if (outcomes[k].status == AGENT_UNAVAILABLE && why)
            snprintf(outcomes[k].error, sizeof outcomes[k].error, "no local worker: %s", why);
    }
    json_t *out = phase3_assemble(outcomes, o.nagents);
    status = phase3_exit_status(outcomes, o.nagents);
    /* With --store: check the previous result's advice against the history
     * and keep this result for the next run (coordinator/history/applied.h). */
    if (o.store) {
        err_t verr;
        if (applied_with_store(out, kept, o.store, &verr) != 0)
            fprintf(stderr, "pgopt-coordinator: --store: %s\n", ESC_LINE(verr.msg));
    }
    fleet_outcomes_clear(outcomes, o.nagents);
    progress_done(progress, NULL);
    if (write_report(&o, out, summary, progress_elapsed_ms(progress), collect_ms) != 0)
        status = EXIT_ERROR;
    json_decref(out);
    for (int k = 0; k < o.nagents; k++)
        if (outcomes[k].status != AGENT_OK)
            fprintf(stderr, "pgopt-coordinator: %s: %s: %s\n", outcomes[k].agent,
                    agent_status_name(outcomes[k].status), ESC_LINE(outcomes[k].error));

done:
    json_decref(kept);
    progress_destroy(&progress);
    json_decref(summary);
    config_free_argv(margc, &margv);
    json_decref(snap);
    fleet_destroy(&fleet);
    embedded_stop(&local);
    zmq_msg_close(&body);
    return status;
}
