file(REMOVE_RECURSE
  "../bin/pgopt-bench-codec-limit"
  "../bin/pgopt-bench-codec-limit.pdb"
  "CMakeFiles/pgopt-bench-codec-limit.dir/bench_codec_limit.c.o"
  "CMakeFiles/pgopt-bench-codec-limit.dir/bench_codec_limit.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-codec-limit.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
