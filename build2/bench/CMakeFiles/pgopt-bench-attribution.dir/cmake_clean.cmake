file(REMOVE_RECURSE
  "../bin/pgopt-bench-attribution"
  "../bin/pgopt-bench-attribution.pdb"
  "CMakeFiles/pgopt-bench-attribution.dir/ai_attribution_bench.c.o"
  "CMakeFiles/pgopt-bench-attribution.dir/ai_attribution_bench.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-attribution.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
