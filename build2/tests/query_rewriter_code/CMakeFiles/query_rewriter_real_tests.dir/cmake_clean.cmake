file(REMOVE_RECURSE
  "../../bin/query_rewriter_real_tests"
  "../../bin/query_rewriter_real_tests.pdb"
  "CMakeFiles/query_rewriter_real_tests.dir/test_orm_real.c.o"
  "CMakeFiles/query_rewriter_real_tests.dir/test_orm_real.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/query_rewriter_real_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
