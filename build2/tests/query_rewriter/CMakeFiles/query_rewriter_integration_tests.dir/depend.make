# Empty dependencies file for query_rewriter_integration_tests.
# This may be replaced when dependencies are built.
