/*
 * plant.h - the planted databases of the index advisor's selection tests
 * (test_fill, test_prefix, test_refill): a new database in the fixture's
 * PostgreSQL loaded with a schema, vacuumed, its statement statistics
 * reset; the test then runs its workload and collects the snapshot with the
 * real collector; the agent's run with a budget; and what each of those
 * tests asks of its result: pgopt's size of an index, which statements a
 * recommendation claims, and the evidence of a failure.
 */
#ifndef PGOPT_TESTS_INDEX_ADVISOR_PLANT_H
#define PGOPT_TESTS_INDEX_ADVISOR_PLANT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Creates database db, loads schema_sql with durable commits, VACUUM
 * ANALYZE, and with visibility_map a second VACUUM; resets db's statement
 * statistics. Fills conninfo (len bytes) with db's conninfo. Returns the
 * connection for the workload, or NULL (message on stderr) when there is
 * no fixture or the database cannot be created. */
PGconn *plant_open(const char *db, const char *schema_sql, bool visibility_map, char *conninfo,
                   size_t len);

/* Closes c (the workload has run) and collects conninfo's snapshot, target
 * DSN included, into *snap. 0, or -1 with a message on stderr. */
int plant_collect(PGconn *c, const char *conninfo, json_t **snap);

/* pgopt's size estimate of a btree on public.table (keys, INCLUDE include),
 * from snap's statistics (a test's budget is set from it). Fails the
 * cmocka test when the snapshot does not load or has no such table. */
double plant_btree_bytes(const json_t *snap, const char *table, const char *const *keys, int nkeys,
                         const char *const *include, int ninclude);

/* The agent's result on a copy of snap with options index_budget_bytes
 * budget, index_min_unused_window_s 0 (the planted workload is minutes
 * old) and the members of extra (taken; NULL for none). Fails the cmocka
 * test when the agent fails. */
json_t *plant_advise(const json_t *snap, int64_t budget, json_t *extra);

/* 1 when recommendation rec's affected statements (affected_queryids)
 * include one whose text in snap contains needle and, with not_containing,
 * not that text. */
int plant_claims(const json_t *snap, const json_t *rec, const char *needle,
                 const char *not_containing);

/* Fails the cmocka test with what; the result's recommendations and
 * selection steps go to stderr (cmocka's message buffer is short). */
void plant_fail_with(const char *what, json_t *res);

#endif
