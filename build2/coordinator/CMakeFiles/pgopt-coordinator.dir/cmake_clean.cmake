file(REMOVE_RECURSE
  "../bin/pgopt-coordinator"
  "../bin/pgopt-coordinator.pdb"
  "CMakeFiles/pgopt-coordinator.dir/main.c.o"
  "CMakeFiles/pgopt-coordinator.dir/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-coordinator.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
