file(REMOVE_RECURSE
  "../bin/pgopt-bench-ai-tuning"
  "../bin/pgopt-bench-ai-tuning.pdb"
  "CMakeFiles/pgopt-bench-ai-tuning.dir/ai_tuning_bench.c.o"
  "CMakeFiles/pgopt-bench-ai-tuning.dir/ai_tuning_bench.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-ai-tuning.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
