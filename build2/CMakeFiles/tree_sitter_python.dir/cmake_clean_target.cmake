file(REMOVE_RECURSE
  "libtree_sitter_python.a"
)
