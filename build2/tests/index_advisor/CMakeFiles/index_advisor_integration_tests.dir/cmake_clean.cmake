file(REMOVE_RECURSE
  "../../bin/index_advisor_integration_tests"
  "../../bin/index_advisor_integration_tests.pdb"
  "CMakeFiles/index_advisor_integration_tests.dir/test_integration.c.o"
  "CMakeFiles/index_advisor_integration_tests.dir/test_integration.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/index_advisor_integration_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
