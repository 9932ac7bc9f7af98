# Empty dependencies file for test_common_numparse.
# This may be replaced when dependencies are built.
