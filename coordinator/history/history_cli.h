/*
 * history_cli.h - `pgopt-coordinator snapshot`: collect the counters of a
 * live PostgreSQL and append them to the history store (history.h), then
 * apply the retention policy. Meant to run every few minutes from cron, a
 * systemd timer or a Kubernetes CronJob (docs/HISTORY.md).
 */
#ifndef PGOPT_COORDINATOR_HISTORY_CLI_H
#define PGOPT_COORDINATOR_HISTORY_CLI_H

/* argv[0] is the subcommand name ("snapshot"); main() calls
 * history_cli_main(argc - 1, argv + 1) when argv[1] is "snapshot".
 * Returns the process exit status: 0 appended, 1 error, 2 bad command line. */
int history_cli_main(int argc, char **argv);

#endif
