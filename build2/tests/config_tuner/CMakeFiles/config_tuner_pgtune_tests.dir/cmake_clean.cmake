file(REMOVE_RECURSE
  "../../bin/config_tuner_pgtune_tests"
  "../../bin/config_tuner_pgtune_tests.pdb"
  "CMakeFiles/config_tuner_pgtune_tests.dir/test_pgtune.c.o"
  "CMakeFiles/config_tuner_pgtune_tests.dir/test_pgtune.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/config_tuner_pgtune_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
