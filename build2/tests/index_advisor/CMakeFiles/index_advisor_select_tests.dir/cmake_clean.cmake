file(REMOVE_RECURSE
  "../../bin/index_advisor_select_tests"
  "../../bin/index_advisor_select_tests.pdb"
  "CMakeFiles/index_advisor_select_tests.dir/test_select.c.o"
  "CMakeFiles/index_advisor_select_tests.dir/test_select.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/index_advisor_select_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
