# Empty dependencies file for test_collect_roles.
# This may be replaced when dependencies are built.
