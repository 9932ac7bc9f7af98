/*
 * bench_codec.c - pgopt-bench-codec: how fast the snapshot codec is, measured
 * against memcpy of the same bytes in the same run (so the ratio means
 * something on any machine), with JSON for comparison.
 *
 *   pgopt-bench-codec [-s statements] [-t tables] [-c columns] [-i indexes]
 *                     [-r repetitions] [-S seed]
 *
 * Defaults: 10000 statements, 2000 tables, 20000 columns, 5000 indexes,
 * 7 repetitions; each figure is the median. No assertions: it prints.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench/synth_snapshot.h"
#include "common/jsonout.h"
#include "proto/codec.h"
#include "proto/snapshot.h"

#define MAX_REPS 101

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what, const err_t *err)
{
    fprintf(stderr, "pgopt-bench-codec: %s: %s\n", what, err ? err->msg : "failed");
    exit(1);
}

static size_t count_values(const json_t *v)
{
    size_t n = 1;
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            n += count_values(json_array_get(v, i));
    } else if (json_is_object(v)) {
        const char *key;
        json_t *member;
        json_object_foreach((json_t *)v, key, member) n += 1 + count_values(member);
    }
    return n;
}

/* memcpy into a buffer that was written before, so page faults of a fresh
 * allocation are not part of the baseline. The checksum keeps the copy from
 * being optimised away. */
static double time_memcpy(const char *src, size_t len, int reps, unsigned *sink)
{
    char *dst = malloc(len);
    if (!dst)
        die("memcpy baseline", NULL);
    memset(dst, 1, len);
    double t[MAX_REPS];
    for (int i = 0; i < reps; i++) {
        double t0 = now_s();
        memcpy(dst, src, len);
        t[i] = now_s() - t0;
        *sink += (unsigned char)dst[len / 2 + (size_t)i % 7];
    }
    free(dst);
    return median(t, reps);
}

static void row(const char *name, size_t bytes, double secs, double baseline)
{
    printf("%-34s %10.1f %10.2f %12.1fx\n", name, (double)bytes / secs / 1e6, secs * 1e3,
           secs / baseline);
}

int main(int argc, char **argv)
{
    int statements = 10000, tables = 2000, columns = 20000, indexes = 5000, reps = 7;
    unsigned seed = 1;
    int opt;
    while ((opt = getopt(argc, argv, "s:t:c:i:r:S:h")) != -1) {
        switch (opt) {
        case 's':
            statements = atoi(optarg);
            break;
        case 't':
            tables = atoi(optarg);
            break;
        case 'c':
            columns = atoi(optarg);
            break;
        case 'i':
            indexes = atoi(optarg);
            break;
        case 'r':
            reps = atoi(optarg);
            break;
        case 'S':
            seed = (unsigned)strtoul(optarg, NULL, 10);
            break;
        default:
            fprintf(stderr,
                    "usage: %s [-s statements] [-t tables] [-c columns] [-i indexes] "
                    "[-r repetitions] [-S seed]\n",
                    argv[0]);
            return opt == 'h' ? 0 : 2;
        }
    }
    if (reps < 1 || reps > MAX_REPS || tables < 1 || statements < 0 || columns < 0 || indexes < 0) {
        fprintf(stderr, "pgopt-bench-codec: repetitions must be 1..%d, tables >= 1\n", MAX_REPS);
        return 2;
    }

    double t0 = now_s();
    json_t *doc = synth_snapshot(statements, tables, columns, indexes, seed);
    double build_s = now_s() - t0;
    if (!doc)
        die("building the synthetic snapshot", NULL);
    err_t err = {{0}};
    if (snapshot_validate(doc, &err) != 0)
        die("the synthetic snapshot does not validate", &err);

    char *mp = NULL;
    size_t mp_len = 0;
    if (codec_encode(doc, &mp, &mp_len, &err) != 0)
        die("encode", &err);
    char *js = jsonout_string(doc, 0, &err);
    if (!js)
        die("jsonout", &err);
    size_t js_len = strlen(js);

    double t_enc[MAX_REPS], t_dec[MAX_REPS], t_jw[MAX_REPS], t_jp[MAX_REPS], t_jd[MAX_REPS];
    for (int i = 0; i < reps; i++) {
        char *buf = NULL;
        size_t len = 0;
        double a = now_s();
        if (codec_encode(doc, &buf, &len, &err) != 0)
            die("encode", &err);
        t_enc[i] = now_s() - a;
        if (len != mp_len || memcmp(buf, mp, len) != 0)
            die("encode is not deterministic", NULL);
        free(buf);

        json_t *back = NULL;
        a = now_s();
        if (codec_decode(mp, mp_len, &CODEC_LIMITS_DOCUMENT, &back, &err) != 0)
            die("decode", &err);
        t_dec[i] = now_s() - a;
        if (i == 0 && !json_equal(back, doc))
            die("decode does not give the encoded tree back", NULL);
        json_decref(back);

        a = now_s();
        char *text = jsonout_string(doc, 0, &err);
        t_jw[i] = now_s() - a;
        if (!text)
            die("jsonout", &err);
        free(text);

        a = now_s();
        if (snapshot_parse_json(js, js_len, &back, &err) != 0)
            die("JSON parse", &err);
        t_jp[i] = now_s() - a;
        json_decref(back);

        a = now_s();
        text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
        t_jd[i] = now_s() - a;
        free(text);
    }
    unsigned sink = 0;
    double mc_mp = time_memcpy(mp, mp_len, reps, &sink);
    double mc_js = time_memcpy(js, js_len, reps, &sink);

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);

    printf("pgopt-bench-codec: synthetic snapshot, %d statements, %d tables, %d columns, "
           "%d indexes (seed %u)\n",
           statements, tables, columns, indexes, seed);
    printf("document: %zu values, msgpack %.1f MB, JSON %.1f MB (compact); built in %.0f ms\n",
           count_values(doc), (double)mp_len / 1e6, (double)js_len / 1e6, build_s * 1e3);
    printf("median of %d runs; MB/s over the msgpack bytes (codec rows) or the JSON bytes "
           "(JSON rows);\n\"vs memcpy\" = time / time of memcpy of those same bytes\n\n",
           reps);
    printf("%-34s %10s %10s %13s\n", "operation", "MB/s", "ms", "vs memcpy");
    row("memcpy msgpack bytes (baseline)", mp_len, mc_mp, mc_mp);
    row("codec_encode (msgpack-c packer)", mp_len, median(t_enc, reps), mc_mp);
    row("codec_decode (strict, to json_t)", mp_len, median(t_dec, reps), mc_mp);
    row("memcpy JSON bytes (baseline)", js_len, mc_js, mc_js);
    row("jsonout_string (compact)", js_len, median(t_jw, reps), mc_js);
    row("json_dumps (jansson, compact)", js_len, median(t_jd, reps), mc_js);
    row("snapshot_parse_json (jansson+checks)", js_len, median(t_jp, reps), mc_js);
    printf("\nmsgpack / JSON size: %.2f\n", (double)mp_len / (double)js_len);
    printf("peak RSS: %.1f MB (tree + msgpack + JSON copies + one decoded tree)\n",
           (double)ru.ru_maxrss / 1024.0);
    if (sink == 0xdeadbeef)
        printf("\n");

    free(js);
    free(mp);
    json_decref(doc);
    return 0;
}
