# Empty dependencies file for pgopt_history.
# This may be replaced when dependencies are built.
