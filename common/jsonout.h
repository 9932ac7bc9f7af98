/*
 * jsonout.h - JSON text from a json_t tree, the way pgopt prints it.
 *
 * jansson prints doubles with 17 significant digits (0.1 becomes
 * 0.10000000000000001). This writer prints the shortest representation that
 * parses back to the same double (so files are lossless and readable),
 * always marks doubles as such ("2.0", never "2"), escapes control
 * characters, and keeps map order.
 */
#ifndef PGOPT_COMMON_JSONOUT_H
#define PGOPT_COMMON_JSONOUT_H

#include <jansson.h>
#include <stdio.h>

#include "common/error.h"

#define JSONOUT_PRETTY 0x1 /* two-space indentation, one member per line */

/* Returns a malloc()ed NUL-terminated string, or NULL with err set. */
char *jsonout_string(const json_t *doc, int flags, err_t *err);

/* Writes to a stream; -1 with err on I/O failure. */
int jsonout_file(FILE *out, const json_t *doc, int flags, err_t *err);

/* Formats one double the way jsonout does (shortest round-trip, ".0" added
 * to integral values). buf must hold 32 bytes. */
void jsonout_double(double v, char buf[32]);

#endif
