# Empty dependencies file for test_collect_errors.
# This may be replaced when dependencies are built.
