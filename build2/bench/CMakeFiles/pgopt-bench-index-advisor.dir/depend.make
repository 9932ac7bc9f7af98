# Empty dependencies file for pgopt-bench-index-advisor.
# This may be replaced when dependencies are built.
