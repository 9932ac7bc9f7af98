/*
 * verify_cli.c - `pgopt-coordinator verify` (verify_cli.h).
 */
#include "coordinator/history/verify_cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "common/outfile.h"
#include "common/strbuf.h"
#include "coordinator/history/applied.h"
#include "coordinator/history/history.h"

/* Prints the verify subcommand's help to out. */
static void usage(FILE *out)
{
    fprintf(out,
            "Usage: pgopt-coordinator verify --store DIR RESULT.json [options]\n"
            "\n"
            "For each recommendation of an earlier result (pgopt-coordinator -o RESULT.json):\n"
            "was it applied (index with that definition, setting with that value, original\n"
            "statement no longer called), when, and did the affected statements get faster\n"
            "(exact Mann-Whitney test on the history kept by `snapshot --store DIR`)?\n"
            "\n"
            "  --store DIR                the history store\n"
            "  --database NAME            which database of the store (needed when it holds\n"
            "                             several)\n"
            "  --system-identifier ID     which server (needed when it holds several)\n"
            "  -f, --format text|json     default text\n"
            "  -o, --output FILE          default standard output\n"
            "  -h, --help                 this text\n"
            "\n"
            "Exit status: 0 written; 1 error; 2 bad command line.\n");
}

/* The only entry of a directory that is itself a directory, or NULL. */
static char *only_subdir(const char *dir, int *count)
{
    *count = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char *found = NULL;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        struct stat st;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            (*count)++;
            free(found);
            found = xstrdup(de->d_name);
        }
    }
    closedir(d);
    if (*count != 1) {
        free(found);
        return NULL;
    }
    return found;
}

/* The subcommand's options and its one RESULT.json. */
typedef struct {
    const char *store, *db, *sysid, *format, *output, *result_path;
} verify_args_t;

/* The command line into a. Returns 0, 1 after printing --help, or -1 after
 * printing what is wrong (exit status 2). */
static int parse_verify_args(int argc, char **argv, verify_args_t *a)
{
    static const struct option longopts[] = {
        {"store", required_argument, NULL, 'S'},
        {"database", required_argument, NULL, 'D'},
        {"system-identifier", required_argument, NULL, 'I'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(a, 0, sizeof *a);
    a->format = "text";
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'S':
            a->store = optarg;
            break;
        case 'D':
            a->db = optarg;
            break;
        case 'I':
            a->sysid = optarg;
            break;
        case 'f':
            a->format = optarg;
            break;
        case 'o':
            a->output = optarg;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            fprintf(stderr, "pgopt-coordinator verify: bad option %s (see --help)\n",
                    argv[optind - 1]);
            return -1;
        }
    }
    if (!a->store || optind != argc - 1 ||
        (strcmp(a->format, "text") && strcmp(a->format, "json"))) {
        fprintf(stderr, "pgopt-coordinator verify: needs --store DIR and one RESULT.json "
                        "(--format text|json; see --help)\n");
        return -1;
    }
    a->result_path = argv[optind];
    return 0;
}

/* Which server and database: given, or the only one in the store (then
 * a->sysid / a->db point into *auto_sys / *auto_db, which the caller
 * frees). Returns 0, or the exit status after printing why (1 when the
 * store holds none, 2 when it holds several). */
static int pick_target(verify_args_t *a, char **auto_sys, char **auto_db)
{
    int n;
    if (!a->sysid) {
        *auto_sys = only_subdir(a->store, &n);
        if (!*auto_sys) {
            fprintf(stderr,
                    "pgopt-coordinator verify: %s holds %d servers: pass --system-identifier\n",
                    a->store, n);
            return n == 0 ? 1 : 2;
        }
        a->sysid = *auto_sys;
    }
    if (!a->db) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", a->store, a->sysid);
        *auto_db = only_subdir(p, &n);
        if (!*auto_db) {
            fprintf(stderr, "pgopt-coordinator verify: %s holds %d databases: pass --database\n", p,
                    n);
            return n == 0 ? 1 : 2;
        }
        a->db = *auto_db;
    }
    return 0;
}

/* The verification in text (one line per recommendation) or JSON on f. */
static void print_verification(const json_t *ver, const char *format, FILE *f)
{
    if (!strcmp(format, "json")) {
        json_dumpf(ver, f, JSON_INDENT(2));
        fputc('\n', f);
        return;
    }
    const json_t *h = json_object_get(ver, "history");
    fprintf(f, "Applied advice: did it help?\nresult of %s; history %s .. %s (%lld entries)\n",
            json_string_value(json_object_get(ver, "result_timestamp")),
            json_string_value(json_object_get(h, "from"))
                ? json_string_value(json_object_get(h, "from"))
                : "-",
            json_string_value(json_object_get(h, "to"))
                ? json_string_value(json_object_get(h, "to"))
                : "-",
            (long long)json_integer_value(json_object_get(h, "entries")));
    size_t i;
    const json_t *it;
    json_array_foreach(json_object_get(ver, "items"), i, it)
    {
        strbuf_t line = {0};
        applied_item_text(it, &line);
        fprintf(f, "  - %s\n", strbuf_str(&line));
        strbuf_free(&line);
    }
}

/* The verification to -o or standard output. -o goes through
 * common/outfile like every other output (atomic, 0600, a device or FIFO in
 * place, a directory refused). Returns the exit status (0, or 1 after
 * printing why the output failed). */
static int write_verification(const json_t *ver, const verify_args_t *a)
{
    err_t err;
    outfile_t *of = NULL;
    if (a->output && strcmp(a->output, "-") != 0 && outfile_open(a->output, &of, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator verify: %s\n", err.msg);
        return 1;
    }
    FILE *f = of ? outfile_stream(of) : stdout;
    print_verification(ver, a->format, f);
    if (!of)
        return fflush(f) != 0 || ferror(f) ? 1 : 0;
    if (ferror(f)) {
        fprintf(stderr, "pgopt-coordinator verify: writing %s: %s\n", outfile_path(of),
                strerror(errno ? errno : EIO));
        outfile_destroy(&of);
        return 1;
    }
    if (outfile_commit(&of, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator verify: %s\n", err.msg);
        return 1;
    }
    return 0;
}

/* `pgopt-coordinator verify --store DIR RESULT.json`: the result's advice
 * checked against the store's history (coordinator/history/applied.h).
 * Returns the exit status (0 reported, 1 error, 2 bad command line or an
 * ambiguous store). */
int verify_cli_main(int argc, char **argv)
{
    verify_args_t a;
    int rc = parse_verify_args(argc, argv, &a);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    json_error_t je;
    json_t *result = json_load_file(a.result_path, 0, &je);
    if (!result) {
        fprintf(stderr, "pgopt-coordinator verify: %s: %s (line %d)\n", a.result_path, je.text,
                je.line);
        return 1;
    }
    char *auto_sys = NULL, *auto_db = NULL;
    err_t err;
    history_store_t *hs = NULL;
    json_t *hist = NULL, *info = NULL, *ver = NULL, *keep = NULL;
    if ((rc = pick_target(&a, &auto_sys, &auto_db)) != 0)
        goto out;
    history_read_stats_t rs;
    history_build_opts_t bo;
    history_build_opts_init(&bo);
    /* The rewritten statements are looked for whatever their time. */
    keep = history_rewrite_fingerprints(result);
    bo.keep_fingerprints = keep;
    rc = 1;
    if (history_open(a.store, a.sysid, a.db, &hs, &err) != 0 ||
        history_build(hs, &bo, &hist, &info, &rs, &err) != 0 ||
        applied_verify(result, hist, &ver, &err) != 0) {
        fprintf(stderr, "pgopt-coordinator verify: %s\n", err.msg);
        goto out;
    }
    rc = write_verification(ver, &a);
out:
    json_decref(keep);
    json_decref(ver);
    json_decref(hist);
    json_decref(info);
    history_close(&hs);
    free(auto_sys);
    free(auto_db);
    json_decref(result);
    return rc;
}
