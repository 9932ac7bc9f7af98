# Empty dependencies file for pgopt-coordinator.
# This may be replaced when dependencies are built.
