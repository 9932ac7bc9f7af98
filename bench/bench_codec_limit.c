/*
 * bench_codec_limit.c - peak memory of refusing a document with more values
 * than the decoder's budget (CODEC_LIMITS_DOCUMENT: 16M values).
 *
 *   pgopt-bench-codec-limit [values_in_millions]   (default 17)
 *
 * The document is an array of small maps (8 one-letter keys, small ints):
 * every declared count is small, so only the running total exceeds the
 * budget. Each decode runs in a child process and reports its peak RSS
 * (getrusage), against the same process's RSS before decoding; a document
 * of the same shape just under the budget (15M values, accepted and built)
 * is the baseline: what refusing cost when the count was checked only while
 * building.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/codec.h"

static unsigned char *build(size_t values, size_t *len)
{
    size_t maps = values / 17; /* 1 map + 8 keys + 8 values */
    *len = 5 + maps * 25;
    unsigned char *b = malloc(*len);
    if (!b)
        return NULL;
    unsigned char *p = b;
    *p++ = 0xdd;
    for (int i = 3; i >= 0; i--)
        *p++ = (unsigned char)(maps >> (8 * i));
    for (size_t m = 0; m < maps; m++) {
        *p++ = 0x88;
        for (int k = 0; k < 8; k++) {
            *p++ = 0xa1;
            *p++ = (unsigned char)('a' + k);
            *p++ = (unsigned char)((m + (size_t)k) & 0x7f);
        }
    }
    return b;
}

static long rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Decodes in a child; prints and returns the child's peak RSS growth in MB. */
static double measure(const char *what, size_t values)
{
    size_t len;
    unsigned char *doc = build(values, &len);
    if (!doc) {
        fprintf(stderr, "out of memory building the document\n");
        exit(1);
    }
    int fd[2];
    if (pipe(fd) != 0)
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        long before = rss_kb();
        json_t *tree = NULL;
        err_t err = {{0}};
        int rc = codec_decode(doc, len, &CODEC_LIMITS_DOCUMENT, &tree, &err);
        long after = rss_kb();
        char line[700];
        int n = snprintf(line, sizeof line, "%ld %d %s", after - before, rc, rc ? err.msg : "ok");
        ssize_t w = write(fd[1], line, (size_t)n);
        (void)w;
        _exit(0);
    }
    close(fd[1]);
    char line[700] = {0};
    ssize_t n = read(fd[0], line, sizeof line - 1);
    close(fd[0]);
    waitpid(pid, NULL, 0);
    free(doc);
    long kb = 0;
    int rc = 0;
    char msg[700] = "";
    if (n <= 0 || sscanf(line, "%ld %d %699[^\n]", &kb, &rc, msg) < 2) {
        fprintf(stderr, "child failed\n");
        exit(1);
    }
    printf("%-34s %5.1fM values, %6.1f MB frame: peak RSS +%7.1f MB  %s\n", what,
           (double)values / 1e6, (double)len / 1e6, (double)kb / 1024.0, rc ? msg : "accepted");
    return (double)kb / 1024.0;
}

int main(int argc, char **argv)
{
    double millions = argc > 1 ? atof(argv[1]) : 17.0;
    if (!(millions > 0 && millions < 1000)) {
        fprintf(stderr, "usage: %s [values_in_millions]\n", argv[0]);
        return 2;
    }
    double over = measure("over the budget (refused)", (size_t)(millions * 1e6));
    double under = measure("baseline: under the budget (built)", (size_t)15e6);
    printf("refusing costs %.4f of building a document of the same shape\n",
           under > 0 ? over / under : 0.0);
    return 0;
}
