# Empty dependencies file for pgopt-bench-orm-real.
# This may be replaced when dependencies are built.
