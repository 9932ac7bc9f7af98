file(REMOVE_RECURSE
  "../bin/pgopt-bench-index-budgets"
  "../bin/pgopt-bench-index-budgets.pdb"
  "CMakeFiles/pgopt-bench-index-budgets.dir/index_advisor/bench_budgets.c.o"
  "CMakeFiles/pgopt-bench-index-budgets.dir/index_advisor/bench_budgets.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-index-budgets.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
