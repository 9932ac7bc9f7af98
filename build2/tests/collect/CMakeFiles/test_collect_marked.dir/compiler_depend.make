# Empty compiler generated dependencies file for test_collect_marked.
# This may be replaced when dependencies are built.
