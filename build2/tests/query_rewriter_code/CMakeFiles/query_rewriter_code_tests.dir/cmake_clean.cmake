file(REMOVE_RECURSE
  "../../bin/query_rewriter_code_tests"
  "../../bin/query_rewriter_code_tests.pdb"
  "CMakeFiles/query_rewriter_code_tests.dir/test_orm_corpus.c.o"
  "CMakeFiles/query_rewriter_code_tests.dir/test_orm_corpus.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/query_rewriter_code_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
