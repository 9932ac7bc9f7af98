/*
 * report_render.c - `pgopt-coordinator report` as a program of its own, for
 * the report tests (main.c's subcommand dispatch is the coordinator's; this
 * keeps the tests independent of it).
 */
#include "coordinator/report/report_cli.h"

int main(int argc, char **argv)
{
    return report_cli_main(argc, argv);
}
