# Empty dependencies file for history_store_tests.
# This may be replaced when dependencies are built.
