/*
 * bench_orm_real.c - the query rewriter's code analysis on one real
 * application tree, the way a user runs it: the coordinator's --code
 * collection (coordinator/collect/codedir.c: same exclusions, a per-file limit of
 * CODEDIR_DEFAULT_MAX_FILE_BYTES, but no total budget so that a whole
 * package is read) and the worker's qr_code_rewrites over a snapshot that
 * holds only that code (no statements: every finding is unmatched, which
 * is what the findings, not their ranking, are judged on).
 *
 *   pgopt-bench-orm-real [--parse-only] [--code-include GLOB]... [--code-exclude GLOB]...
 *                        DIR OUT.json
 *
 * The globs are the coordinator's (coordinator/collect/codedir.h); by default tests,
 * migrations and seed scripts are left out, as the coordinator does.
 * --parse-only measures the floor instead: tree-sitter parsing of every
 * collected file, one tree at a time, and nothing else.
 *
 * OUT.json: {dir, mode, files, skipped, skipped_reasons: {reason: n},
 * bytes, lines, collect_s, analysis_s, analysis_cpu_s, rss_before_kb, rss_peak_kb, parses
 * (tree-sitter parses during the analysis: it parses a file again for its
 * scan, sqla_models.h), rewrites: [...], notes: [...]}. The run is one
 * process per mode so that each peak RSS (getrusage) belongs to that mode
 * alone; rss_before_kb is the peak after collecting the files (the source
 * text itself, in JSON). analysis_cpu_s is the process's CPU time over
 * analysis_s's span: on a shared machine wall time includes waiting for a
 * core, which CPU time does not (it still includes what the others' load
 * does to the caches). bench/orm/real/run.sh drives it, score.py reads
 * OUT.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <jansson.h>

#include "common/python/pysource.h"
#include "coordinator/collect/codedir.h"
#include "workers/query_rewriter/qr_code.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* The reason without the numbers in it, so that reasons group. */
static void count_reason(json_t *by, const char *reason)
{
    char key[96];
    snprintf(key, sizeof key, "%s", reason ? reason : "?");
    char *cut = strpbrk(key, "0123456789:");
    if (cut && cut > key) {
        while (cut > key && cut[-1] == ' ')
            cut--;
        *cut = '\0';
    }
    json_t *n = json_object_get(by, key);
    json_object_set_new(by, key, json_integer(n ? json_integer_value(n) + 1 : 1));
}

int main(int argc, char **argv)
{
    int parse_only = 0;
    const char *inc[32], *exc[32];
    codedir_opts_t o = {.max_total = (size_t)1 << 40, .include = inc, .exclude = exc};
    int i0 = 1;
    for (; i0 < argc && argv[i0][0] == '-' && argv[i0][1] == '-'; i0++) {
        if (strcmp(argv[i0], "--parse-only") == 0) {
            parse_only = 1;
        } else if ((strcmp(argv[i0], "--code-include") == 0 ||
                    strcmp(argv[i0], "--code-exclude") == 0) &&
                   i0 + 1 < argc) {
            int is_inc = argv[i0][7] == 'i';
            size_t *n = is_inc ? &o.ninclude : &o.nexclude;
            if (*n == 32) {
                fprintf(stderr, "bench_orm_real: at most 32 globs each\n");
                return 2;
            }
            (is_inc ? inc : exc)[(*n)++] = argv[++i0];
        } else {
            break;
        }
    }
    if (argc - i0 != 2) {
        fprintf(stderr,
                "usage: %s [--parse-only] [--code-include GLOB]... [--code-exclude GLOB]... DIR "
                "OUT.json\n",
                argv[0]);
        return 2;
    }
    const char *dir = argv[i0], *out = argv[i0 + 1];
    err_t err;
    json_t *files = NULL, *skipped = json_array();
    double t0 = now_s();
    if (codedir_collect_opts(dir, &o, &files, skipped, &err) != 0) {
        fprintf(stderr, "bench_orm_real: %s\n", err.msg);
        return 1;
    }
    double collect_s = now_s() - t0;
    size_t bytes = 0, lines = 0, i;
    json_t *f;
    json_array_foreach(files, i, f)
    {
        size_t len = json_string_length(json_object_get(f, "content"));
        const char *c = json_string_value(json_object_get(f, "content"));
        bytes += len;
        for (size_t k = 0; k < len; k++)
            lines += c[k] == '\n';
        if (len && c[len - 1] != '\n')
            lines++;
    }
    json_t *by_reason = json_object();
    json_t *s;
    json_array_foreach(skipped, i, s)
    {
        const char *r = json_string_value(json_object_get(s, "reason"));
        /* directories left out by design are not skipped code */
        if (r && strstr(r, "director"))
            continue;
        json_int_t nf = json_integer_value(json_object_get(s, "files"));
        for (json_int_t k = 0; k < (nf > 0 ? nf : 1); k++)
            count_reason(by_reason, r);
    }
    long rss_before = peak_rss_kb();
    json_t *rewrites = json_array(), *notes = json_array();
    size_t parses0 = pysource_parse_count(), fn_parses0 = pysource_range_parse_count();
    t0 = now_s();
    double c0 = cpu_s();
    if (parse_only) {
        json_array_foreach(files, i, f)
        {
            const json_t *c = json_object_get(f, "content");
            pysource_t *src = pysource_parse(json_string_value(json_object_get(f, "path")),
                                             json_string_value(c), json_string_length(c), &err);
            pysource_destroy(&src);
        }
    } else {
        json_t *snap = json_object();
        json_object_set(snap, "code", files);
        json_object_set_new(snap, "meta", json_pack("{s:O}", "skipped_files", skipped));
        int next_id = 0;
        if (qr_code_rewrites(snap, rewrites, notes, &next_id, &err) != 0) {
            fprintf(stderr, "bench_orm_real: %s: %s\n", dir, err.msg);
            return 1;
        }
        json_decref(snap);
    }
    double analysis_s = now_s() - t0, analysis_cpu_s = cpu_s() - c0;
    size_t parses = pysource_parse_count() - parses0;
    /* helpers' functions parsed alone (sqla_function_tree): not files */
    size_t fn_parses = pysource_range_parse_count() - fn_parses0;
    /* The rewrites without the source text they quote at length: the
     * scorer needs where, what, and the rewrite. */
    json_int_t nskip = 0;
    const char *k;
    json_t *v;
    json_object_foreach(by_reason, k, v) nskip += json_integer_value(v);
    json_t *doc = json_pack(
        "{s:s, s:s, s:I, s:I, s:o, s:I, s:I, s:f, s:f, s:f, s:I, s:I, s:I, s:I, s:o, s:o}", "dir",
        dir, "mode", parse_only ? "parse" : "analysis", "files", (json_int_t)json_array_size(files),
        "skipped", nskip, "skipped_reasons", by_reason, "bytes", (json_int_t)bytes, "lines",
        (json_int_t)lines, "collect_s", collect_s, "analysis_s", analysis_s, "analysis_cpu_s",
        analysis_cpu_s, "rss_before_kb", (json_int_t)rss_before, "rss_peak_kb",
        (json_int_t)peak_rss_kb(), "parses", (json_int_t)parses, "fn_parses", (json_int_t)fn_parses,
        "rewrites", rewrites, "notes", notes);
    if (!doc || json_dump_file(doc, out, JSON_INDENT(1) | JSON_SORT_KEYS) != 0) {
        fprintf(stderr, "bench_orm_real: cannot write %s\n", out);
        return 1;
    }
    printf("%s: %s, %zu files, %zu lines, %.1f MB, %.3f s, peak RSS %ld kB, %zu findings\n", dir,
           parse_only ? "parse only" : "analysis", json_array_size(files), lines, bytes / 1e6,
           analysis_s, peak_rss_kb(), json_array_size(rewrites));
    json_decref(doc);
    json_decref(files);
    json_decref(skipped);
    return 0;
}
