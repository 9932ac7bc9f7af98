# Empty dependencies file for pgopt_collect_testutil.
# This may be replaced when dependencies are built.
