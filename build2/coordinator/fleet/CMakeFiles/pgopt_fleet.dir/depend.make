# Empty dependencies file for pgopt_fleet.
# This may be replaced when dependencies are built.
