file(REMOVE_RECURSE
  "CMakeFiles/pgopt_bench_synth.dir/synth_snapshot.c.o"
  "CMakeFiles/pgopt_bench_synth.dir/synth_snapshot.c.o.d"
  "libpgopt_bench_synth.a"
  "libpgopt_bench_synth.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_bench_synth.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
