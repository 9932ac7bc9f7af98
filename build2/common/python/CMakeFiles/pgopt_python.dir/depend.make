# Empty dependencies file for pgopt_python.
# This may be replaced when dependencies are built.
