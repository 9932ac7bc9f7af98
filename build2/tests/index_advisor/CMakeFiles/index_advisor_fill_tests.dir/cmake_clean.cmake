file(REMOVE_RECURSE
  "../../bin/index_advisor_fill_tests"
  "../../bin/index_advisor_fill_tests.pdb"
  "CMakeFiles/index_advisor_fill_tests.dir/test_fill.c.o"
  "CMakeFiles/index_advisor_fill_tests.dir/test_fill.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/index_advisor_fill_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
