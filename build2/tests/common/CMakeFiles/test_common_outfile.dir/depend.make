# Empty dependencies file for test_common_outfile.
# This may be replaced when dependencies are built.
