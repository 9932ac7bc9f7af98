/*
 * history_cli.c - `pgopt-coordinator snapshot --dsn ... --store DIR`.
 */
#include "coordinator/history/history_cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/escape.h"
#include "common/numparse.h"
#include "coordinator/collect/collect.h"
#include "coordinator/history/history.h"

/* Prints the snapshot subcommand's help to out. */
static void usage(FILE *out)
{
    fprintf(out,
            "Usage: pgopt-coordinator snapshot --dsn CONNINFO --store DIR [options]\n"
            "\n"
            "Collects the counters of a PostgreSQL database (pg_stat_statements, tables,\n"
            "database, bgwriter, activity, sizes) and appends them to the history store\n"
            "in DIR, under the server's system identifier and the database name. Run it\n"
            "every few minutes (cron, systemd timer, Kubernetes CronJob); an analysis with\n"
            "--store DIR then ships that history to the ai_tuning agent.\n"
            "\n"
            "  -d, --dsn CONNINFO         database to sample (libpq conninfo or URI)\n"
            "      --store DIR            history store directory (created if missing)\n"
            "      --retention DAYS       drop records older than this (default 35)\n"
            "      --full-resolution DAYS keep every record this recent; older ones are\n"
            "                             thinned to one per --thin (default 7)\n"
            "      --thin DURATION        spacing of thinned records (default 1h)\n"
            "      --no-compact           append only; leave retention for a later run\n"
            "      --statement-timeout DURATION  per collection query (default 30s; 0 = none)\n"
            "      --collect-timeout DURATION    the whole collection, however the\n"
            "                             server or network behaves (default 5m; 0 = none)\n"
            "  -q, --quiet                print nothing on success\n"
            "  -h, --help                 this text\n"
            "\n"
            "Exit status: 0 appended; 1 error (database unreachable, store unwritable);\n"
            "2 bad command line.\n");
}

/* A --retention/--full-resolution value: days (fractions allowed, up to
 * 100 years) into seconds. -1 after printing what is wrong. */
static int parse_days(const char *name, const char *text, int64_t *seconds)
{
    char *end;
    double d = strtod(text, &end);
    if (end == text || *end || !(d > 0) || d > 36500) {
        fprintf(stderr, "pgopt-coordinator snapshot: %s: expected a number of days, got '%s'\n",
                name, text);
        return -1;
    }
    *seconds = (int64_t)(d * 86400);
    return 0;
}

enum {
    OPT_STORE = 256,
    OPT_RETENTION,
    OPT_FULL,
    OPT_THIN,
    OPT_NO_COMPACT,
    OPT_STMT_TIMEOUT,
    OPT_COLLECT_TIMEOUT
};

/* The subcommand's options. */
typedef struct {
    const char *dsn, *store_dir;
    int have_dsn, compact, quiet;
    history_policy_t policy;
    collect_opts_t co;
} snapshot_args_t;

/* The command line into a (defaults first). Returns 0, 1 after printing
 * --help, or -1 after printing what is wrong (exit status 2). */
static int parse_snapshot_args(int argc, char **argv, snapshot_args_t *a)
{
    static const struct option longopts[] = {
        {"dsn", required_argument, NULL, 'd'},
        {"store", required_argument, NULL, OPT_STORE},
        {"retention", required_argument, NULL, OPT_RETENTION},
        {"full-resolution", required_argument, NULL, OPT_FULL},
        {"thin", required_argument, NULL, OPT_THIN},
        {"no-compact", no_argument, NULL, OPT_NO_COMPACT},
        {"statement-timeout", required_argument, NULL, OPT_STMT_TIMEOUT},
        {"collect-timeout", required_argument, NULL, OPT_COLLECT_TIMEOUT},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    a->compact = 1;
    history_policy_init(&a->policy);
    collect_opts_init(&a->co);
    int c;
    int64_t ms;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":d:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'd':
            a->dsn = optarg;
            a->have_dsn = 1;
            break;
        case OPT_STORE:
            a->store_dir = optarg;
            break;
        case OPT_RETENTION:
            if (parse_days("--retention", optarg, &a->policy.retention_s) != 0)
                return -1;
            break;
        case OPT_FULL:
            if (parse_days("--full-resolution", optarg, &a->policy.full_s) != 0)
                return -1;
            break;
        case OPT_THIN:
            ms = clock_parse_duration_ms(optarg);
            if (ms < 1000) {
                fprintf(stderr,
                        "pgopt-coordinator snapshot: --thin: bad duration '%s' (e.g. 1h, "
                        "30m)\n",
                        optarg);
                return -1;
            }
            a->policy.thin_step_s = ms / 1000;
            break;
        case OPT_NO_COMPACT:
            a->compact = 0;
            break;
        case OPT_STMT_TIMEOUT: {
            /* as in the main command: 0 is "no timeout", PostgreSQL's bound */
            err_t e;
            if (num_parse_duration_ms(optarg, 0, 2147483647LL, &ms, &e) != 0) {
                fprintf(stderr, "pgopt-coordinator snapshot: --statement-timeout: %s\n",
                        ESC_LINE(e.msg));
                return -1;
            }
            a->co.statement_timeout_ms = (int)ms;
        } break;
        case OPT_COLLECT_TIMEOUT: {
            err_t e;
            if (num_parse_duration_ms(optarg, 0, COLLECT_MAX_TIMEOUT_MS, &ms, &e) != 0) {
                fprintf(stderr, "pgopt-coordinator snapshot: --collect-timeout: %s\n",
                        ESC_LINE(e.msg));
                return -1;
            }
            a->co.collect_timeout_ms = ms;
        } break;
        case 'q':
            a->quiet = 1;
            break;
        case 'h':
            usage(stdout);
            return 1;
        case ':':
            fprintf(stderr, "pgopt-coordinator snapshot: option %s needs a value\n",
                    argv[optind - 1]);
            return -1;
        default:
            fprintf(stderr, "pgopt-coordinator snapshot: unknown option '%s' (see --help)\n",
                    argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pgopt-coordinator snapshot: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (!a->have_dsn || !a->store_dir || !*a->store_dir) {
        fprintf(stderr, "pgopt-coordinator snapshot: --a->dsn and --store are required (see "
                        "--help)\n");
        return -1;
    }
    if (a->policy.full_s > a->policy.retention_s)
        a->policy.full_s = a->policy.retention_s;
    return 0;
}

/* What was appended and compacted (unless quiet), and the repairs a
 * compaction made (always: they mean the store was damaged). */
static void print_outcome(const json_t *snap, const history_store_t *store,
                          const history_compact_stats_t *cs, int quiet)
{
    const json_t *meta = json_object_get(snap, "meta");
    if (!quiet) {
        printf("appended %s: %zu statements, %zu tables -> %s\n",
               json_string_value(json_object_get(meta, "collected_at")),
               json_array_size(json_object_get(snap, "statements")),
               json_array_size(json_object_get(snap, "tables")), history_path(store));
        if (cs->rewritten)
            printf("compacted: %zu -> %zu records, %zu -> %zu bytes\n", cs->records_before,
                   cs->records_after, cs->bytes_before, cs->bytes_after);
    }
    /* Repairs are reported even with -q: they mean the store was damaged. */
    if (cs->rewritten && (cs->duplicates_dropped || cs->same_time_dropped || cs->torn_tails ||
                          cs->damaged_regions || cs->bodies_damaged || cs->segments_moved_aside))
        fprintf(stderr,
                "pgopt-coordinator snapshot: compaction repaired %s: %zu duplicate record(s) "
                "dropped, %zu record(s) with the same collection time as another dropped, %zu "
                "torn tail(s) cut, %zu damaged stretch(es) skipped, %zu record(s) kept without "
                "their unreadable statements/tables, %zu damaged segment(s) moved aside as "
                "seg-N.damaged\n",
                history_path(store), cs->duplicates_dropped, cs->same_time_dropped, cs->torn_tails,
                cs->damaged_regions, cs->bodies_damaged, cs->segments_moved_aside);
}

/* `pgopt-coordinator snapshot`: collect, reduce to a history record,
 * append, compact. Returns the exit status (0 appended, 1 error, 2 bad
 * command line). */
int history_cli_main(int argc, char **argv)
{
    snapshot_args_t a;
    int rc = parse_snapshot_args(argc, argv, &a);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    err_t err;
    json_t *snap = NULL, *rec = NULL;
    history_store_t *store = NULL;
    int status = 1;
    a.co.conninfo = a.dsn;
    if (collect_snapshot(&a.co, &snap, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator snapshot: %s\n", ESC_LINE(err.msg));
        goto done;
    }
    const json_t *meta = json_object_get(snap, "meta");
    if (history_record_from_snapshot(snap, &rec, &err) != 0 ||
        history_open(a.store_dir, json_string_value(json_object_get(meta, "system_identifier")),
                     json_string_value(json_object_get(meta, "database")), &store, &err) != 0 ||
        history_append(store, rec, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator snapshot: %s\n", ESC_LINE(err.msg));
        goto done;
    }
    history_compact_stats_t cs;
    memset(&cs, 0, sizeof cs);
    /* Rewriting the store costs a copy of it: wait until at least a day of
     * 5-minute records (288) would go, or anything is damaged. */
    if (a.compact && history_compact(store, &a.policy, (int64_t)time(NULL), 288, &cs, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator snapshot: compaction: %s (the record was appended)\n",
                ESC_LINE(err.msg));
        goto done;
    }
    print_outcome(snap, store, &cs, a.quiet);
    status = 0;
done:
    json_decref(rec);
    json_decref(snap);
    history_close(&store);
    return status;
}
