file(REMOVE_RECURSE
  "../../bin/index_advisor_frozen_tests"
  "../../bin/index_advisor_frozen_tests.pdb"
  "CMakeFiles/index_advisor_frozen_tests.dir/test_frozen.c.o"
  "CMakeFiles/index_advisor_frozen_tests.dir/test_frozen.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/index_advisor_frozen_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
