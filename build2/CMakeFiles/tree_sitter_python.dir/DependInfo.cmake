
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/.deps/tree-sitter-python-0.23.6/src/parser.c" "CMakeFiles/tree_sitter_python.dir/.deps/tree-sitter-python-0.23.6/src/parser.c.o" "gcc" "CMakeFiles/tree_sitter_python.dir/.deps/tree-sitter-python-0.23.6/src/parser.c.o.d"
  "/work/wt/coord-shape/.deps/tree-sitter-python-0.23.6/src/scanner.c" "CMakeFiles/tree_sitter_python.dir/.deps/tree-sitter-python-0.23.6/src/scanner.c.o" "gcc" "CMakeFiles/tree_sitter_python.dir/.deps/tree-sitter-python-0.23.6/src/scanner.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
