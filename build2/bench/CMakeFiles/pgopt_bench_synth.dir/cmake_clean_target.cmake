file(REMOVE_RECURSE
  "libpgopt_bench_synth.a"
)
