# Empty dependencies file for pgopt-bench-index-budgets.
# This may be replaced when dependencies are built.
