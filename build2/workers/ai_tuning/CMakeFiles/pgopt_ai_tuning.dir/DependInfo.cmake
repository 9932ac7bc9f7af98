
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/workers/ai_tuning/ai_catalog.c" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_catalog.c.o" "gcc" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_catalog.c.o.d"
  "/work/wt/coord-shape/workers/ai_tuning/ai_cause.c" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_cause.c.o" "gcc" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_cause.c.o.d"
  "/work/wt/coord-shape/workers/ai_tuning/ai_cloud.c" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_cloud.c.o" "gcc" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_cloud.c.o.d"
  "/work/wt/coord-shape/workers/ai_tuning/ai_ml.c" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_ml.c.o" "gcc" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_ml.c.o.d"
  "/work/wt/coord-shape/workers/ai_tuning/ai_predict.c" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_predict.c.o" "gcc" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_predict.c.o.d"
  "/work/wt/coord-shape/workers/ai_tuning/ai_series.c" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_series.c.o" "gcc" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_series.c.o.d"
  "/work/wt/coord-shape/workers/ai_tuning/ai_stats.c" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_stats.c.o" "gcc" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_stats.c.o.d"
  "/work/wt/coord-shape/workers/ai_tuning/ai_tuning.c" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_tuning.c.o" "gcc" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_tuning.c.o.d"
  "/work/wt/coord-shape/workers/ai_tuning/ai_workload.c" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_workload.c.o" "gcc" "workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/ai_workload.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
