file(REMOVE_RECURSE
  "../../bin/query_rewriter_integration_tests"
  "../../bin/query_rewriter_integration_tests.pdb"
  "CMakeFiles/query_rewriter_integration_tests.dir/test_integration.c.o"
  "CMakeFiles/query_rewriter_integration_tests.dir/test_integration.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/query_rewriter_integration_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
