# Empty dependencies file for history_cli_tests.
# This may be replaced when dependencies are built.
