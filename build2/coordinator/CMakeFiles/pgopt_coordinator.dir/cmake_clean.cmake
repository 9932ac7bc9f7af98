file(REMOVE_RECURSE
  "CMakeFiles/pgopt_coordinator.dir/analysis.c.o"
  "CMakeFiles/pgopt_coordinator.dir/analysis.c.o.d"
  "CMakeFiles/pgopt_coordinator.dir/config_file.c.o"
  "CMakeFiles/pgopt_coordinator.dir/config_file.c.o.d"
  "libpgopt_coordinator.a"
  "libpgopt_coordinator.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_coordinator.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
