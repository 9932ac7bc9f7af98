file(REMOVE_RECURSE
  "../../bin/common_steptest_tests"
  "../../bin/common_steptest_tests.pdb"
  "CMakeFiles/common_steptest_tests.dir/test_steptest.c.o"
  "CMakeFiles/common_steptest_tests.dir/test_steptest.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/common_steptest_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
