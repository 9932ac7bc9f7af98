
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/coordinator/report/progress.c" "coordinator/report/CMakeFiles/pgopt_report.dir/progress.c.o" "gcc" "coordinator/report/CMakeFiles/pgopt_report.dir/progress.c.o.d"
  "/work/wt/coord-shape/coordinator/report/report.c" "coordinator/report/CMakeFiles/pgopt_report.dir/report.c.o" "gcc" "coordinator/report/CMakeFiles/pgopt_report.dir/report.c.o.d"
  "/work/wt/coord-shape/coordinator/report/report_cli.c" "coordinator/report/CMakeFiles/pgopt_report.dir/report_cli.c.o" "gcc" "coordinator/report/CMakeFiles/pgopt_report.dir/report_cli.c.o.d"
  "/work/wt/coord-shape/coordinator/report/report_html.c" "coordinator/report/CMakeFiles/pgopt_report.dir/report_html.c.o" "gcc" "coordinator/report/CMakeFiles/pgopt_report.dir/report_html.c.o.d"
  "/work/wt/coord-shape/coordinator/report/report_sql.c" "coordinator/report/CMakeFiles/pgopt_report.dir/report_sql.c.o" "gcc" "coordinator/report/CMakeFiles/pgopt_report.dir/report_sql.c.o.d"
  "/work/wt/coord-shape/coordinator/report/report_text.c" "coordinator/report/CMakeFiles/pgopt_report.dir/report_text.c.o" "gcc" "coordinator/report/CMakeFiles/pgopt_report.dir/report_text.c.o.d"
  "/work/wt/coord-shape/coordinator/report/textdiff.c" "coordinator/report/CMakeFiles/pgopt_report.dir/textdiff.c.o" "gcc" "coordinator/report/CMakeFiles/pgopt_report.dir/textdiff.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/history/CMakeFiles/pgopt_history.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/proto/CMakeFiles/pgopt_proto.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/coordinator/collect/CMakeFiles/pgopt_collect.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
