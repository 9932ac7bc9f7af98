# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/multihost
# Build directory: /work/wt/coord-shape/build2/tests/multihost
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[multihost_curve]=] "/work/wt/coord-shape/build2/bin/test_curve")
set_tests_properties([=[multihost_curve]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" TIMEOUT "180" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/multihost/CMakeLists.txt;15;add_test;/work/wt/coord-shape/tests/multihost/CMakeLists.txt;0;")
add_test([=[multihost_netns]=] "/work/wt/coord-shape/tests/multihost/multihost_netns.sh")
set_tests_properties([=[multihost_netns]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" RUN_SERIAL "TRUE" SKIP_RETURN_CODE "77" TIMEOUT "900" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/multihost/CMakeLists.txt;20;add_test;/work/wt/coord-shape/tests/multihost/CMakeLists.txt;0;")
