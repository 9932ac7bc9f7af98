# Empty dependencies file for test_collect_host.
# This may be replaced when dependencies are built.
