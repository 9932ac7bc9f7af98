# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/history
# Build directory: /work/wt/coord-shape/build2/tests/history
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[history_store]=] "/work/wt/coord-shape/build2/bin/history_store_tests")
set_tests_properties([=[history_store]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/history/CMakeLists.txt;5;add_test;/work/wt/coord-shape/tests/history/CMakeLists.txt;0;")
add_test([=[history_cli]=] "/work/wt/coord-shape/build2/bin/history_cli_tests")
set_tests_properties([=[history_cli]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" TIMEOUT "120" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/history/CMakeLists.txt;12;add_test;/work/wt/coord-shape/tests/history/CMakeLists.txt;0;")
add_test([=[history_applied]=] "/work/wt/coord-shape/build2/bin/applied_tests")
set_tests_properties([=[history_applied]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/history/CMakeLists.txt;20;add_test;/work/wt/coord-shape/tests/history/CMakeLists.txt;0;")
