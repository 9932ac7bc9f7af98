# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/ai_tuning
# Build directory: /work/wt/coord-shape/build2/tests/ai_tuning
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[ai_tuning_unit]=] "/work/wt/coord-shape/build2/bin/ai_tuning_unit_tests")
set_tests_properties([=[ai_tuning_unit]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/ai_tuning/CMakeLists.txt;11;add_test;/work/wt/coord-shape/tests/ai_tuning/CMakeLists.txt;0;")
add_test([=[ai_tuning_classify]=] "/work/wt/coord-shape/build2/bin/ai_tuning_classify_tests")
set_tests_properties([=[ai_tuning_classify]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/ai_tuning/CMakeLists.txt;18;add_test;/work/wt/coord-shape/tests/ai_tuning/CMakeLists.txt;0;")
add_test([=[ai_tuning_attribution]=] "/work/wt/coord-shape/build2/bin/ai_tuning_attribution_tests")
set_tests_properties([=[ai_tuning_attribution]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/ai_tuning/CMakeLists.txt;30;add_test;/work/wt/coord-shape/tests/ai_tuning/CMakeLists.txt;0;")
