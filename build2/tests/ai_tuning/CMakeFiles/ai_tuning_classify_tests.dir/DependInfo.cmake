
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/tests/ai_tuning/test_classify_pg.c" "tests/ai_tuning/CMakeFiles/ai_tuning_classify_tests.dir/test_classify_pg.c.o" "gcc" "tests/ai_tuning/CMakeFiles/ai_tuning_classify_tests.dir/test_classify_pg.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/workers/ai_tuning/CMakeFiles/pgopt_ai_tuning.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/CMakeFiles/pgopt_coordinator.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/tests/support/CMakeFiles/pgopt_testsupport.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/fleet/CMakeFiles/pgopt_fleet.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/report/CMakeFiles/pgopt_report.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/history/CMakeFiles/pgopt_history.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/collect/CMakeFiles/pgopt_collect.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/proto/CMakeFiles/pgopt_proto.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
