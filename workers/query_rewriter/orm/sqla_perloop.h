/*
 * sqla_perloop.h - database work done once per item of a loop that the
 * rewriting detections (sqla_patterns.c) cannot rewrite mechanically, found
 * the way real applications write it (bench/orm/real/: OpenStack services,
 * mailman): through the project's own helpers across modules, with
 * sessions under any name (context.session, self.session, store), with
 * loop targets that are tuples (`for key, value in specs.items()`), in
 * comprehensions, and with writes as `ref.save(session)`.
 *
 * Kinds (the finding shape of sqla_patterns.h, with "optimized": null and
 * "safety": "manual" - the explanation says how to fix it by hand):
 *   query_in_loop  a query run per item and keyed by it: a chain on a
 *                  session's query()/get()/execute() or on a project
 *                  function that queries (model_query(...)), or a call to a
 *                  project function that queries (directly or through
 *                  other project functions, up to 4 calls deep), whose
 *                  arguments use the loop's target or a name derived from
 *                  it in the loop. Not reported: loops over literals of
 *                  constants or UPPER_CASE module constants, queries whose
 *                  model is the loop's item (a different table per item).
 *   add_in_loop    a row written per item: session.add()/save() of an
 *                  object constructed in the loop, execute(insert(...)),
 *                  or a call to a project function that does either, with
 *                  arguments from the loop.
 * One finding per loop and kind, at the innermost loop whose item the work
 * uses; the line is the loop's, `query_file`/`query_line` name where the
 * query or write is when it is in a helper. A loop some finding of
 * sqla_detect already covers (same file, line and kind) is not reported
 * again.
 */
#ifndef PGOPT_QR_ORM_SQLA_PERLOOP_H
#define PGOPT_QR_ORM_SQLA_PERLOOP_H

#include <jansson.h>

#include "common/error.h"
#include "workers/query_rewriter/orm/sqla_models.h"

/* Appends findings to findings (which may already hold sqla_detect's, used
 * to skip duplicates). 0, or -1 with err on out of memory. */
int sqla_perloop_detect(const sqla_project_t *p, json_t *findings, err_t *err);

/* The same, one file at a time, so that sqla_detect reads each file's tree
 * once for both analyses (sqla_models.h: trees are not kept). new: findings
 * go to out; seen: a finding reported elsewhere (same file, line and kind)
 * is not reported again; file: the per-item findings of file k (its tree
 * from sqla_project_file; the caller ends the scan). 0, or -1 with err on
 * out of memory. */
typedef struct sqla_perloop sqla_perloop_t;
sqla_perloop_t *sqla_perloop_new(const sqla_project_t *p, json_t *out, err_t *err);
void sqla_perloop_seen(sqla_perloop_t *pl, const json_t *finding);
int sqla_perloop_file(sqla_perloop_t *pl, size_t k, err_t *err);
/* Before a one-pass scan's files are scanned again (sqla_analyze, after
 * sqla_project_finish): forgets the helper summaries whose look-ups answer
 * otherwise with the complete index (sqla_project_log_stale) and the
 * findings seen; the others are kept, as they would be computed again. */
void sqla_perloop_rescan(sqla_perloop_t *pl);
/* Safe on NULL and twice (nulls the pointer). */
void sqla_perloop_destroy(sqla_perloop_t **pl);

/* Classes that declare __tablename__ (module level) but are not models in
 * the index: their base comes from outside the code (neutron_lib's
 * model_base.BASEV2) or could not be resolved, so their relationships and
 * lazy loads are unknown. The count; the first one as "path:line Class"
 * in example (may be NULL). */
size_t sqla_perloop_unresolved_models(const sqla_project_t *p, char *example, size_t size);

#endif
