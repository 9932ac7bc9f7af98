# Empty dependencies file for index_advisor_fill_tests.
# This may be replaced when dependencies are built.
