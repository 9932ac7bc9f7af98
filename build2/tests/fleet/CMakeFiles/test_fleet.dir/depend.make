# Empty dependencies file for test_fleet.
# This may be replaced when dependencies are built.
