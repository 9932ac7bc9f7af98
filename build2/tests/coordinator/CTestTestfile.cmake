# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/coordinator
# Build directory: /work/wt/coord-shape/build2/tests/coordinator
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[coordinator_config_file]=] "/work/wt/coord-shape/build2/bin/test_config_file")
set_tests_properties([=[coordinator_config_file]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/coordinator/CMakeLists.txt;5;add_test;/work/wt/coord-shape/tests/coordinator/CMakeLists.txt;0;")
add_test([=[coordinator_analysis]=] "/work/wt/coord-shape/build2/bin/test_analysis")
set_tests_properties([=[coordinator_analysis]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/coordinator/CMakeLists.txt;13;add_test;/work/wt/coord-shape/tests/coordinator/CMakeLists.txt;0;")
