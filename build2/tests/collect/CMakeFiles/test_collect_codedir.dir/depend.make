# Empty dependencies file for test_collect_codedir.
# This may be replaced when dependencies are built.
