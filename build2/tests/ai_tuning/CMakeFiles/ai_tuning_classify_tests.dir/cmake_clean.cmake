file(REMOVE_RECURSE
  "../../bin/ai_tuning_classify_tests"
  "../../bin/ai_tuning_classify_tests.pdb"
  "CMakeFiles/ai_tuning_classify_tests.dir/test_classify_pg.c.o"
  "CMakeFiles/ai_tuning_classify_tests.dir/test_classify_pg.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/ai_tuning_classify_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
