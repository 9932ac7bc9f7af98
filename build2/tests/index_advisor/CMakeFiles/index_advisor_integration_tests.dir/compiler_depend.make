# Empty compiler generated dependencies file for index_advisor_integration_tests.
# This may be replaced when dependencies are built.
