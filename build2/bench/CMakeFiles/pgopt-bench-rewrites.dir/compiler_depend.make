# Empty compiler generated dependencies file for pgopt-bench-rewrites.
# This may be replaced when dependencies are built.
