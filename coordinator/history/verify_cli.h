/*
 * verify_cli.h - `pgopt-coordinator verify`: was an earlier result's advice
 * applied, and did it help? (coordinator/history/applied.h)
 *
 *   pgopt-coordinator verify --store DIR RESULT.json [--database NAME]
 *                            [--system-identifier ID] [--format text|json]
 *                            [-o FILE]
 */
#ifndef PGOPT_COORDINATOR_VERIFY_CLI_H
#define PGOPT_COORDINATOR_VERIFY_CLI_H

/* argv[0] is "verify". Returns 0 written, 1 error, 2 bad command line. */
int verify_cli_main(int argc, char **argv);

#endif
