# CMAKE generated file: DO NOT EDIT!
# Timestamp file for compiler generated dependencies management for query_rewriter_real_tests.
