file(REMOVE_RECURSE
  "../bin/pgopt-bench-fleet"
  "../bin/pgopt-bench-fleet.pdb"
  "CMakeFiles/pgopt-bench-fleet.dir/bench_fleet.c.o"
  "CMakeFiles/pgopt-bench-fleet.dir/bench_fleet.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-fleet.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
