
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/workers/query_rewriter/qr_catalog.c" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_catalog.c.o" "gcc" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_catalog.c.o.d"
  "/work/wt/coord-shape/workers/query_rewriter/qr_code.c" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_code.c.o" "gcc" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_code.c.o.d"
  "/work/wt/coord-shape/workers/query_rewriter/qr_n1.c" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_n1.c.o" "gcc" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_n1.c.o.d"
  "/work/wt/coord-shape/workers/query_rewriter/qr_params.c" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_params.c.o" "gcc" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_params.c.o.d"
  "/work/wt/coord-shape/workers/query_rewriter/qr_rules.c" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_rules.c.o" "gcc" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_rules.c.o.d"
  "/work/wt/coord-shape/workers/query_rewriter/qr_rules_check.c" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_rules_check.c.o" "gcc" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_rules_check.c.o.d"
  "/work/wt/coord-shape/workers/query_rewriter/qr_rules_pred.c" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_rules_pred.c.o" "gcc" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_rules_pred.c.o.d"
  "/work/wt/coord-shape/workers/query_rewriter/qr_rules_shape.c" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_rules_shape.c.o" "gcc" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_rules_shape.c.o.d"
  "/work/wt/coord-shape/workers/query_rewriter/qr_tree.c" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_tree.c.o" "gcc" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/qr_tree.c.o.d"
  "/work/wt/coord-shape/workers/query_rewriter/query_rewriter.c" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/query_rewriter.c.o" "gcc" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/query_rewriter.c.o.d"
  "/work/wt/coord-shape/workers/query_rewriter/verify.c" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/verify.c.o" "gcc" "workers/query_rewriter/CMakeFiles/pgopt_query_rewriter.dir/verify.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/workers/query_rewriter/orm/CMakeFiles/pgopt_qr_orm.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/common/python/CMakeFiles/pgopt_python.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/CMakeFiles/tree_sitter_python.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
