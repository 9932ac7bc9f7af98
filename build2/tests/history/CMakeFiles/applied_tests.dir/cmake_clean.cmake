file(REMOVE_RECURSE
  "../../bin/applied_tests"
  "../../bin/applied_tests.pdb"
  "CMakeFiles/applied_tests.dir/test_applied_pg.c.o"
  "CMakeFiles/applied_tests.dir/test_applied_pg.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/applied_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
