file(REMOVE_RECURSE
  "../bin/pgopt-bench-collect"
  "../bin/pgopt-bench-collect.pdb"
  "CMakeFiles/pgopt-bench-collect.dir/bench_collect.c.o"
  "CMakeFiles/pgopt-bench-collect.dir/bench_collect.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-collect.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
