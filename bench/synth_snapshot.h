/*
 * synth_snapshot.h - a deterministic synthetic snapshot for benchmarks and
 * fuzz seeds.
 *
 * The document follows docs/SNAPSHOT.md (format_version 1) with realistic
 * field sets and value shapes: pg_stat_statements rows with normalized query
 * text of varying length, tables with their counters, pg_stats columns with
 * MCV lists and histograms, indexes with definitions. The same arguments
 * always give the same document (and so the same msgpack bytes), so numbers
 * from different runs compare. It passes snapshot_validate().
 */
#ifndef PGOPT_BENCH_SYNTH_SNAPSHOT_H
#define PGOPT_BENCH_SYNTH_SNAPSHOT_H

#include <jansson.h>

/* Returns a new tree (caller json_decref()s), or NULL when out of memory.
 * columns and indexes are spread over the tables; tables must be >= 1 when
 * columns or indexes are > 0. */
json_t *synth_snapshot(int statements, int tables, int columns, int indexes, unsigned seed);

#endif
