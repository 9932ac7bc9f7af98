/*
 * verify.h - runs a statement text on the target and reduces its result to
 * an order-independent digest of the row multiset, so the query rewriter can
 * show that an original and its rewrite return the same rows.
 *
 * Read-only like common/whatif (which it builds on for parameter texts): the
 * session starts with default_transaction_read_only=on in the startup
 * packet (checked, refused if a pooler drops it), every run is BEGIN READ
 * ONLY ... ROLLBACK with SET LOCAL statement_timeout, so a statement that
 * would write fails and a slow one is cancelled.
 *
 * Digest: SELECT count(*), sum(hashtextextended(r::text, 0)),
 * sum(hashtextextended(r::text, 1)) FROM (<statement>) r. Row order does not
 * matter, duplicates do (sums, not XOR); the row text uses values only, so
 * column names may differ. Two different multisets collide only when both
 * 64-bit hash sums collide.
 *
 * Link: libpq (and pgopt_common for whatif_fix_typed_params).
 */
#ifndef PGOPT_QR_VERIFY_H
#define PGOPT_QR_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct verify verify_t;

typedef struct {
    int64_t rows;
    char sum0[48], sum1[48]; /* numeric sums as text */
    double ms;               /* execution time of the digest query */
} verify_digest_t;

/* statement_timeout_ms <= 0 means 5000. */
int verify_open(const char *conninfo, int statement_timeout_ms, verify_t **out, err_t *err);
void verify_destroy(verify_t **v);
const char *verify_error(const verify_t *v);

/* Digest of sql's result with values[i] bound to $(i+1) (text, NULL = SQL
 * NULL; the server infers the types). -1 with verify_error() on a failure
 * (syntax, timeout, a write attempted). */
int verify_digest(verify_t *v, const char *sql, const char *const *values, size_t nvalues,
                  verify_digest_t *d);

/* Sets a planner/executor setting for the session (set_config(name, value,
 * false)), e.g. work_mem for benchmarks. */
int verify_set(verify_t *v, const char *name, const char *value);

/* 1 when two digests are equal. */
int verify_digest_equal(const verify_digest_t *a, const verify_digest_t *b);

#endif
