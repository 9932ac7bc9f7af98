/*
 * pgjson.h - PostgreSQL text-format query results to jansson trees.
 *
 * The collector runs one query per snapshot section and lets the SQL decide
 * the JSON type of every field through its column type (a cast in the
 * query), so converting a result needs no per-section code:
 *
 *   bool                         -> true/false
 *   int2, int4, int8, oid, xid   -> integer
 *   float4, float8, numeric      -> double (NaN/Infinity -> null: JSON has none)
 *   json, jsonb                  -> the parsed value
 *   timestamptz                  -> "2024-05-01T10:11:12.345678Z" (session TimeZone must be UTC)
 *   text[], name[], varchar[],
 *   anyarray (pg_stats)          -> array of string (NULL elements -> null)
 *   float4[], float8[], numeric[]-> array of double
 *   int2[], int4[], int8[], oid[]-> array of integer
 *   bool[]                       -> array of bool
 *   anything else                -> string (its text output)
 *   SQL NULL                     -> null
 *
 * Results are read in text format once; arrays are parsed here from
 * PostgreSQL's array literal syntax (quoted elements, backslash escapes,
 * NULL, optional "[lo:hi]=" dimension decoration, nested dimensions).
 */
#ifndef PGOPT_COORDINATOR_PGJSON_H
#define PGOPT_COORDINATOR_PGJSON_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

#include "common/error.h"

typedef enum {
    PGJSON_ELEM_STRING = 0,
    PGJSON_ELEM_INT,
    PGJSON_ELEM_DOUBLE,
    PGJSON_ELEM_BOOL,
} pgjson_elem_t;

/* Counts strings that were not valid UTF-8 (possible in SQL_ASCII
 * databases) and had their bad bytes replaced by U+FFFD. May be NULL. */
typedef struct {
    size_t repaired_strings;
} pgjson_stats_t;

/* A JSON string from len bytes; invalid UTF-8 sequences become U+FFFD (and
 * are counted in stats when not NULL). NULL only when jansson cannot
 * allocate the string. */
json_t *pgjson_string(const char *s, size_t len, pgjson_stats_t *stats);

/* Parses a PostgreSQL array literal ("{a,\"b c\",NULL}") whose elements are
 * of the given kind into a (possibly nested) JSON array. */
int pgjson_parse_array(const char *text, pgjson_elem_t kind, json_t **out, pgjson_stats_t *stats,
                       err_t *err);

/* One field, converted by the column's type (table above). */
int pgjson_field(const PGresult *res, int row, int col, json_t **out, pgjson_stats_t *stats,
                 err_t *err);

/* One row as a map column name -> value, in column order. */
int pgjson_row(const PGresult *res, int row, json_t **out, pgjson_stats_t *stats, err_t *err);

/* Every row, as an array of maps. */
int pgjson_rows(const PGresult *res, json_t **out, pgjson_stats_t *stats, err_t *err);

#endif
