# Empty dependencies file for pgopt_mh_support.
# This may be replaced when dependencies are built.
