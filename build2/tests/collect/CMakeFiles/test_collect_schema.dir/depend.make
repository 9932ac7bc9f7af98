# Empty dependencies file for test_collect_schema.
# This may be replaced when dependencies are built.
