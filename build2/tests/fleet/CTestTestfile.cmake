# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/fleet
# Build directory: /work/wt/coord-shape/build2/tests/fleet
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[fleet_integration]=] "/work/wt/coord-shape/build2/bin/test_fleet")
set_tests_properties([=[fleet_integration]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/fleet/CMakeLists.txt;5;add_test;/work/wt/coord-shape/tests/fleet/CMakeLists.txt;0;")
add_test([=[fleet_endpoints]=] "/work/wt/coord-shape/build2/bin/test_fleet_endpoints")
set_tests_properties([=[fleet_endpoints]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/fleet/CMakeLists.txt;11;add_test;/work/wt/coord-shape/tests/fleet/CMakeLists.txt;0;")
