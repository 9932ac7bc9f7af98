# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/liveness
# Build directory: /work/wt/coord-shape/build2/tests/liveness
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[liveness_code_agents]=] "/work/wt/coord-shape/build2/bin/test_liveness" "test_code_agents_beat")
set_tests_properties([=[liveness_code_agents]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" TIMEOUT "900" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/liveness/CMakeLists.txt;9;add_test;/work/wt/coord-shape/tests/liveness/CMakeLists.txt;0;")
add_test([=[liveness_index_advisor]=] "/work/wt/coord-shape/build2/bin/test_liveness" "test_index_advisor_slow_link")
set_tests_properties([=[liveness_index_advisor]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" TIMEOUT "900" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/liveness/CMakeLists.txt;12;add_test;/work/wt/coord-shape/tests/liveness/CMakeLists.txt;0;")
add_test([=[liveness_ai_tuning]=] "/work/wt/coord-shape/build2/bin/test_liveness" "test_ai_tuning_loops_beat")
set_tests_properties([=[liveness_ai_tuning]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/liveness/CMakeLists.txt;16;add_test;/work/wt/coord-shape/tests/liveness/CMakeLists.txt;0;")
