# Empty compiler generated dependencies file for index_advisor_params_tests.
# This may be replaced when dependencies are built.
