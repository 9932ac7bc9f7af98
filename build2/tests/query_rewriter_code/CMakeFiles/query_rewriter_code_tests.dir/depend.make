# Empty dependencies file for query_rewriter_code_tests.
# This may be replaced when dependencies are built.
