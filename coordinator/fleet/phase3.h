/*
 * phase3.h - assembles phase3_output (seed: "Phase 3 Synchronization") from
 * the agents' outcomes, plus the `fleet` section, and maps the outcome to the
 * coordinator's exit status.
 *
 *   {"phase": "OPTIMIZE", "timestamp": "...", "status": "complete|partial|failed",
 *    "index_advisor": {...} | null, "query_rewriter": ..., "config_tuner": ...,
 *    "ai_tuning": ...,
 *    "fleet": {"<agent>": {"status", "worker", "endpoint", "attempts",
 *                          "elapsed_ms", "error"?}, ...}}
 *
 * An agent that did not answer has `null` in its slot (never an invented
 * result); its fleet entry says why.
 */
#ifndef PGOPT_COORDINATOR_PHASE3_H
#define PGOPT_COORDINATOR_PHASE3_H

#include <jansson.h>

#include "coordinator/fleet/fleet.h"
#include "proto/agents.h"

/* Exit statuses of pgopt-coordinator (documented in README and --help). */
#define EXIT_COMPLETE 0 /* every requested agent answered */
#define EXIT_ERROR    1 /* bad input, local failure, or no agent answered */
#define EXIT_USAGE    2 /* bad command line */
#define EXIT_PARTIAL  3 /* some agents answered, some did not */

/* Builds phase3_output. outcomes[0..n) are the agents that ran; agents of
 * AGENTS (proto/agents.h) not among them get null and fleet status "skipped". The
 * results are moved out of outcomes (outcomes[i].result becomes NULL). */
json_t *phase3_assemble(agent_outcome_t *outcomes, int n);

/* EXIT_COMPLETE, EXIT_PARTIAL or EXIT_ERROR for those outcomes. */
int phase3_exit_status(const agent_outcome_t *outcomes, int n);

#endif
