
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/workers/query_rewriter/main.c" "workers/query_rewriter/CMakeFiles/pgopt-query-rewriter.dir/main.c.o" "gcc" "workers/query_rewriter/CMakeFiles/pgopt-query-rewriter.dir/main.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/workers/runtime/CMakeFiles/pgopt_worker_runtime.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/workers/query_rewriter/orm/CMakeFiles/pgopt_qr_orm.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/common/python/CMakeFiles/pgopt_python.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/CMakeFiles/tree_sitter_python.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/proto/CMakeFiles/pgopt_proto.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
