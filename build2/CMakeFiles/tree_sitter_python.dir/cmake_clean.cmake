file(REMOVE_RECURSE
  "CMakeFiles/tree_sitter_python.dir/.deps/tree-sitter-python-0.23.6/src/parser.c.o"
  "CMakeFiles/tree_sitter_python.dir/.deps/tree-sitter-python-0.23.6/src/parser.c.o.d"
  "CMakeFiles/tree_sitter_python.dir/.deps/tree-sitter-python-0.23.6/src/scanner.c.o"
  "CMakeFiles/tree_sitter_python.dir/.deps/tree-sitter-python-0.23.6/src/scanner.c.o.d"
  "libtree_sitter_python.a"
  "libtree_sitter_python.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/tree_sitter_python.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
