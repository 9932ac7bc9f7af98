# Empty dependencies file for test_common_jsonout.
# This may be replaced when dependencies are built.
