# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/query_rewriter_code
# Build directory: /work/wt/coord-shape/build2/tests/query_rewriter_code
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[query_rewriter_code]=] "/work/wt/coord-shape/build2/bin/query_rewriter_code_tests")
set_tests_properties([=[query_rewriter_code]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/query_rewriter_code/CMakeLists.txt;9;add_test;/work/wt/coord-shape/tests/query_rewriter_code/CMakeLists.txt;0;")
add_test([=[query_rewriter_code_differential]=] "/usr/bin/python3" "/work/wt/coord-shape/tests/query_rewriter_code/differential/run.py" "/work/wt/coord-shape/build2/bin/orm_findings")
set_tests_properties([=[query_rewriter_code_differential]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/query_rewriter_code/CMakeLists.txt;20;add_test;/work/wt/coord-shape/tests/query_rewriter_code/CMakeLists.txt;0;")
add_test([=[query_rewriter_real]=] "/work/wt/coord-shape/build2/bin/query_rewriter_real_tests")
set_tests_properties([=[query_rewriter_real]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/query_rewriter_code/CMakeLists.txt;33;add_test;/work/wt/coord-shape/tests/query_rewriter_code/CMakeLists.txt;0;")
add_test([=[orm_real_tools]=] "bash" "/work/wt/coord-shape/bench/orm/real/selftest.sh" "/work/wt/coord-shape/build2/bin")
set_tests_properties([=[orm_real_tools]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/query_rewriter_code/CMakeLists.txt;38;add_test;/work/wt/coord-shape/tests/query_rewriter_code/CMakeLists.txt;0;")
add_test([=[query_rewriter_code_safety]=] "/work/wt/coord-shape/build2/bin/query_rewriter_code_safety_tests")
set_tests_properties([=[query_rewriter_code_safety]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/query_rewriter_code/CMakeLists.txt;46;add_test;/work/wt/coord-shape/tests/query_rewriter_code/CMakeLists.txt;0;")
