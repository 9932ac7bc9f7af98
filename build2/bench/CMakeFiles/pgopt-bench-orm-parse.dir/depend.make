# Empty dependencies file for pgopt-bench-orm-parse.
# This may be replaced when dependencies are built.
