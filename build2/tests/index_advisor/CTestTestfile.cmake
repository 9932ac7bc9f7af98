# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/index_advisor
# Build directory: /work/wt/coord-shape/build2/tests/index_advisor
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[index_advisor_unit]=] "/work/wt/coord-shape/build2/bin/index_advisor_unit_tests")
set_tests_properties([=[index_advisor_unit]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/index_advisor/CMakeLists.txt;6;add_test;/work/wt/coord-shape/tests/index_advisor/CMakeLists.txt;0;")
add_test([=[index_advisor_select]=] "/work/wt/coord-shape/build2/bin/index_advisor_select_tests")
set_tests_properties([=[index_advisor_select]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/index_advisor/CMakeLists.txt;12;add_test;/work/wt/coord-shape/tests/index_advisor/CMakeLists.txt;0;")
add_test([=[index_advisor_integration]=] "/work/wt/coord-shape/build2/bin/index_advisor_integration_tests")
set_tests_properties([=[index_advisor_integration]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/index_advisor/CMakeLists.txt;18;add_test;/work/wt/coord-shape/tests/index_advisor/CMakeLists.txt;0;")
add_test([=[index_advisor_params]=] "/work/wt/coord-shape/build2/bin/index_advisor_params_tests")
set_tests_properties([=[index_advisor_params]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/index_advisor/CMakeLists.txt;30;add_test;/work/wt/coord-shape/tests/index_advisor/CMakeLists.txt;0;")
add_test([=[index_advisor_frozen]=] "/work/wt/coord-shape/build2/bin/index_advisor_frozen_tests")
set_tests_properties([=[index_advisor_frozen]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" TIMEOUT "180" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/index_advisor/CMakeLists.txt;42;add_test;/work/wt/coord-shape/tests/index_advisor/CMakeLists.txt;0;")
add_test([=[index_advisor_fill]=] "/work/wt/coord-shape/build2/bin/index_advisor_fill_tests")
set_tests_properties([=[index_advisor_fill]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/index_advisor/CMakeLists.txt;52;add_test;/work/wt/coord-shape/tests/index_advisor/CMakeLists.txt;0;")
