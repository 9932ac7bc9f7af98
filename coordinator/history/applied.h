/*
 * applied.h - did the advice get applied, and did it help?
 *
 * Reads an earlier analysis result (phase3_output) and the history of the
 * same server and database (coordinator/history/history.h), and for each earlier
 * recommendation finds:
 *  - index (index_advisor.recommendations): applied when an index with that
 *    definition (same table, same key columns and predicate; any name)
 *    exists and is valid in the newest history entry; when: between the
 *    last entry without it and the first with it;
 *  - setting (config_tuner.postgresql.*.*, change = true): applied when the
 *    newest entry's value equals the recommended one (units normalised);
 *  - rewrite (query_rewriter.rewrites with a queryid): applied when a
 *    statement with the rewritten SQL's text fingerprint
 *    (history_fingerprint: the history keeps fingerprints, not texts) is
 *    called; when: the first interval it is; "original no longer called,
 *    rewritten statement not seen" when only the original's calls stopped
 *    (no calls in the last 3 intervals after it was called).
 * For an applied change it measures the affected statements' time per call
 * (the recommendation's affected_queryids; all statements for a setting;
 * the original before and the rewritten statement after, for a rewrite)
 * in the intervals before and after it, with the exact Mann-Whitney test
 * of common/steptest.h at that split (>= 3 intervals each side), and gives
 * the realised gain next to the predicted one, and a verdict: helped, did
 * not help or made it worse (with the rollback statement; an index made
 * it worse only when it changed an affected statement's generic plan), too
 * early to tell, not applied.
 */
#ifndef PGOPT_COORDINATOR_APPLIED_H
#define PGOPT_COORDINATOR_APPLIED_H

#include <jansson.h>

#include "common/error.h"

/* result: a phase3_output; history: a `history` array (oldest first, as
 * history_build makes it). *out: {checked_at, history{entries, from, to},
 * items[{id, kind, title, applied, applied_between, verdict, predicted,
 * measured{...}, evidence, rollback}], notes[]}. -1 with err when result is
 * not a phase3_output. */
int applied_verify(const json_t *result, const json_t *history, json_t **out, err_t *err);

#include "common/strbuf.h"

/* For an analysis with --store DIR: when the store keeps an earlier result
 * of this server and database (DIR/<server>/<database>/result-latest.json),
 * verifies it against snapshot.history and sets result.verification; then
 * keeps result as the latest (written to a temporary name, renamed). */
int applied_with_store(json_t *result, const json_t *snapshot, const char *store_dir, err_t *err);

/* One line for a verification item, for the text and HTML reports:
 * "helped: index ... applied between A and B; 0.8 ms -> 0.01 ms per call
 * (80x faster, p 0.004); predicted 164.0x faster". */
void applied_item_text(const json_t *item, strbuf_t *out);

/* A ratio as people read it: "2.24x", "2240x" (never "2.24e+03x"); and a
 * p-value: "p = 0.014", "p < 0.001". Shared with the report's AI tuning
 * section. buf >= 32 bytes. */
const char *applied_fmt_ratio(double r, char *buf, size_t len);
const char *applied_fmt_p(double p, char *buf, size_t len);

#endif
