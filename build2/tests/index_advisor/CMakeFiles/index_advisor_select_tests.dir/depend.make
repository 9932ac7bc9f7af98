# Empty dependencies file for index_advisor_select_tests.
# This may be replaced when dependencies are built.
