
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/coordinator/collect/codedir.c" "coordinator/collect/CMakeFiles/pgopt_collect.dir/codedir.c.o" "gcc" "coordinator/collect/CMakeFiles/pgopt_collect.dir/codedir.c.o.d"
  "/work/wt/coord-shape/coordinator/collect/collect.c" "coordinator/collect/CMakeFiles/pgopt_collect.dir/collect.c.o" "gcc" "coordinator/collect/CMakeFiles/pgopt_collect.dir/collect.c.o.d"
  "/work/wt/coord-shape/coordinator/collect/host.c" "coordinator/collect/CMakeFiles/pgopt_collect.dir/host.c.o" "gcc" "coordinator/collect/CMakeFiles/pgopt_collect.dir/host.c.o.d"
  "/work/wt/coord-shape/coordinator/collect/pgbouncer_ini.c" "coordinator/collect/CMakeFiles/pgopt_collect.dir/pgbouncer_ini.c.o" "gcc" "coordinator/collect/CMakeFiles/pgopt_collect.dir/pgbouncer_ini.c.o.d"
  "/work/wt/coord-shape/coordinator/collect/pgjson.c" "coordinator/collect/CMakeFiles/pgopt_collect.dir/pgjson.c.o" "gcc" "coordinator/collect/CMakeFiles/pgopt_collect.dir/pgjson.c.o.d"
  "/work/wt/coord-shape/coordinator/collect/planprint.c" "coordinator/collect/CMakeFiles/pgopt_collect.dir/planprint.c.o" "gcc" "coordinator/collect/CMakeFiles/pgopt_collect.dir/planprint.c.o.d"
  "/work/wt/coord-shape/coordinator/collect/redact.c" "coordinator/collect/CMakeFiles/pgopt_collect.dir/redact.c.o" "gcc" "coordinator/collect/CMakeFiles/pgopt_collect.dir/redact.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
