
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/workers/index_advisor/ia_candidates.c" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/ia_candidates.c.o" "gcc" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/ia_candidates.c.o.d"
  "/work/wt/coord-shape/workers/index_advisor/ia_cost.c" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/ia_cost.c.o" "gcc" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/ia_cost.c.o.d"
  "/work/wt/coord-shape/workers/index_advisor/ia_extract.c" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/ia_extract.c.o" "gcc" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/ia_extract.c.o.d"
  "/work/wt/coord-shape/workers/index_advisor/ia_report.c" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/ia_report.c.o" "gcc" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/ia_report.c.o.d"
  "/work/wt/coord-shape/workers/index_advisor/ia_schema.c" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/ia_schema.c.o" "gcc" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/ia_schema.c.o.d"
  "/work/wt/coord-shape/workers/index_advisor/ia_select.c" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/ia_select.c.o" "gcc" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/ia_select.c.o.d"
  "/work/wt/coord-shape/workers/index_advisor/index_advisor.c" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/index_advisor.c.o" "gcc" "workers/index_advisor/CMakeFiles/pgopt_index_advisor.dir/index_advisor.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
