# Empty dependencies file for test_collect_pgbouncer_ini.
# This may be replaced when dependencies are built.
