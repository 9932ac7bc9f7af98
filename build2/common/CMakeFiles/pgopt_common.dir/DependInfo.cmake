
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/common/alloc.c" "common/CMakeFiles/pgopt_common.dir/alloc.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/alloc.c.o.d"
  "/work/wt/coord-shape/common/clock.c" "common/CMakeFiles/pgopt_common.dir/clock.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/clock.c.o.d"
  "/work/wt/coord-shape/common/error.c" "common/CMakeFiles/pgopt_common.dir/error.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/error.c.o.d"
  "/work/wt/coord-shape/common/escape.c" "common/CMakeFiles/pgopt_common.dir/escape.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/escape.c.o.d"
  "/work/wt/coord-shape/common/jsonout.c" "common/CMakeFiles/pgopt_common.dir/jsonout.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/jsonout.c.o.d"
  "/work/wt/coord-shape/common/log.c" "common/CMakeFiles/pgopt_common.dir/log.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/log.c.o.d"
  "/work/wt/coord-shape/common/numparse.c" "common/CMakeFiles/pgopt_common.dir/numparse.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/numparse.c.o.d"
  "/work/wt/coord-shape/common/outfile.c" "common/CMakeFiles/pgopt_common.dir/outfile.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/outfile.c.o.d"
  "/work/wt/coord-shape/common/pgconn.c" "common/CMakeFiles/pgopt_common.dir/pgconn.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/pgconn.c.o.d"
  "/work/wt/coord-shape/common/pgmark.c" "common/CMakeFiles/pgopt_common.dir/pgmark.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/pgmark.c.o.d"
  "/work/wt/coord-shape/common/progress.c" "common/CMakeFiles/pgopt_common.dir/progress.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/progress.c.o.d"
  "/work/wt/coord-shape/common/provider.c" "common/CMakeFiles/pgopt_common.dir/provider.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/provider.c.o.d"
  "/work/wt/coord-shape/common/sqlparams.c" "common/CMakeFiles/pgopt_common.dir/sqlparams.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/sqlparams.c.o.d"
  "/work/wt/coord-shape/common/sqlparse.c" "common/CMakeFiles/pgopt_common.dir/sqlparse.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/sqlparse.c.o.d"
  "/work/wt/coord-shape/common/steptest.c" "common/CMakeFiles/pgopt_common.dir/steptest.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/steptest.c.o.d"
  "/work/wt/coord-shape/common/strbuf.c" "common/CMakeFiles/pgopt_common.dir/strbuf.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/strbuf.c.o.d"
  "/work/wt/coord-shape/common/whatif.c" "common/CMakeFiles/pgopt_common.dir/whatif.c.o" "gcc" "common/CMakeFiles/pgopt_common.dir/whatif.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
