# Empty dependencies file for pgopt_collect.
# This may be replaced when dependencies are built.
