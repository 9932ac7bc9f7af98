# Empty dependencies file for pgopt-bench-codec-limit.
# This may be replaced when dependencies are built.
