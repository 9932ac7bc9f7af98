file(REMOVE_RECURSE
  "../../bin/test_fleet"
  "../../bin/test_fleet.pdb"
  "CMakeFiles/test_fleet.dir/test_fleet.c.o"
  "CMakeFiles/test_fleet.dir/test_fleet.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_fleet.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
