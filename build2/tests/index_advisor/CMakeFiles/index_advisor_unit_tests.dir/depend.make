# Empty dependencies file for index_advisor_unit_tests.
# This may be replaced when dependencies are built.
