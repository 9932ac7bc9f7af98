/*
 * replay.c - runs every fuzz target over its committed seed corpus and over
 * deterministic mutations of it, so the decoders are fuzzed a little in
 * every ctest run, without clang or libFuzzer.
 *
 *   test_proto_fuzz_replay CORPUS_DIR [MUTATIONS_PER_TARGET [SEED]]
 *
 * Each input is copied into a buffer of exactly its size, so AddressSanitizer
 * builds catch any read past the end. A target abort()s on a broken
 * invariant; this program fails when a corpus directory is missing or empty
 * (a replay of nothing would prove nothing).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_targets.h"

typedef int (*entry_fn)(const uint8_t *, size_t);

static const struct {
    const char *name;
    entry_fn fn;
} targets[] = {
    {"codec", fuzz_codec_entry},
    {"header", fuzz_header_entry},
    {"snapshot_json", fuzz_snapshot_json_entry},
    {"result", fuzz_result_entry},
    {"history_frames", fuzz_history_frames_entry},
};

typedef struct {
    unsigned char *data;
    size_t len;
} input_t;

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: deterministic for a given seed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

static size_t below(size_t n)
{
    return n ? (size_t)(rng() % n) : 0;
}

static int load_corpus(const char *dir, input_t **out, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot open corpus %s\n", dir);
        return -1;
    }
    /* Sorted names: the mutation sequence must not depend on readdir order. */
    struct dirent **names = NULL;
    closedir(d);
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0)
        return -1;
    input_t *inputs = calloc((size_t)n + 1, sizeof *inputs);
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        char path[4096 + 256 + 2];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            FILE *f = fopen(path, "rb");
            if (f) {
                inputs[k].data = malloc((size_t)st.st_size + 1);
                inputs[k].len = fread(inputs[k].data, 1, (size_t)st.st_size, f);
                fclose(f);
                k++;
            }
        }
        free(names[i]);
    }
    free(names);
    *out = inputs;
    *count = k;
    return 0;
}

static const unsigned char interesting[] = {
    0x00, 0x01, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc4, 0xc7, 0xca,
    0xcb, 0xcf, 0xd3, 0xd4, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff, '{',  '}',  '[',
    ']',  '"',  '\\', ':',  ',',  '0',  '-',  'e',  '.',  'n',  'u',  ' ',  '\n'};

/* Applies 1-4 random edits; returns a malloc()ed buffer of exactly *len bytes. */
static unsigned char *mutate(const input_t *seeds, size_t nseeds, size_t *len)
{
    const input_t *s = &seeds[below(nseeds)];
    size_t cap = s->len * 2 + 16;
    unsigned char *buf = malloc(cap);
    size_t n = s->len;
    memcpy(buf, s->data, n);
    int edits = 1 + (int)below(4);
    for (int e = 0; e < edits; e++) {
        size_t pos = below(n ? n : 1);
        switch (below(9)) {
        case 0: /* flip a bit */
            if (n)
                buf[pos] ^= (unsigned char)(1u << below(8));
            break;
        case 1: /* random byte */
            if (n)
                buf[pos] = (unsigned char)rng();
            break;
        case 2: /* a byte that means something to msgpack or JSON */
            if (n)
                buf[pos] = interesting[below(sizeof interesting)];
            break;
        case 3: /* insert */
            if (n < cap) {
                memmove(buf + pos + 1, buf + pos, n - pos);
                buf[pos] = interesting[below(sizeof interesting)];
                n++;
            }
            break;
        case 4: /* delete */
            if (n) {
                memmove(buf + pos, buf + pos + 1, n - pos - 1);
                n--;
            }
            break;
        case 5: /* truncate */
            n = pos;
            break;
        case 6: /* a huge or maximal length field */
            if (n >= 4 && pos + 4 <= n) {
                static const unsigned char big[][4] = {
                    {0xff, 0xff, 0xff, 0xff}, {0x7f, 0xff, 0xff, 0xff}, {0x00, 0x01, 0x00, 0x00}};
                memcpy(buf + pos, big[below(3)], 4);
            }
            break;
        case 7: /* duplicate a chunk */
            if (n) {
                size_t from = below(n), l = 1 + below(n - from < 32 ? n - from : 32);
                unsigned char chunk[32];
                memcpy(chunk, buf + from, l);
                if (n + l <= cap) {
                    memmove(buf + pos + l, buf + pos, n - pos);
                    memcpy(buf + pos, chunk, l);
                    n += l;
                }
            }
            break;
        default: { /* splice: this prefix, another seed's suffix */
            const input_t *o = &seeds[below(nseeds)];
            size_t from = below(o->len + 1);
            size_t l = o->len - from;
            if (pos + l <= cap) {
                memcpy(buf + pos, o->data + from, l);
                n = pos + l;
            }
        }
        }
    }
    unsigned char *exact = malloc(n ? n : 1);
    memcpy(exact, buf, n);
    free(buf);
    *len = n;
    return exact;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS_PER_TARGET [SEED]]\n", argv[0]);
        return 2;
    }
    long mutations = argc > 2 ? strtol(argv[2], NULL, 10) : 3000;
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 20240501;
    int rc = 0;
    for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", argv[1], targets[t].name);
        input_t *seeds = NULL;
        size_t nseeds = 0;
        if (load_corpus(dir, &seeds, &nseeds) != 0 || nseeds == 0) {
            fprintf(stderr, "replay: no seeds for target %s in %s\n", targets[t].name, dir);
            rc = 1;
            free(seeds);
            continue;
        }
        for (size_t i = 0; i < nseeds; i++) {
            unsigned char *exact = malloc(seeds[i].len ? seeds[i].len : 1);
            memcpy(exact, seeds[i].data, seeds[i].len);
            targets[t].fn(exact, seeds[i].len);
            free(exact);
        }
        rng_state = seed * 0x9e3779b97f4a7c15u + t + 1;
        for (long m = 0; m < mutations; m++) {
            size_t len;
            unsigned char *in = mutate(seeds, nseeds, &len);
            targets[t].fn(in, len);
            free(in);
        }
        printf("%-14s %zu seeds + %ld mutations: ok\n", targets[t].name, nseeds, mutations);
        for (size_t i = 0; i < nseeds; i++)
            free(seeds[i].data);
        free(seeds);
    }
    return rc;
}
