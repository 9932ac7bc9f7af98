/*
 * ping.h - `pgopt-coordinator ping`: is a worker alive, and what has it done?
 *
 *   pgopt-coordinator ping [--timeout MS] [--stats] [--curve-secret FILE
 *                          --curve-server FILE] ENDPOINT
 *
 * Sends PING (and, with --stats, STATS) to one worker endpoint and prints
 * the answer as one JSON line: {"endpoint", "agent", "worker", "load",
 * "capacity", "served", "rtt_ms"} plus, with --stats, the worker's counters
 * (PROTOCOL.md, COUNTERS). Exit status 0 when the worker answered, 1 when it
 * did not within the timeout (or refused us), 2 on bad usage: a container
 * health check.
 */
#ifndef PGOPT_COORDINATOR_PING_H
#define PGOPT_COORDINATOR_PING_H

/* argv[0] is "ping". Returns the process exit status. */
int ping_main(int argc, char **argv);

#endif
