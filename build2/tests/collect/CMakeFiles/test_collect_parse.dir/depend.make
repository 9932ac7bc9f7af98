# Empty dependencies file for test_collect_parse.
# This may be replaced when dependencies are built.
