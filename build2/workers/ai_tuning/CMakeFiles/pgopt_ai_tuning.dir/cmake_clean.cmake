file(REMOVE_RECURSE
  "CMakeFiles/pgopt_ai_tuning.dir/ai_catalog.c.o"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_catalog.c.o.d"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_cause.c.o"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_cause.c.o.d"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_cloud.c.o"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_cloud.c.o.d"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_ml.c.o"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_ml.c.o.d"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_predict.c.o"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_predict.c.o.d"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_series.c.o"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_series.c.o.d"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_stats.c.o"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_stats.c.o.d"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_tuning.c.o"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_tuning.c.o.d"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_workload.c.o"
  "CMakeFiles/pgopt_ai_tuning.dir/ai_workload.c.o.d"
  "libpgopt_ai_tuning.a"
  "libpgopt_ai_tuning.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_ai_tuning.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
