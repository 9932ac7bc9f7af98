/*
 * numparse.h - numbers and durations given by people (command line, config
 * file, environment), parsed strictly and checked against a range, with one
 * error text: "expected ... from MIN to MAX, got 'TEXT'".
 *
 * Strict: the whole text must be the number (no sign where a count is
 * asked, no hex, no exponent, no "nan"), and a value that does not fit is
 * refused rather than wrapped or clipped, so "999999999999s" never becomes
 * a short or negative timeout. Durations come in milliseconds.
 */
#ifndef PGOPT_COMMON_NUMPARSE_H
#define PGOPT_COMMON_NUMPARSE_H

#include <stdint.h>

#include "common/error.h"

/* Flags of num_parse_int. */
#define NUM_BYTE_SUFFIX 1u /* accept K, M, G (x1024) after the digits */

/* A decimal integer (optionally signed when min < 0) in [min, max].
 * Returns 0 with *out, or -1 with err ("expected an integer from 1 to 64,
 * got 'x'"); the caller prefixes the option's name. */
int num_parse_int(const char *text, int64_t min, int64_t max, unsigned flags, int64_t *out,
                  err_t *err);

/* A duration: "30" (seconds), "30s", "500ms", "2m" ("2min"), "1h", with an
 * optional decimal fraction ("1.5s"), in [min_ms, max_ms] after rounding to
 * whole milliseconds. Returns 0 with *out_ms, or -1 with err. */
int num_parse_duration_ms(const char *text, int64_t min_ms, int64_t max_ms, int64_t *out_ms,
                          err_t *err);

/* "500 ms", "30 s", "2.5 h", "24.9 days": a range bound for error texts. */
void num_fmt_ms(int64_t ms, char out[32]);

#endif
