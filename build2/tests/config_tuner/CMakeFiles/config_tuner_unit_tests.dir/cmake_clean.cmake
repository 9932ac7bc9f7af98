file(REMOVE_RECURSE
  "../../bin/config_tuner_unit_tests"
  "../../bin/config_tuner_unit_tests.pdb"
  "CMakeFiles/config_tuner_unit_tests.dir/test_config_tuner.c.o"
  "CMakeFiles/config_tuner_unit_tests.dir/test_config_tuner.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/config_tuner_unit_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
