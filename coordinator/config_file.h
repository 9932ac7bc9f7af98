/*
 * config_file.h - pgopt's configuration file and PGOPT_* environment
 * variables, merged with the command line (docs/CONFIG.md).
 *
 * The file holds "key = value" lines whose keys are the program's long
 * option names (dsn, timeout, index-budget; '_' may stand for '-'), '#'
 * comments and blank lines; a value may be double-quoted ("\"" and "\\"
 * escapes). Flags take true/false, yes/no, on/off, 1/0. A key may repeat
 * only for options that repeat on the command line (worker).
 *
 * Which file: --config FILE (or --config=FILE) on the command line, else
 * PGOPT_CONFIG, else $XDG_CONFIG_HOME/pgopt/pgopt.conf (~/.config/... when
 * XDG_CONFIG_HOME is unset), else /etc/pgopt/pgopt.conf; the first that
 * exists is read, and a file named explicitly must exist.
 *
 * Environment: PGOPT_<NAME> with the long name upper-cased and '-' as '_'
 * (PGOPT_TIMEOUT=30s, PGOPT_INDEX_BUDGET=2GB, PGOPT_VERIFY=1). libpq reads
 * PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSERVICE ... itself.
 *
 * Precedence, per option: command line > PGOPT_* > config file > built-in
 * defaults. The merge produces the argv that getopt_long then parses as
 * usual, so every value is validated by the same code whatever its origin.
 */
#ifndef PGOPT_COORDINATOR_CONFIG_FILE_H
#define PGOPT_COORDINATOR_CONFIG_FILE_H

#include <getopt.h>

#include "common/error.h"

typedef struct {
    const struct option *longopts; /* the program's getopt_long table */
    const char *shortopts;         /* its short option string (":d:s:o:...") */
    /* Long names never read from a file or the environment (help, version,
     * config itself); NULL-terminated, may be NULL. */
    const char *const *not_configurable;
    /* Long names that may repeat (each occurrence adds); NULL-terminated. */
    const char *const *repeatable;
    /* Pairs of mutually exclusive long names ("dsn", "snapshot", ...,
     * NULL): when a higher layer sets one, lower layers' values of the
     * other are ignored too. NULL-terminated list of pairs, may be NULL. */
    const char *const *exclusive_pairs;
    const char *env_prefix; /* "PGOPT_" */
    const char *app;        /* "pgopt": the directory under ~/.config and /etc */
} config_spec_t;

/* Builds *out_argv = argv[0], config-file options, PGOPT_* options, then
 * argv[1..] unchanged, keeping from each lower layer only the options no
 * higher layer sets. *config_used gets the file read (or "" when none;
 * at least 4096 bytes, may be NULL). -1 with err on an unreadable named file
 * or a bad line ("pgopt.conf:12: unknown key 'timout'"). */
int config_merge_argv(const config_spec_t *spec, int argc, char **argv, int *out_argc,
                      char ***out_argv, char *config_used, err_t *err);

void config_free_argv(int argc, char ***argv);

#endif
