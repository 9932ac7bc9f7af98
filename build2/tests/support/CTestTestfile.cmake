# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/support
# Build directory: /work/wt/coord-shape/build2/tests/support
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[tests_shared_cluster_resets]=] "sh" "/work/wt/coord-shape/tests/support/check_shared_cluster.sh" "/work/wt/coord-shape")
set_tests_properties([=[tests_shared_cluster_resets]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/support/CMakeLists.txt;6;add_test;/work/wt/coord-shape/tests/support/CMakeLists.txt;0;")
