file(REMOVE_RECURSE
  "../bin/pgopt-bench-codec"
  "../bin/pgopt-bench-codec.pdb"
  "CMakeFiles/pgopt-bench-codec.dir/bench_codec.c.o"
  "CMakeFiles/pgopt-bench-codec.dir/bench_codec.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-codec.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
