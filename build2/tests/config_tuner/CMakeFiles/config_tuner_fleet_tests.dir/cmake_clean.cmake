file(REMOVE_RECURSE
  "../../bin/config_tuner_fleet_tests"
  "../../bin/config_tuner_fleet_tests.pdb"
  "CMakeFiles/config_tuner_fleet_tests.dir/test_fleet.c.o"
  "CMakeFiles/config_tuner_fleet_tests.dir/test_fleet.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/config_tuner_fleet_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
