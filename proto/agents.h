/*
 * agents.h - the agents of phase 3: one table, read wherever an agent is
 * named (the fleet dispatching and assembling, local workers started by
 * executable name, the reports' titles and labels, --agents).
 *
 * The names are the protocol's agent field (JOB, PONG, RESULT;
 * proto/PROTOCOL.md) and phase3_output's keys, in the seed's order. A new
 * agent is a row here (docs/ARCHITECTURE.md, "Where to add").
 */
#ifndef PGOPT_PROTO_AGENTS_H
#define PGOPT_PROTO_AGENTS_H

#define AGENT_COUNT 4

typedef struct {
    const char *name;       /* "index_advisor": wire name and phase3_output key */
    const char *executable; /* "pgopt-index-advisor": the worker program */
    const char *title;      /* "Index advisor": the reports' heading */
    const char *found;      /* what the reports count: "index changes recommended" */
} agent_info_t;

/* The four, in the seed's order. */
extern const agent_info_t AGENTS[AGENT_COUNT];

/* The same names as a list (AGENT_NAMES[i] == AGENTS[i].name, the same
 * pointers), for the calls that take a list of agent names. */
extern const char *const AGENT_NAMES[AGENT_COUNT];

/* The row of the agent called name, or NULL when it is not one of the four. */
const agent_info_t *agent_info(const char *name);

#endif
