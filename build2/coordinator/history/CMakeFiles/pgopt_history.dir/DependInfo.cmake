
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/coordinator/history/applied.c" "coordinator/history/CMakeFiles/pgopt_history.dir/applied.c.o" "gcc" "coordinator/history/CMakeFiles/pgopt_history.dir/applied.c.o.d"
  "/work/wt/coord-shape/coordinator/history/histframe.c" "coordinator/history/CMakeFiles/pgopt_history.dir/histframe.c.o" "gcc" "coordinator/history/CMakeFiles/pgopt_history.dir/histframe.c.o.d"
  "/work/wt/coord-shape/coordinator/history/history.c" "coordinator/history/CMakeFiles/pgopt_history.dir/history.c.o" "gcc" "coordinator/history/CMakeFiles/pgopt_history.dir/history.c.o.d"
  "/work/wt/coord-shape/coordinator/history/history_cli.c" "coordinator/history/CMakeFiles/pgopt_history.dir/history_cli.c.o" "gcc" "coordinator/history/CMakeFiles/pgopt_history.dir/history_cli.c.o.d"
  "/work/wt/coord-shape/coordinator/history/verify_cli.c" "coordinator/history/CMakeFiles/pgopt_history.dir/verify_cli.c.o" "gcc" "coordinator/history/CMakeFiles/pgopt_history.dir/verify_cli.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/coordinator/collect/CMakeFiles/pgopt_collect.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/proto/CMakeFiles/pgopt_proto.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
