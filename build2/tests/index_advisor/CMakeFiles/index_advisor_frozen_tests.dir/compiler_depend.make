# Empty compiler generated dependencies file for index_advisor_frozen_tests.
# This may be replaced when dependencies are built.
