# Empty dependencies file for pgopt_common.
# This may be replaced when dependencies are built.
