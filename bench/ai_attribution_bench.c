/*
 * ai_attribution_bench.c - pgopt-bench-attribution: precision and recall of
 * change detection and attribution over the planted set of
 * tests/ai_tuning/planted_pg.h (an index dropped, work_mem lowered until a
 * subplan spills, a plan flip after statistics changed, data growth, a new
 * heavy statement; steady noise and a statistics reset as look-alikes), each
 * against a real PostgreSQL with a real history. Run it through
 * bench/ai_attribution.sh (starts a throwaway server) or with
 * PGOPT_TEST_PGENV pointing at a sandbox's env file.
 *
 *   pgopt-bench-attribution [RUNS]      (default 3)
 */
#include <stdio.h>
#include <stdlib.h>

#include "planted_pg.h"

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 3;
    if (runs < 1 || runs > 50) {
        fprintf(stderr, "usage: %s [RUNS 1..50]\n", argv[0]);
        return 2;
    }
    int perfect = 0;
    for (int k = 0; k < runs; k++) {
        planted_result_t r[16];
        int n = planted_run_all(r, 16, 1); /* a miss prints its evidence on stderr */
        if (n <= 0) {
            fprintf(stderr, "no PostgreSQL: set PGOPT_TEST_PGENV (bench/ai_attribution.sh "
                            "does)\n");
            return 1;
        }
        printf("run %d of %d\n", k + 1, runs);
        perfect += planted_report(r, (size_t)n);
        printf("\n");
    }
    printf("runs with precision and recall 1.0 for detection and attribution and no "
           "look-alike reported: %d of %d\n",
           perfect, runs);
    return perfect == runs ? 0 : 1;
}
