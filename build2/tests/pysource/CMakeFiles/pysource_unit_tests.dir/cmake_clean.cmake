file(REMOVE_RECURSE
  "../../bin/pysource_unit_tests"
  "../../bin/pysource_unit_tests.pdb"
  "CMakeFiles/pysource_unit_tests.dir/test_pysource.c.o"
  "CMakeFiles/pysource_unit_tests.dir/test_pysource.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pysource_unit_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
