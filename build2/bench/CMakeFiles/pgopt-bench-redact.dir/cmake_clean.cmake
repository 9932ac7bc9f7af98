file(REMOVE_RECURSE
  "../bin/pgopt-bench-redact"
  "../bin/pgopt-bench-redact.pdb"
  "CMakeFiles/pgopt-bench-redact.dir/bench_redact.c.o"
  "CMakeFiles/pgopt-bench-redact.dir/bench_redact.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-redact.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
