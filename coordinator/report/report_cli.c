/*
 * report_cli.c - `pgopt-coordinator report`: a saved phase3_output rendered
 * again in any format (report_cli.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/escape.h"
#include "coordinator/report/report.h"
#include "coordinator/report/report_cli.h"
#include "proto/snapshot.h"

/* Prints the report subcommand's help to out. */
static void usage(FILE *out)
{
    fprintf(out, "Usage: pgopt-coordinator report RESULT.json [options]\n"
                 "\n"
                 "Renders a saved phase3_output (pgopt-coordinator -o RESULT.json) for people.\n"
                 "\n"
                 "  -f, --format FORMAT  text | html | sql | json (default: from -o's extension,\n"
                 "                       else text on a terminal, json otherwise)\n"
                 "  -o, --output PATH    write here (default: standard output). With sql, a\n"
                 "                       directory gets apply.sql and rollback.sql; a file\n"
                 "                       NAME.sql gets NAME.rollback.sql next to it\n"
                 "  -s, --snapshot FILE  the analysed snapshot, for the report's summary\n"
                 "                       (database, version, counts)\n"
                 "      --top N          recommendations per agent in text (default 10; 0 all)\n"
                 "      --width N        text width in columns (default 80)\n"
                 "      --color WHEN     auto | always | never (default auto: a terminal without\n"
                 "                       NO_COLOR)\n"
                 "  -h, --help           this text\n"
                 "\n"
                 "Exit status: 0 written; 1 error (unreadable input, write failure); 2 bad\n"
                 "command line.\n");
}

int report_cli_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},   {"output", required_argument, NULL, 'o'},
        {"snapshot", required_argument, NULL, 's'}, {"top", required_argument, NULL, 'T'},
        {"width", required_argument, NULL, 'W'},    {"color", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    const char *format = NULL, *output = NULL, *snap_path = NULL, *color = "auto";
    int top = 10, width = 80, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:s:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 's':
            snap_path = optarg;
            break;
        case 'T':
            top = atoi(optarg);
            if (top < 0 || strspn(optarg, "0123456789") != strlen(optarg)) {
                fprintf(stderr, "pgopt-coordinator report: --top: expected a number >= 0\n");
                return 2;
            }
            break;
        case 'W':
            width = atoi(optarg);
            if (width < 40 || width > 1000) {
                fprintf(stderr, "pgopt-coordinator report: --width: expected 40..1000\n");
                return 2;
            }
            break;
        case 'C':
            if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
                fprintf(stderr, "pgopt-coordinator report: --color: auto, always or never\n");
                return 2;
            }
            color = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case ':':
            fprintf(stderr, "pgopt-coordinator report: option %s needs a value\n",
                    argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "pgopt-coordinator report: unknown option '%s' (see --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "pgopt-coordinator report: give one RESULT.json (see --help)\n");
        return 2;
    }
    err_t err;
    report_format_t fmt;
    if (format) {
        if (report_format_parse(format, &fmt, &err) != 0) {
            fprintf(stderr, "pgopt-coordinator report: --format: %s\n", ESC_LINE(err.msg));
            return 2;
        }
    } else {
        fmt = report_format_default(output, isatty(STDOUT_FILENO));
    }
    json_error_t je;
    json_t *p3 = json_load_file(argv[optind], 0, &je);
    if (!p3) {
        fprintf(stderr, "pgopt-coordinator report: %s:%d:%d: %s\n", argv[optind], je.line,
                je.column, je.text);
        return 1;
    }
    if (!json_is_object(p3) || !json_object_get(p3, "phase")) {
        fprintf(stderr, "pgopt-coordinator report: %s: not a phase3_output (no \"phase\" member)\n",
                argv[optind]);
        json_decref(p3);
        return 1;
    }
    json_t *summary = NULL;
    if (snap_path) {
        json_t *snap = NULL;
        if (snapshot_read_file(snap_path, &snap, &err) != 0) {
            fprintf(stderr, "pgopt-coordinator report: --snapshot: %s\n", ESC_LINE(err.msg));
            json_decref(p3);
            return 1;
        }
        summary = report_snapshot_summary(snap);
        json_decref(snap);
    }
    report_opts_t o;
    report_opts_init(&o);
    o.snapshot_summary = summary;
    o.top = top == 0 ? -1 : top;
    o.width = width;
    o.source = argv[optind];
    int to_stdout = !output || !strcmp(output, "-");
    o.color = !strcmp(color, "always") ||
              (!strcmp(color, "auto") && to_stdout && report_color_wanted(stdout));
    int rc = report_write_path(p3, fmt, output, &o, &err);
    if (rc != 0)
        fprintf(stderr, "pgopt-coordinator report: %s\n", ESC_LINE(err.msg));
    json_decref(summary);
    json_decref(p3);
    return rc == 0 ? 0 : 1;
}
