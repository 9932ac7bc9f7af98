file(REMOVE_RECURSE
  "../bin/pgopt-bench-index-advisor"
  "../bin/pgopt-bench-index-advisor.pdb"
  "CMakeFiles/pgopt-bench-index-advisor.dir/index_advisor/bench_index_advisor.c.o"
  "CMakeFiles/pgopt-bench-index-advisor.dir/index_advisor/bench_index_advisor.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-index-advisor.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
