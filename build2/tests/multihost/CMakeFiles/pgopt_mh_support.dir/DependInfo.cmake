
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/tests/multihost/mh_support.c" "tests/multihost/CMakeFiles/pgopt_mh_support.dir/mh_support.c.o" "gcc" "tests/multihost/CMakeFiles/pgopt_mh_support.dir/mh_support.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/proto/CMakeFiles/pgopt_proto.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/tests/support/CMakeFiles/pgopt_testsupport.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
