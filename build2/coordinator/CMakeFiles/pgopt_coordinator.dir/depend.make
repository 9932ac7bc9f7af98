# Empty dependencies file for pgopt_coordinator.
# This may be replaced when dependencies are built.
