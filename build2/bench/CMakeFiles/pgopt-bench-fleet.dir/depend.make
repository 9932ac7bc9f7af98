# Empty dependencies file for pgopt-bench-fleet.
# This may be replaced when dependencies are built.
