/*
 * clock.h - monotonic milliseconds and wall-clock timestamps.
 *
 * Deadlines and timeouts use the monotonic clock (immune to NTP steps);
 * timestamps shown to people use UTC ISO-8601.
 */
#ifndef PGOPT_COMMON_CLOCK_H
#define PGOPT_COMMON_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Milliseconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
int64_t clock_mono_ms(void);

/* Microseconds, same clock, for benchmarks. */
int64_t clock_mono_us(void);

/* Milliseconds with their fraction, same clock: durations reported with
 * decimals (collection sections, redaction, verification runs). */
double clock_mono_ms_precise(void);

/* "2026-11-26T16:30:01.123Z" into buf (at least 32 bytes). */
void clock_iso8601_now(char *buf, size_t len);

/* Parses an ISO-8601 time ("2024-05-01T10:00:00Z", a space for the T,
 * fractional seconds, Z or +HH:MM / +HHMM / +HH, as PostgreSQL prints
 * timestamptz) into seconds since the epoch, UTC. Returns 0, or -1 with a
 * message naming the text in err (which may be NULL). The one parser of
 * the history store and the AI tuning agent. */
int clock_parse_iso8601(const char *text, double *epoch, err_t *err);

/* Parses a duration: "30" (seconds), "30s", "500ms", "2m", "1h"; -1 if bad
 * or above 10^15 ms. Options with a range use num_parse_duration_ms
 * (common/numparse.h), which says what the range is. */
int64_t clock_parse_duration_ms(const char *text);

/* t + ms, saturating at INT64_MIN / INT64_MAX instead of overflowing: a
 * deadline far in the future (a peer's deadline_ms of 2^63-1) stays far in
 * the future. */
int64_t clock_add_ms(int64_t t, int64_t ms);

#endif
