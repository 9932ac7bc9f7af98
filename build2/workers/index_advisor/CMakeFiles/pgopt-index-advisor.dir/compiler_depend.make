# Empty compiler generated dependencies file for pgopt-index-advisor.
# This may be replaced when dependencies are built.
