/*
 * snaputil.h - helpers shared by the collector tests: finding rows in a
 * snapshot section, searching meta.notes, temporary directories, and
 * collecting from the test fixture's PostgreSQL.
 */
#ifndef PGOPT_TESTS_COLLECTOR_SNAPUTIL_H
#define PGOPT_TESTS_COLLECTOR_SNAPUTIL_H

#include <jansson.h>

#include "coordinator/collect/collect.h"

/* The first map in array whose field k1 equals string v1 (and k2 equals v2
 * when k2 is not NULL); NULL when none. */
json_t *snap_find(const json_t *array, const char *k1, const char *v1, const char *k2,
                  const char *v2);

/* The first note of doc's meta.notes containing every NULL-terminated
 * substring given; NULL when none. */
const char *snap_note(const json_t *doc, ...) __attribute__((sentinel));

/* Prints meta.notes to stderr (to explain a failed assertion). */
void snap_print_notes(const json_t *doc);

/* Array of strings == the NULL-terminated list given. */
int snap_strings_equal(const json_t *array, ...) __attribute__((sentinel));

/* mkdtemp under TMPDIR (or /tmp); aborts on failure. Returns a static
 * buffer per call slot (0..3). */
const char *snap_tempdir(int slot, const char *prefix);

/* rm -rf of a directory made by snap_tempdir. */
void snap_rmtree(const char *dir);

/* Writes a file (creating parent directories); aborts on failure. */
void snap_write(const char *dir, const char *rel, const void *data, size_t len);

/* Conninfo for dbname as user (NULL = the fixture's user). */
void snap_conninfo(const char *dbname, const char *user, char *buf, size_t len);

#endif
