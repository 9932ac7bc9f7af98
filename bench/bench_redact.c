/*
 * bench_redact.c - pgopt-bench-redact: what redacting secrets from statement
 * texts (coordinator/collect/redact.h) costs, against encoding the same statements
 * to msgpack (which every analysis does once to publish the snapshot), both
 * measured in this run.
 *
 *   pgopt-bench-redact [STATEMENTS [SECRET_EVERY]]   (default 10000, 100)
 *
 * The statements are synth_snapshot()'s normalized texts (about 250 bytes,
 * no secret); every SECRET_EVERY-th is replaced by a utility statement with
 * a password, a COPY PROGRAM or a pgcrypto key in a DO block, which the
 * redactor must scan. Median of 7 runs of each:
 *   redact   - redact_snapshot() on the statements;
 *   scan-all - the same with every text scanned (no prefilter), what the
 *              redactor would cost without its one-pass trigger-word check;
 *   encode   - codec_encode() of the same statements.
 * pgopt-bench-collect prints the redaction's share of a real collection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "bench/synth_snapshot.h"
#include "coordinator/collect/redact.h"
#include "proto/codec.h"

#define RUNS 7

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v)
{
    qsort(v, RUNS, sizeof *v, cmp_double);
    return v[RUNS / 2];
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    int every = argc > 2 ? atoi(argv[2]) : 100;
    if (n < 1 || every < 1) {
        fprintf(stderr, "usage: pgopt-bench-redact [STATEMENTS [SECRET_EVERY]]\n");
        return 2;
    }
    static const char *const secrets[] = {
        "CREATE ROLE app%d LOGIN PASSWORD 'pw-%d'",
        "COPY t%d TO PROGRAM 'gzip > /backup/t.gz # %d'",
        "DO $$BEGIN PERFORM pgp_sym_encrypt(x%d, 'key-%d'); END$$",
    };
    json_t *snap = synth_snapshot(n, 1, 0, 0, 11);
    json_t *st = json_object_get(snap, "statements");
    size_t i, planted = 0;
    json_t *row;
    json_array_foreach(st, i, row)
    {
        if (i % (size_t)every)
            continue;
        char q[256];
        snprintf(q, sizeof q, secrets[planted % 3], (int)i, (int)i);
        json_object_set_new(row, "query", json_string(q));
        planted++;
    }
    json_t *doc = json_pack("{s:O}", "statements", st);
    double red[RUNS], all[RUNS], enc[RUNS];
    redact_stats_t rs = {0};
    size_t first_literals = 0;
    for (int r = 0; r < RUNS; r++) {
        /* The same document each run: after the first, the redacted texts
         * still hold their trigger words and are scanned again, so every
         * run does the same work (a fresh copy per run would time the
         * allocator consolidating the previous copy's memory instead). */
        double t0 = clock_mono_ms_precise();
        redact_snapshot(doc, &rs);
        red[r] = clock_mono_ms_precise() - t0;
        if (r == 0)
            first_literals = rs.literals;
        /* every text through the scanner: the cost without the prefilter */
        t0 = clock_mono_ms_precise();
        json_array_foreach(st, i, row)
        {
            size_t lits;
            /* a trigger word in front makes redact_sql scan the whole text */
            char q[2048];
            snprintf(q, sizeof q, "/* password */ %s",
                     json_string_value(json_object_get(row, "query")));
            free(redact_sql(q, &lits, NULL));
        }
        all[r] = clock_mono_ms_precise() - t0;
        char *buf = NULL;
        size_t len = 0;
        t0 = clock_mono_ms_precise();
        codec_encode(doc, &buf, &len, NULL);
        enc[r] = clock_mono_ms_precise() - t0;
        free(buf);
    }
    double mred = median(red), mall = median(all), menc = median(enc);
    printf("%d statements, %zu with a secret; %zu literals redacted\n", n, planted, first_literals);
    printf("redact (prefilter + scan of %zu): median %.2f ms (%.2f us a statement)\n", planted,
           mred, 1000.0 * mred / n);
    printf("scan-all (no prefilter):        median %.2f ms (%.2f us a statement)\n", mall,
           1000.0 * mall / n);
    printf("encode to msgpack (baseline):   median %.2f ms\n", menc);
    printf("ratio redact / encode: %.2f; scan-all / redact: %.1f\n", mred / menc, mall / mred);
    json_decref(doc);
    json_decref(snap);
    return 0;
}
