file(REMOVE_RECURSE
  "../../bin/ai_tuning_unit_tests"
  "../../bin/ai_tuning_unit_tests.pdb"
  "CMakeFiles/ai_tuning_unit_tests.dir/test_ai_tuning.c.o"
  "CMakeFiles/ai_tuning_unit_tests.dir/test_ai_tuning.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ai_tuning_unit_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
