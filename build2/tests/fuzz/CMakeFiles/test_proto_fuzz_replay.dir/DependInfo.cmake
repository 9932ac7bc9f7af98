
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/tests/fuzz/fuzz_fail.c" "tests/fuzz/CMakeFiles/test_proto_fuzz_replay.dir/fuzz_fail.c.o" "gcc" "tests/fuzz/CMakeFiles/test_proto_fuzz_replay.dir/fuzz_fail.c.o.d"
  "/work/wt/coord-shape/tests/fuzz/replay.c" "tests/fuzz/CMakeFiles/test_proto_fuzz_replay.dir/replay.c.o" "gcc" "tests/fuzz/CMakeFiles/test_proto_fuzz_replay.dir/replay.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/coordinator/history/CMakeFiles/pgopt_history.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/proto/CMakeFiles/pgopt_proto.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/collect/CMakeFiles/pgopt_collect.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
