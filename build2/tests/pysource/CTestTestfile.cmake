# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/pysource
# Build directory: /work/wt/coord-shape/build2/tests/pysource
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[pysource_unit]=] "/work/wt/coord-shape/build2/bin/pysource_unit_tests")
set_tests_properties([=[pysource_unit]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/pysource/CMakeLists.txt;10;add_test;/work/wt/coord-shape/tests/pysource/CMakeLists.txt;0;")
add_test([=[pysource_grammar_verified]=] "/work/wt/coord-shape/scripts/fetch-grammar.sh" "/work/wt/coord-shape/.deps/tree-sitter-python-0.23.6")
set_tests_properties([=[pysource_grammar_verified]=] PROPERTIES  PASS_REGULAR_EXPRESSION "already present and verified" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/pysource/CMakeLists.txt;16;add_test;/work/wt/coord-shape/tests/pysource/CMakeLists.txt;0;")
