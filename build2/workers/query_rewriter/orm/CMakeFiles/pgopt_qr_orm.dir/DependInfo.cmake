
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/workers/query_rewriter/orm/sqla_models.c" "workers/query_rewriter/orm/CMakeFiles/pgopt_qr_orm.dir/sqla_models.c.o" "gcc" "workers/query_rewriter/orm/CMakeFiles/pgopt_qr_orm.dir/sqla_models.c.o.d"
  "/work/wt/coord-shape/workers/query_rewriter/orm/sqla_patterns.c" "workers/query_rewriter/orm/CMakeFiles/pgopt_qr_orm.dir/sqla_patterns.c.o" "gcc" "workers/query_rewriter/orm/CMakeFiles/pgopt_qr_orm.dir/sqla_patterns.c.o.d"
  "/work/wt/coord-shape/workers/query_rewriter/orm/sqla_perloop.c" "workers/query_rewriter/orm/CMakeFiles/pgopt_qr_orm.dir/sqla_perloop.c.o" "gcc" "workers/query_rewriter/orm/CMakeFiles/pgopt_qr_orm.dir/sqla_perloop.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/common/python/CMakeFiles/pgopt_python.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  "/work/wt/coord-shape/build2/CMakeFiles/tree_sitter_python.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
