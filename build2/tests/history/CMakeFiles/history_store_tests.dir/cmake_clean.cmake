file(REMOVE_RECURSE
  "../../bin/history_store_tests"
  "../../bin/history_store_tests.pdb"
  "CMakeFiles/history_store_tests.dir/test_history.c.o"
  "CMakeFiles/history_store_tests.dir/test_history.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/history_store_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
