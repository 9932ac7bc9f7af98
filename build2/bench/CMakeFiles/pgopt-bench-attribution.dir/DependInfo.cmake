
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/bench/ai_attribution_bench.c" "bench/CMakeFiles/pgopt-bench-attribution.dir/ai_attribution_bench.c.o" "gcc" "bench/CMakeFiles/pgopt-bench-attribution.dir/ai_attribution_bench.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/tests/ai_tuning/CMakeFiles/pgopt_planted_pg.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/CMakeFiles/pgopt_coordinator.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/fleet/CMakeFiles/pgopt_fleet.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/report/CMakeFiles/pgopt_report.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/history/CMakeFiles/pgopt_history.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/collect/CMakeFiles/pgopt_collect.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/proto/CMakeFiles/pgopt_proto.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/tests/support/CMakeFiles/pgopt_testsupport.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
