
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/coordinator/fleet/embedded.c" "coordinator/fleet/CMakeFiles/pgopt_fleet.dir/embedded.c.o" "gcc" "coordinator/fleet/CMakeFiles/pgopt_fleet.dir/embedded.c.o.d"
  "/work/wt/coord-shape/coordinator/fleet/fleet.c" "coordinator/fleet/CMakeFiles/pgopt_fleet.dir/fleet.c.o" "gcc" "coordinator/fleet/CMakeFiles/pgopt_fleet.dir/fleet.c.o.d"
  "/work/wt/coord-shape/coordinator/fleet/keygen.c" "coordinator/fleet/CMakeFiles/pgopt_fleet.dir/keygen.c.o" "gcc" "coordinator/fleet/CMakeFiles/pgopt_fleet.dir/keygen.c.o.d"
  "/work/wt/coord-shape/coordinator/fleet/phase3.c" "coordinator/fleet/CMakeFiles/pgopt_fleet.dir/phase3.c.o" "gcc" "coordinator/fleet/CMakeFiles/pgopt_fleet.dir/phase3.c.o.d"
  "/work/wt/coord-shape/coordinator/fleet/ping.c" "coordinator/fleet/CMakeFiles/pgopt_fleet.dir/ping.c.o" "gcc" "coordinator/fleet/CMakeFiles/pgopt_fleet.dir/ping.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/proto/CMakeFiles/pgopt_proto.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
