# Empty compiler generated dependencies file for applied_tests.
# This may be replaced when dependencies are built.
