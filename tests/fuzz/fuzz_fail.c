/* fuzz_fail.c - see fuzz_targets.h. */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_targets.h"

void fuzz_fail(const char *target, const char *what, const char *detail)
{
    fprintf(stderr, "fuzz target %s: %s%s%s\n", target, what, detail ? ": " : "",
            detail ? detail : "");
    abort();
}
