# Empty compiler generated dependencies file for query_rewriter_corpus_tests.
# This may be replaced when dependencies are built.
