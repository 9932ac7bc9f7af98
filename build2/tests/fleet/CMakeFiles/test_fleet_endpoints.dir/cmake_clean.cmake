file(REMOVE_RECURSE
  "../../bin/test_fleet_endpoints"
  "../../bin/test_fleet_endpoints.pdb"
  "CMakeFiles/test_fleet_endpoints.dir/test_endpoints.c.o"
  "CMakeFiles/test_fleet_endpoints.dir/test_endpoints.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_fleet_endpoints.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
