/*
 * result_schema.h - the shape every agent's RESULT body must have, checked
 * by the coordinator before it accepts a result (docs/RESULTS.md).
 *
 * A RESULT comes from a peer: a worker of another version, a buggy one or a
 * hostile one may send a map of the wrong shape, or one labelled with
 * another agent. Accepted as it was, such a result ended as "ok" with an
 * empty report section. The schema is the seed's public contract
 * (seed/phase3-optimize.md) plus the keys the workers really emit: the keys
 * the contract names must be there with the right types, element shapes
 * are checked where the reports read them, and any other key is allowed
 * (agents add evidence and notes; minor versions add keys).
 */
#ifndef PGOPT_PROTO_RESULT_SCHEMA_H
#define PGOPT_PROTO_RESULT_SCHEMA_H

#include <jansson.h>

#include "common/error.h"

/* 0 when result is a valid result of agent; else -1 with err naming the
 * first violation and where ("recommendations[2].affected_queries:
 * expected integer, got string"). An agent with no schema (not one of
 * the four) is held to the common keys only: phase and agent. */
int result_validate(const json_t *result, const char *agent, err_t *err);

#endif
