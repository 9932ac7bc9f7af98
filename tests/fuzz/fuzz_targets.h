/*
 * fuzz_targets.h - the fuzz targets of tests/fuzz/.
 *
 * Each fuzz_*.c defines one entry point. Built for libFuzzer (PGOPT_FUZZ=ON,
 * clang) it is LLVMFuzzerTestOneInput; built for the corpus replay that runs
 * in every ctest (replay.c) the same source is compiled with FUZZ_ENTRY set
 * to its own name, so one replay program links all of them.
 *
 * A target returns 0 for any input, accepted or refused. It abort()s when an
 * invariant breaks: a refusal without a proper message, an accepted input
 * that does not survive a round trip, re-encoding that is not stable.
 */
#ifndef PGOPT_TESTS_FUZZ_TARGETS_H
#define PGOPT_TESTS_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

int FUZZ_ENTRY(const uint8_t *data, size_t size);

int fuzz_codec_entry(const uint8_t *data, size_t size);
int fuzz_header_entry(const uint8_t *data, size_t size);
int fuzz_snapshot_json_entry(const uint8_t *data, size_t size);
int fuzz_result_entry(const uint8_t *data, size_t size);
int fuzz_history_frames_entry(const uint8_t *data, size_t size);

/* Prints why and aborts: what the fuzzer (or the replay test) reports. */
void fuzz_fail(const char *target, const char *what, const char *detail) __attribute__((noreturn));

#endif
