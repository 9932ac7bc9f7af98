# Empty dependencies file for pgopt_index_advisor.
# This may be replaced when dependencies are built.
