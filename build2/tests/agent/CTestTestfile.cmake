# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/agent
# Build directory: /work/wt/coord-shape/build2/tests/agent
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[agent_options]=] "/work/wt/coord-shape/build2/bin/test_agent_options")
set_tests_properties([=[agent_options]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" TIMEOUT "180" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/agent/CMakeLists.txt;7;add_test;/work/wt/coord-shape/tests/agent/CMakeLists.txt;0;")
add_test([=[agent_contract]=] "/work/wt/coord-shape/build2/bin/test_agent_contract")
set_tests_properties([=[agent_contract]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/agent/CMakeLists.txt;15;add_test;/work/wt/coord-shape/tests/agent/CMakeLists.txt;0;")
