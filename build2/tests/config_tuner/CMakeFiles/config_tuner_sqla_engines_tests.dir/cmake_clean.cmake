file(REMOVE_RECURSE
  "../../bin/config_tuner_sqla_engines_tests"
  "../../bin/config_tuner_sqla_engines_tests.pdb"
  "CMakeFiles/config_tuner_sqla_engines_tests.dir/test_sqla_engines.c.o"
  "CMakeFiles/config_tuner_sqla_engines_tests.dir/test_sqla_engines.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/config_tuner_sqla_engines_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
