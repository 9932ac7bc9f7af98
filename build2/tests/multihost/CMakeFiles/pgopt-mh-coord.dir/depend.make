# Empty dependencies file for pgopt-mh-coord.
# This may be replaced when dependencies are built.
