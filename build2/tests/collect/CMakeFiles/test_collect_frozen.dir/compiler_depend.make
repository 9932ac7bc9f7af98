# Empty compiler generated dependencies file for test_collect_frozen.
# This may be replaced when dependencies are built.
