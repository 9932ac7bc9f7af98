/*
 * history.h - the local history store: counter snapshots of one server and
 * database over time, for the ai_tuning agent (docs/HISTORY.md).
 *
 * `pgopt-coordinator snapshot --dsn ... --store DIR` appends one record per
 * run (from cron, a systemd timer or a Kubernetes CronJob); an analysis with
 * --store DIR ships the matching history in the snapshot's `history` section.
 *
 * Layout: DIR/<system_identifier>/<database, escaped>/ holds a `lock` file
 * and segment files seg-NNNNNNNN.phs. A segment is a sequence of frames:
 *
 *   "PGH1" | header_len u32 | body_len u32 | header_crc u32 | body_crc u32 |
 *   header (msgpack map) | body (msgpack map)          (integers little-endian)
 *
 * The header holds the small database-level counters (database, bgwriter,
 * activity, host) and the time; the body holds statements and tables in
 * columns (one array per field), which is about 4x smaller than one map per
 * row and lets a reader skip bodies it does not need.
 *
 * Concurrency: writers and compaction take flock(LOCK_EX) on `lock`, readers
 * LOCK_SH. Crash safety: a frame is written with one write() and fsync()ed;
 * a writer killed mid-frame leaves a torn tail that the next writer
 * truncates (and readers ignore), so every complete record reads back.
 * Damage: readers resynchronise on the next good frame (histframe.h), so a
 * damaged byte costs only the record it hit; nothing but a torn tail is ever
 * truncated, and compaction moves a damaged segment aside (seg-N.damaged)
 * instead of deleting it. Compaction writes a new segment to a temporary
 * name, fsyncs it, renames it into place, fsyncs the directory and only then
 * unlinks what it replaced; readers drop the same record seen twice, so a
 * crash between the steps loses nothing. Times are kept to the microsecond
 * (header t_us), so records collected within one second stay distinct.
 */
#ifndef PGOPT_COORDINATOR_HISTORY_H
#define PGOPT_COORDINATOR_HISTORY_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "coordinator/collect/collect.h"

typedef struct history_store history_store_t;

/* Opens (creating directories as needed) the store of one server and
 * database under dir. */
int history_open(const char *dir, const char *system_identifier, const char *database,
                 history_store_t **out, err_t *err);

/* Closes; safe on NULL and twice (nulls the pointer). */
void history_close(history_store_t **store);

/* The directory of this server and database inside the store. */
const char *history_path(const history_store_t *store);

/* Reduces a full snapshot (docs/SNAPSHOT.md) to a record: a map
 * {header: {...}, body: {...}} in the store's layout. -1 with err when the
 * snapshot lacks meta.collected_at. *out is a new reference. */
int history_record_from_snapshot(const json_t *snapshot, json_t **out, err_t *err);

/* The fingerprint the store keeps for each statement instead of its text
 * (docs/HISTORY.md): libpg_query's fingerprint of the parse tree, which
 * ignores constants and parameter numbers, so pg_stat_statements'
 * normalised text ("= $1") and the same statement with literals ("= 42")
 * match; 16 hex digits in out (len >= 17). -1 (out "") when sql does not
 * parse. Verification (applied.h) fingerprints a recommended rewrite the
 * same way to find it in the history. */
int history_fingerprint(const char *sql, char *out, size_t len);

/* The fingerprints of the rewritten statements a result
 * (phase3_output.query_rewriter.rewrites[].optimized) recommends, as an
 * array of strings for history_build_opts_t.keep_fingerprints. */
json_t *history_rewrite_fingerprints(const json_t *result);

/* Appends one record (from history_record_from_snapshot) durably. */
int history_append(history_store_t *store, const json_t *record, err_t *err);

/* Retention policy: records older than retention_s are dropped; records
 * older than full_s are thinned to one per thin_step_s (counters are
 * cumulative, so thinning loses resolution, never totals). */
typedef struct {
    int64_t retention_s; /* default 35 days */
    int64_t full_s;      /* default 7 days */
    int64_t thin_step_s; /* default 1 hour */
} history_policy_t;

void history_policy_init(history_policy_t *p);

typedef struct {
    size_t records_before, records_after, segments_before, bytes_before, bytes_after;
    int rewritten; /* 0 when nothing needed dropping */
    /* What the rewrite dropped or repaired besides the policy's choices. */
    size_t duplicates_dropped;   /* the same record twice (same time and header) */
    size_t same_time_dropped;    /* another record with the very same microsecond */
    size_t torn_tails;           /* incomplete frames at segment ends (cut) */
    size_t damaged_regions;      /* unreadable stretches skipped (records lost there) */
    size_t bodies_damaged;       /* records kept without statements/tables */
    size_t segments_moved_aside; /* damaged segments renamed seg-N.damaged, not deleted */
} history_compact_stats_t;

/* Applies the policy relative to now (epoch seconds). Rewrites only when at
 * least min_drop records would go (0 = whenever any would). */
int history_compact(history_store_t *store, const history_policy_t *policy, int64_t now,
                    size_t min_drop, history_compact_stats_t *stats, err_t *err);

typedef struct {
    size_t records;       /* complete, distinct records */
    size_t torn_tails;    /* segments ending in an incomplete frame */
    size_t bad_frames;    /* damaged regions skipped (resynchronised after) and headers
                           * that pass their checksum but do not decode */
    size_t damaged_bytes; /* bytes in damaged regions */
    size_t duplicates;    /* the same record twice (interrupted compaction) */
    size_t same_time;     /* a different record with the same microsecond: dropped */
    size_t bytes;         /* total segment bytes */
} history_read_stats_t;

/* Options of history_build(): which part of the store to ship. */
typedef struct {
    int64_t since;         /* epoch seconds; 0 = everything */
    size_t max_points;     /* entries carrying statements/tables (default 1500) */
    size_t max_statements; /* statements kept per entry, by time (default 100) */
    size_t max_tables;     /* tables kept per entry, by size (default 30) */
    /* Statements whose text_fingerprint is in this array of strings are kept
     * too, whatever their time (NULL = none): verification looks for a
     * recommended rewrite, which is fast when it worked. */
    const json_t *keep_fingerprints;
} history_build_opts_t;

void history_build_opts_init(history_build_opts_t *o);

/* Reads the store into a `history` array (docs/SNAPSHOT.md, oldest first):
 * every record contributes collected_at, database, bgwriter, activity; at most
 * max_points records, evenly spread in time, also carry statements (the
 * max_statements with most execution time in the newest record) and tables.
 * *info says what was read and left out (goes to meta.history). */
int history_build(history_store_t *store, const history_build_opts_t *o, json_t **history,
                  json_t **info, history_read_stats_t *stats, err_t *err);

/* For an analysis with --store DIR: opens the store matching the snapshot's
 * meta.system_identifier and meta.database, builds the history and sets
 * snapshot.history and snapshot.meta.history. The statements of the
 * rewrites recommended by the result kept for verification
 * (result-latest.json, applied.h) are shipped whatever their time. A store with no records for
 * this database is not an error: a note says so. */
int history_attach(json_t *snapshot, const char *store_dir, err_t *err);

/* For --samples N --interval S: collects N snapshots S seconds apart (the
 * last one is *snapshot's own, passed in) and sets snapshot.history to their
 * reduced counters. samples >= 2. */
int history_sample_live(const collect_opts_t *o, int samples, int interval_s, json_t *snapshot,
                        err_t *err);

/* Converts one record (header + body maps, as stored) to a history entry,
 * keeping statements/tables only when with_rows. Exposed for tests. */
json_t *history_entry_from_record(const json_t *header, const json_t *body, int with_rows);

/* ISO-8601 UTC ("2024-05-01T10:00:00Z", fractional seconds allowed, or
 * "+00:00"/"+HH:MM" offsets) to epoch seconds. -1 with err when it is not. */
int history_parse_time(const char *text, double *epoch, err_t *err);

/* Epoch seconds to "YYYY-MM-DDTHH:MM:SSZ" (buf >= 32 bytes). */
void history_format_time(int64_t t, char *buf, size_t len);

#endif
