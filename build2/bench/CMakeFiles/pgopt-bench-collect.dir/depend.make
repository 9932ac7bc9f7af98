# Empty dependencies file for pgopt-bench-collect.
# This may be replaced when dependencies are built.
