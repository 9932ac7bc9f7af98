/*
 * main.c - pgopt-coordinator's command line: the subcommands, and the
 * options of an analysis (get a snapshot, publish it to the four agents,
 * gather their replies, print phase3_output), which coordinator/analysis.h
 * runs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/escape.h"
#include "common/log.h"
#include "common/numparse.h"
#include "coordinator/analysis.h"
#include "coordinator/collect/collect.h"
#include "coordinator/collect/host.h"
#include "coordinator/config_file.h"
#include "coordinator/fleet/keygen.h"
#include "coordinator/fleet/phase3.h"
#include "coordinator/fleet/ping.h"
#include "coordinator/history/history_cli.h"
#include "coordinator/history/verify_cli.h"
#include "coordinator/report/report.h"
#include "coordinator/report/report_cli.h"
#include "proto/agents.h"
#include "proto/message.h"
#include "proto/snapshot.h"

#define MAX_WORKER_ARGS ANALYSIS_MAX_WORKERS
/* PostgreSQL's own limit for statement_timeout (INT_MAX ms, 24.8 days) */
#define MAX_STATEMENT_TIMEOUT_MS 2147483647LL
/* --timeout, --hang, --discover, --interval: a week is beyond any analysis */
#define MAX_FLEET_DURATION_MS (7LL * 24 * 3600 * 1000)

/* The command line: the analysis' options and the program's own. */
typedef struct {
    analysis_opts_t a;
    int have_dsn;
    int verbose;
    const char *log_level;
} options_t;

/* Prints the coordinator's help (the analysis options and the subcommands)
 * to out. */
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
            "      --offline            the agents never connect to the database: no\n"
            "                           what-if EXPLAIN, no verify; estimates come from\n"
            "                           the snapshot alone\n"
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

/* --agents LIST: comma-separated agent names (proto/agents.h) into a->agents, duplicates once. -1
 * after printing an unknown name with the known ones, or an empty list. */
static int parse_agents(analysis_opts_t *a, const char *list)
{
    char *copy = xstrdup(list);
    char *save = NULL;
    a->nagents = 0;
    for (char *tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        const agent_info_t *found = agent_info(tok);
        if (!found) {
            fprintf(stderr, "pgopt-coordinator: unknown agent '%s' (", tok);
            for (int i = 0; i < AGENT_COUNT; i++)
                fprintf(stderr, "%s%s", i ? ", " : "", AGENTS[i].name);
            fprintf(stderr, ")\n");
            free(copy);
            return -1;
        }
        int dup = 0;
        for (int i = 0; i < a->nagents; i++)
            dup |= a->agents[i] == found->name;
        if (!dup)
            a->agents[a->nagents++] = found->name;
    }
    free(copy);
    if (a->nagents == 0) {
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

/* An integer option within [min, max]. -1 after printing why not, with the option's name. */
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
    OPT_OFFLINE,
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
    {"offline", no_argument, NULL, OPT_OFFLINE},
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

/* The collection's options (--code and its globs, host facts, timeouts).
 * Returns 1 when c is one of them, 0 when it is not, -1 after printing why
 * its value is wrong. */
static int parse_collect_opt(int c, const char *arg, collect_opts_t *co)
{
    err_t err;
    int64_t ms;
    switch (c) {
    case OPT_CODE:
        co->code_dir = arg;
        return 1;
    case OPT_CODE_INCLUDE:
    case OPT_CODE_EXCLUDE: {
        int inc = c == OPT_CODE_INCLUDE;
        size_t *n = inc ? &co->ncode_include : &co->ncode_exclude;
        if (!*arg || *n == COLLECT_MAX_CODE_GLOBS) {
            fprintf(stderr, "pgopt-coordinator: --code-%s: %s\n", inc ? "include" : "exclude",
                    *arg ? "at most 32 globs" : "empty glob");
            return -1;
        }
        (inc ? co->code_include : co->code_exclude)[(*n)++] = arg;
        return 1;
    }
    case OPT_CPUS:
        if (host_parse_cpus(arg, &co->cpus, &err) != 0) {
            fprintf(stderr, "pgopt-coordinator: --cpus: %s\n", ESC_LINE(err.msg));
            return -1;
        }
        return 1;
    case OPT_MEMORY:
        if (host_parse_memory(arg, &co->memory_bytes, &err) != 0) {
            fprintf(stderr, "pgopt-coordinator: --memory: %s\n", ESC_LINE(err.msg));
            return -1;
        }
        return 1;
    case OPT_STORAGE:
        if (host_parse_storage(arg, &co->storage, &err) != 0) {
            fprintf(stderr, "pgopt-coordinator: --storage: %s\n", ESC_LINE(err.msg));
            return -1;
        }
        return 1;
    case OPT_CLOUD: {
        json_t *cloud = NULL;
        if (host_parse_cloud(arg, &cloud, &err) != 0) {
            fprintf(stderr, "pgopt-coordinator: --cloud: %s\n", ESC_LINE(err.msg));
            return -1;
        }
        json_decref(cloud);
        co->cloud = arg;
        return 1;
    }
    case OPT_STMT_TIMEOUT:
        /* 0 is PostgreSQL's "no timeout"; the upper bound is its own */
        if (parse_duration_opt("--statement-timeout", arg, 0, MAX_STATEMENT_TIMEOUT_MS, &ms) != 0)
            return -1;
        co->statement_timeout_ms = (int)ms;
        return 1;
    case OPT_COLLECT_TIMEOUT:
        if (parse_duration_opt("--collect-timeout", arg, 0, COLLECT_MAX_TIMEOUT_MS,
                               &co->collect_timeout_ms) != 0)
            return -1;
        return 1;
    }
    return 0;
}

/* The fleet's options (endpoints, agents, deadlines, local workers, CURVE
 * keys). Returns 1 when c is one of them, 0 when it is not, -1 after
 * printing why its value is wrong. */
static int parse_fleet_opt(int c, const char *arg, analysis_opts_t *a)
{
    int64_t ms;
    switch (c) {
    case 'w':
        if (a->nworkers >= MAX_WORKER_ARGS) {
            fprintf(stderr, "pgopt-coordinator: too many --worker options (max %d)\n",
                    MAX_WORKER_ARGS);
            return -1;
        }
        a->workers[a->nworkers++] = arg;
        return 1;
    case OPT_AGENTS:
        if (parse_agents(a, arg) != 0)
            return -1;
        return 1;
    case 't':
        if (parse_duration_opt("--timeout", arg, 1, MAX_FLEET_DURATION_MS, &a->fleet.timeout_ms) !=
            0)
            return -1;
        return 1;
    case OPT_HANG:
        if (parse_duration_opt("--hang", arg, 1, MAX_FLEET_DURATION_MS, &a->fleet.hang_ms) != 0)
            return -1;
        return 1;
    case OPT_PROGRESS:
        /* the range a worker clamps a JOB's progress_ms to */
        if (parse_int_opt("--progress-ms", arg, 10, 60000, &a->fleet.progress_ms) != 0)
            return -1;
        return 1;
    case OPT_DISCOVER:
        if (parse_duration_opt("--discover", arg, 1, MAX_FLEET_DURATION_MS,
                               &a->fleet.discover_ms) != 0)
            return -1;
        return 1;
    case OPT_WORKER_JOBS:
        if (parse_int_opt("--worker-jobs", arg, 1, 1024, &ms) != 0)
            return -1;
        a->worker_jobs = (int)ms;
        return 1;
    case OPT_CURVE_SECRET:
        a->curve_secret = arg;
        return 1;
    case OPT_CURVE_SERVER:
        a->curve_server = arg;
        return 1;
    }
    return 0;
}

/* The input's, the analysis' and the report's options (snapshot, store,
 * samples, options that travel in the snapshot, output and format).
 * Returns 1 when c is one of them, 0 when it is not, -1 after printing why
 * its value is wrong. */
static int parse_analysis_opt(int c, const char *arg, analysis_opts_t *a)
{
    err_t err;
    int64_t ms;
    switch (c) {
    case 's':
        a->snapshot_path = arg;
        return 1;
    case OPT_SAVE:
        a->save_snapshot = arg;
        return 1;
    case 'o':
        a->output = arg;
        return 1;
    case 'f': {
        report_format_t fmt;
        if (report_format_parse(arg, &fmt, &err) != 0) {
            fprintf(stderr, "pgopt-coordinator: --format: %s\n", ESC_LINE(err.msg));
            return -1;
        }
        a->format = arg;
        return 1;
    }
    case 'q':
        a->quiet = 1;
        return 1;
    case OPT_APP_PROCESSES:
        if (host_parse_cpus(arg, &a->app_processes, &err) != 0) {
            fprintf(stderr, "pgopt-coordinator: --app-processes: expected 1..65536, got '%s'\n",
                    arg);
            return -1;
        }
        return 1;
    case OPT_PGBOUNCER_INI:
        a->pgbouncer_ini = arg;
        return 1;
    case OPT_INDEX_BUDGET:
        if (host_parse_memory(arg, &a->index_budget, &err) != 0 || a->index_budget <= 0) {
            fprintf(stderr, "pgopt-coordinator: --index-budget: %s\n",
                    a->index_budget <= 0 ? "must be positive" : ESC_LINE(err.msg));
            return -1;
        }
        return 1;
    case OPT_VERIFY:
        a->verify = 1;
        return 1;
    case OPT_OFFLINE:
        a->offline = 1;
        return 1;
    case OPT_STORE:
        a->store = arg;
        return 1;
    case OPT_SAMPLES:
        if (parse_int_opt("--samples", arg, 2, 100000, &ms) != 0)
            return -1;
        a->samples = (int)ms;
        return 1;
    case OPT_INTERVAL:
        if (parse_duration_opt("--interval", arg, 1000, MAX_FLEET_DURATION_MS, &ms) != 0)
            return -1;
        a->interval_s = (int)(ms >= 1000 ? ms / 1000 : 1);
        return 1;
    }
    return 0;
}

/* Options that contradict each other (exactly one input; --code-include
 * without --code; --samples without --dsn; host options with a saved
 * snapshot). -1 after printing which. */
static int check_args(const options_t *o)
{
    if (!o->a.snapshot_path == !o->have_dsn) {
        fprintf(stderr,
                "pgopt-coordinator: give exactly one of --dsn or --snapshot (see --help)\n");
        return -1;
    }
    if ((o->a.collect.ncode_include || o->a.collect.ncode_exclude) && !o->a.collect.code_dir) {
        fprintf(stderr, "pgopt-coordinator: --code-include and --code-exclude need --code\n");
        return -1;
    }
    if (o->a.samples && !o->have_dsn) {
        fprintf(stderr, "pgopt-coordinator: --samples needs --dsn\n");
        return -1;
    }
    if (o->a.snapshot_path &&
        (o->a.collect.code_dir || o->a.collect.cpus || o->a.collect.memory_bytes ||
         o->a.collect.storage || o->a.collect.cloud)) {
        fprintf(stderr, "pgopt-coordinator: --code, --cpus, --memory, --storage and --cloud "
                        "apply to --dsn collection, not to a saved --snapshot\n");
        return -1;
    }
    return 0;
}

/* The command line (merged with the config file and PGOPT_*) into o.
 * Each group of options has its parser; --help and --version exit here.
 * Returns -1 after printing what is wrong (the caller exits EXIT_USAGE). */
static int parse_args(int argc, char **argv, options_t *o)
{
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, SHORTOPTS, LONGOPTS, NULL)) != -1) {
        int r = parse_collect_opt(c, optarg, &o->a.collect);
        if (r == 0)
            r = parse_fleet_opt(c, optarg, &o->a);
        if (r == 0)
            r = parse_analysis_opt(c, optarg, &o->a);
        if (r < 0)
            return -1;
        if (r > 0)
            continue;
        switch (c) {
        case 'd':
            o->a.dsn = optarg;
            o->have_dsn = 1;
            break;
        case OPT_CONFIG:
            break; /* read by config_merge_argv before getopt */
        case 'v':
            o->verbose = 1;
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
    return check_args(o);
}

/* Subcommands first; otherwise the options (command line > PGOPT_* >
 * config file > defaults, docs/CONFIG.md) and the environment's worker
 * endpoints and CURVE keys into analysis_opts_t, then one analysis. Returns
 * the exit status of analysis_run, or EXIT_USAGE for a bad command line. */
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
    err_t err;
    if (config_merge_argv(&spec, argc, argv, &margc, &margv, NULL, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(err.msg));
        return EXIT_USAGE;
    }
    options_t o;
    memset(&o, 0, sizeof o);
    analysis_opts_init(&o.a);
    if (parse_args(margc, margv, &o) != 0) {
        config_free_argv(margc, &margv);
        return EXIT_USAGE;
    }
    log_level_t level = o.verbose ? LOG_INFO : LOG_WARN;
    if (o.log_level)
        log_level_parse(o.log_level, &level);
    log_init("coordinator", level);
    o.a.worker_log_level = o.log_level ? o.log_level : (o.verbose ? "info" : "warn");
    o.a.workers_list = getenv("PGOPT_WORKERS");
    if (!o.a.curve_secret)
        o.a.curve_secret = getenv("PGOPT_CURVE_SECRET");
    if (!o.a.curve_server)
        o.a.curve_server = getenv("PGOPT_CURVE_SERVER");

    int status = analysis_run(&o.a, NULL, &err);
    if (err.msg[0])
        fprintf(stderr, "pgopt-coordinator: %s\n", ESC_LINE(err.msg));
    config_free_argv(margc, &margv);
    return status;
}
