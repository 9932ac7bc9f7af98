# Empty dependencies file for common_steptest_tests.
# This may be replaced when dependencies are built.
