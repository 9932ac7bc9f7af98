/*
 * ai_tuning_bench.c - pgopt-bench-ai-tuning: the cost of the history path
 * at the scale the issue names: 30 days of 5-minute snapshots (8641
 * records) of 2,000 statements.
 *
 *  1. append: history_append of every record into a fresh store (fsync
 *     each, as `pgopt-coordinator snapshot` does);
 *  2. attach: history_build with the defaults (every record's database
 *     counters; statements for <= 1500 evenly spaced records, the 100 with
 *     most time) - what an analysis with --store ships;
 *  3. analyse: ai_tuning_analyze on that snapshot;
 *  4. analyse-full-resolution: the same with all 8641 records carrying the
 *     100 statements (no thinning), the heaviest input --store can ship.
 * Prints wall time and peak RSS after each step (getrusage: peak of the
 * process so far). Usage: pgopt-bench-ai-tuning [days] [statements] [dir]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "coordinator/history/history.h"
#include "workers/ai_tuning/ai_tuning.h"

static double peak_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* One synthetic snapshot at entry e: cumulative counters of nstmt
 * statements with a diurnal load and a regression on statement 7. */
static json_t *snapshot_at(int64_t t0, int e, int nstmt, double *calls, double *total)
{
    char at[32];
    history_format_time(t0 + 300 * (int64_t)e, at, sizeof at);
    int hod = (int)((e * 300 / 3600) % 24);
    double m = hod >= 9 && hod < 18 ? 3.0 : 1.0;
    json_t *st = json_array();
    for (int i = 0; i < nstmt; i++) {
        double c = floor((5.0 + 500.0 / (i + 1)) * m);
        double mean = 0.5 + (double)(i % 17) * (i == 7 && e > 6000 ? 4 : 1);
        calls[i] += c;
        total[i] += c * mean;
        json_array_append_new(
            st, json_pack("{s:I, s:I, s:b, s:I, s:I, s:f, s:f, s:I, s:I}", "queryid",
                          (json_int_t)(5000 + i), "userid", (json_int_t)10, "toplevel", 1, "calls",
                          (json_int_t)calls[i], "rows", (json_int_t)calls[i], "total_exec_time",
                          total[i], "stddev_exec_time", 0.2, "shared_blks_hit",
                          (json_int_t)(calls[i] * 4), "shared_blks_read", (json_int_t)calls[i]));
    }
    json_t *tables = json_array();
    for (int k = 0; k < 50; k++)
        json_array_append_new(tables, json_pack("{s:s, s:o, s:I, s:I, s:I}", "schema", "public",
                                                "name", json_sprintf("t%d", k), "total_bytes",
                                                (json_int_t)(1e8 + 1e4 * e * (k + 1)), "seq_scan",
                                                (json_int_t)e, "idx_scan", (json_int_t)(e * 10)));
    return json_pack("{s:{s:i, s:s, s:s, s:s}, s:{s:i, s:I}, s:{s:s, s:I, s:I, s:I}, "
                     "s:{s:i, s:i, s:{s:i}}, s:o, s:o}",
                     "meta", "format_version", 1, "collected_at", at, "database", "bench",
                     "system_identifier", "7000000000000000777", "host", "cpus", 8, "memory_bytes",
                     (json_int_t)34359738368LL, "database", "name", "bench", "size_bytes",
                     (json_int_t)(1e10 + 1e6 * e), "xact_commit", (json_int_t)(e * 1000),
                     "blks_read", (json_int_t)(e * 10), "activity", "total", (int)(10 * m),
                     "max_connections", 100, "by_state", "active", (int)(5 * m), "statements", st,
                     "tables", tables);
}

static void analyse(const char *label, json_t *snap, double t_ref)
{
    json_t *out = NULL;
    err_t err;
    int64_t t = clock_mono_us();
    if (ai_tuning_analyze(snap, NULL, NULL, NULL, &out, &err) != 0) {
        fprintf(stderr, "analyse: %s\n", err.msg);
        exit(1);
    }
    double s = (double)(clock_mono_us() - t) / 1e6;
    printf("%-28s %8.2f s   peak RSS %7.0f MB   regressions %zu, anomalies %zu (x%.2f of "
           "attach)\n",
           label, s, peak_mb(),
           json_array_size(json_object_get(json_object_get(out, "ml_insights"), "regressions")),
           json_array_size(json_object_get(json_object_get(out, "ml_insights"), "anomalies")),
           t_ref > 0 ? s / t_ref : 0);
    json_decref(out);
}

int main(int argc, char **argv)
{
    int days = argc > 1 ? atoi(argv[1]) : 30;
    int nstmt = argc > 2 ? atoi(argv[2]) : 2000;
    char dir[256];
    snprintf(dir, sizeof dir, "%s", argc > 3 ? argv[3] : "/tmp/pgopt-bench-ai-tuning");
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
    if (system(cmd) != 0)
        return 1;
    int n = days * 288 + 1;
    int64_t t0 = 1704067200;
    double *calls = calloc((size_t)nstmt, sizeof *calls),
           *total = calloc((size_t)nstmt, sizeof *total);
    history_store_t *s;
    err_t err;
    if (history_open(dir, "7000000000000000777", "bench", &s, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    printf("pgopt-bench-ai-tuning: %d days of 5-minute snapshots (%d records) of %d statements, "
           "50 tables\n",
           days, n, nstmt);
    int64_t gen_us = 0, app_us = 0;
    json_t *last = NULL;
    for (int e = 0; e < n; e++) {
        int64_t a = clock_mono_us();
        json_t *snap = snapshot_at(t0, e, nstmt, calls, total), *rec;
        if (history_record_from_snapshot(snap, &rec, &err) != 0) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        int64_t b = clock_mono_us();
        if (history_append(s, rec, &err) != 0) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        app_us += clock_mono_us() - b;
        gen_us += b - a;
        json_decref(rec);
        if (e == n - 1)
            last = snap;
        else
            json_decref(snap);
    }
    history_close(&s);
    snprintf(cmd, sizeof cmd, "du -sk '%s' | cut -f1", dir);
    FILE *p = popen(cmd, "r");
    long kb = 0;
    if (p) {
        if (fscanf(p, "%ld", &kb) != 1)
            kb = 0;
        pclose(p);
    }
    printf("%-28s %8.2f s   (%.2f ms per record incl. fsync; store %.0f MB, %.0f KB/record; "
           "generating the records took %.1f s)\n",
           "append", (double)app_us / 1e6, (double)app_us / 1e3 / n, kb / 1024.0, (double)kb / n,
           (double)gen_us / 1e6);

    int64_t a = clock_mono_us();
    if (history_attach(last, dir, &err) != 0) {
        fprintf(stderr, "attach: %s\n", err.msg);
        return 1;
    }
    double t_attach = (double)(clock_mono_us() - a) / 1e6;
    printf("%-28s %8.2f s   peak RSS %7.0f MB   (%zu entries)\n", "attach (--store)", t_attach,
           peak_mb(), json_array_size(json_object_get(last, "history")));
    analyse("analyse", last, t_attach);

    /* Full resolution: every record with the 100 statements. */
    if (history_open(dir, "7000000000000000777", "bench", &s, &err) != 0)
        return 1;
    history_build_opts_t o;
    history_build_opts_init(&o);
    o.max_points = (size_t)n;
    json_t *h, *info;
    a = clock_mono_us();
    if (history_build(s, &o, &h, &info, NULL, &err) != 0) {
        fprintf(stderr, "build: %s\n", err.msg);
        return 1;
    }
    double t_full = (double)(clock_mono_us() - a) / 1e6;
    printf("%-28s %8.2f s   peak RSS %7.0f MB\n", "attach, no thinning", t_full, peak_mb());
    json_object_set_new(last, "history", h);
    json_decref(info);
    history_close(&s);
    analyse("analyse, no thinning", last, t_full);
    json_decref(last);
    free(calls);
    free(total);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
