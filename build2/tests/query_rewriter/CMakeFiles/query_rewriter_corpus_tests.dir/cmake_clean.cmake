file(REMOVE_RECURSE
  "../../bin/query_rewriter_corpus_tests"
  "../../bin/query_rewriter_corpus_tests.pdb"
  "CMakeFiles/query_rewriter_corpus_tests.dir/test_corpus.c.o"
  "CMakeFiles/query_rewriter_corpus_tests.dir/test_corpus.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/query_rewriter_corpus_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
