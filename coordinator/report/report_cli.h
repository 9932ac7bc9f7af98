/*
 * report_cli.h - `pgopt-coordinator report`: render a saved phase3_output
 * (the JSON of an earlier run) as text, HTML or SQL scripts, without
 * running the analysis again.
 *
 *   pgopt-coordinator report RESULT.json [--format text|html|sql|json]
 *                            [-o FILE|DIR] [--snapshot FILE] [--top N]
 *                            [--width N] [--color auto|always|never]
 */
#ifndef PGOPT_COORDINATOR_REPORT_CLI_H
#define PGOPT_COORDINATOR_REPORT_CLI_H

/* argv[0] is the subcommand name ("report"); main() calls
 * report_cli_main(argc - 1, argv + 1) when argv[1] is "report".
 * Returns the exit status: 0 written, 1 error, 2 bad command line. */
int report_cli_main(int argc, char **argv);

#endif
