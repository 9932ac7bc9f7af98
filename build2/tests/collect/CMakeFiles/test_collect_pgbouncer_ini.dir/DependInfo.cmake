
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/tests/collect/test_pgbouncer_ini.c" "tests/collect/CMakeFiles/test_collect_pgbouncer_ini.dir/test_pgbouncer_ini.c.o" "gcc" "tests/collect/CMakeFiles/test_collect_pgbouncer_ini.dir/test_pgbouncer_ini.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/coordinator/collect/CMakeFiles/pgopt_collect.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
