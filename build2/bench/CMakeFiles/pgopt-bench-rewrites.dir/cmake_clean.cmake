file(REMOVE_RECURSE
  "../bin/pgopt-bench-rewrites"
  "../bin/pgopt-bench-rewrites.pdb"
  "CMakeFiles/pgopt-bench-rewrites.dir/rewrites/bench_rewrites.c.o"
  "CMakeFiles/pgopt-bench-rewrites.dir/rewrites/bench_rewrites.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-rewrites.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
