# Empty dependencies file for pgopt-bench-attribution.
# This may be replaced when dependencies are built.
