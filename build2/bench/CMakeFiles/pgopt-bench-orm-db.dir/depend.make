# Empty dependencies file for pgopt-bench-orm-db.
# This may be replaced when dependencies are built.
