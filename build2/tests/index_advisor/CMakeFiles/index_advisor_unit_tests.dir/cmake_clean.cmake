file(REMOVE_RECURSE
  "../../bin/index_advisor_unit_tests"
  "../../bin/index_advisor_unit_tests.pdb"
  "CMakeFiles/index_advisor_unit_tests.dir/test_extract.c.o"
  "CMakeFiles/index_advisor_unit_tests.dir/test_extract.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/index_advisor_unit_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
