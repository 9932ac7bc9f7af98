file(REMOVE_RECURSE
  "../../bin/query_rewriter_code_safety_tests"
  "../../bin/query_rewriter_code_safety_tests.pdb"
  "CMakeFiles/query_rewriter_code_safety_tests.dir/test_rewrite_safety.c.o"
  "CMakeFiles/query_rewriter_code_safety_tests.dir/test_rewrite_safety.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/query_rewriter_code_safety_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
