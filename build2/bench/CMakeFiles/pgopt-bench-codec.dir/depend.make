# Empty dependencies file for pgopt-bench-codec.
# This may be replaced when dependencies are built.
