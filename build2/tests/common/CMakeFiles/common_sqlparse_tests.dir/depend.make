# Empty dependencies file for common_sqlparse_tests.
# This may be replaced when dependencies are built.
