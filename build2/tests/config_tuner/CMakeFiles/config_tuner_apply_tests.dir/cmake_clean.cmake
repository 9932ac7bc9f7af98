file(REMOVE_RECURSE
  "../../bin/config_tuner_apply_tests"
  "../../bin/config_tuner_apply_tests.pdb"
  "CMakeFiles/config_tuner_apply_tests.dir/test_apply_scratch.c.o"
  "CMakeFiles/config_tuner_apply_tests.dir/test_apply_scratch.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/config_tuner_apply_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
