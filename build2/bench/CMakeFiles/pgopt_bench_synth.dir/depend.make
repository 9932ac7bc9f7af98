# Empty dependencies file for pgopt_bench_synth.
# This may be replaced when dependencies are built.
