# Empty compiler generated dependencies file for pgopt_planted_pg.
# This may be replaced when dependencies are built.
