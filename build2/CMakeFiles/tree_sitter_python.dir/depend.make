# Empty dependencies file for tree_sitter_python.
# This may be replaced when dependencies are built.
