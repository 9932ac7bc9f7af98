file(REMOVE_RECURSE
  "../../bin/history_cli_tests"
  "../../bin/history_cli_tests.pdb"
  "CMakeFiles/history_cli_tests.dir/test_history_pg.c.o"
  "CMakeFiles/history_cli_tests.dir/test_history_pg.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/history_cli_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
