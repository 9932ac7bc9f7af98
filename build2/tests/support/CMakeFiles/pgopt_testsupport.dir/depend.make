# Empty dependencies file for pgopt_testsupport.
# This may be replaced when dependencies are built.
