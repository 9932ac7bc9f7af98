# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/query_rewriter
# Build directory: /work/wt/coord-shape/build2/tests/query_rewriter
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[query_rewriter_corpus]=] "/work/wt/coord-shape/build2/bin/query_rewriter_corpus_tests")
set_tests_properties([=[query_rewriter_corpus]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/query_rewriter/CMakeLists.txt;7;add_test;/work/wt/coord-shape/tests/query_rewriter/CMakeLists.txt;0;")
add_test([=[query_rewriter_integration]=] "/work/wt/coord-shape/build2/bin/query_rewriter_integration_tests")
set_tests_properties([=[query_rewriter_integration]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/query_rewriter/CMakeLists.txt;13;add_test;/work/wt/coord-shape/tests/query_rewriter/CMakeLists.txt;0;")
