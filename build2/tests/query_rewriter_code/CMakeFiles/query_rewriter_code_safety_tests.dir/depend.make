# Empty dependencies file for query_rewriter_code_safety_tests.
# This may be replaced when dependencies are built.
