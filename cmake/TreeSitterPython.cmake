# cmake/TreeSitterPython.cmake - the tree-sitter-python grammar as a static
# library, for pgopt's Python source parser (common/python/).
#
# Include it from the top-level CMakeLists.txt before the targets that use it:
#
#   include(${CMAKE_SOURCE_DIR}/cmake/TreeSitterPython.cmake)
#
# Defines:
#   tree_sitter_python       static library: the generated parser + scanner;
#                            its users get PGOPT_HAVE_TREE_SITTER_PYTHON and
#                            the tree-sitter runtime (PkgConfig::TREESITTER).
#   PkgConfig::TREESITTER    Debian's libtree-sitter (0.20.7, grammar ABI 13-14)
#
# The grammar sources are not in the repository: scripts/fetch-grammar.sh
# downloads the pinned release (0.23.6, ABI 14) and verifies its checksum.
include_guard(GLOBAL)

set(PGOPT_TREE_SITTER_PYTHON_DIR "${CMAKE_SOURCE_DIR}/.deps/tree-sitter-python-0.23.6"
    CACHE PATH "Directory holding the tree-sitter-python 0.23.6 sources (src/parser.c, src/scanner.c)")

if(NOT EXISTS "${PGOPT_TREE_SITTER_PYTHON_DIR}/src/parser.c"
   OR NOT EXISTS "${PGOPT_TREE_SITTER_PYTHON_DIR}/src/scanner.c")
  message(FATAL_ERROR
    "tree-sitter-python grammar not found in ${PGOPT_TREE_SITTER_PYTHON_DIR}.\n"
    "Run: ${CMAKE_SOURCE_DIR}/scripts/fetch-grammar.sh\n"
    "(it needs npm: apt-get install npm), or point -DPGOPT_TREE_SITTER_PYTHON_DIR= at an unpacked copy.")
endif()

find_package(PkgConfig REQUIRED)
# GLOBAL: the imported target must be visible to every directory, wherever
# this file happens to be included from.
pkg_check_modules(TREESITTER REQUIRED IMPORTED_TARGET GLOBAL tree-sitter)

add_library(tree_sitter_python STATIC
            "${PGOPT_TREE_SITTER_PYTHON_DIR}/src/parser.c"
            "${PGOPT_TREE_SITTER_PYTHON_DIR}/src/scanner.c")
target_include_directories(tree_sitter_python PRIVATE "${PGOPT_TREE_SITTER_PYTHON_DIR}/src")
# Generated code: not ours to fix, so no warnings (and -Werror cannot trip).
target_compile_options(tree_sitter_python PRIVATE -w)
set_target_properties(tree_sitter_python PROPERTIES
                      C_STANDARD 11 C_STANDARD_REQUIRED ON POSITION_INDEPENDENT_CODE ON)
target_compile_definitions(tree_sitter_python INTERFACE PGOPT_HAVE_TREE_SITTER_PYTHON)
target_link_libraries(tree_sitter_python PUBLIC PkgConfig::TREESITTER)
