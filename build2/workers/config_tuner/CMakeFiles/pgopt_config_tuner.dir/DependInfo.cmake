
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/workers/config_tuner/config_tuner.c" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/config_tuner.c.o" "gcc" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/config_tuner.c.o.d"
  "/work/wt/coord-shape/workers/config_tuner/ct_pools.c" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/ct_pools.c.o" "gcc" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/ct_pools.c.o.d"
  "/work/wt/coord-shape/workers/config_tuner/ct_script.c" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/ct_script.c.o" "gcc" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/ct_script.c.o.d"
  "/work/wt/coord-shape/workers/config_tuner/ct_util.c" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/ct_util.c.o" "gcc" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/ct_util.c.o.d"
  "/work/wt/coord-shape/workers/config_tuner/ct_vacuum.c" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/ct_vacuum.c.o" "gcc" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/ct_vacuum.c.o.d"
  "/work/wt/coord-shape/workers/config_tuner/pgtune.c" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/pgtune.c.o" "gcc" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/pgtune.c.o.d"
  "/work/wt/coord-shape/workers/config_tuner/sqla_engines.c" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/sqla_engines.c.o" "gcc" "workers/config_tuner/CMakeFiles/pgopt_config_tuner.dir/sqla_engines.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/common/python/CMakeFiles/pgopt_python.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/CMakeFiles/tree_sitter_python.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
