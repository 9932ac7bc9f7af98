# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/proto
# Build directory: /work/wt/coord-shape/build2/tests/proto
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[proto_agents]=] "/work/wt/coord-shape/build2/bin/test_proto_agents")
set_tests_properties([=[proto_agents]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/proto/CMakeLists.txt;7;add_test;/work/wt/coord-shape/tests/proto/CMakeLists.txt;0;")
add_test([=[proto_codec]=] "/work/wt/coord-shape/build2/bin/test_proto_codec")
set_tests_properties([=[proto_codec]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/proto/CMakeLists.txt;7;add_test;/work/wt/coord-shape/tests/proto/CMakeLists.txt;0;")
add_test([=[proto_message]=] "/work/wt/coord-shape/build2/bin/test_proto_message")
set_tests_properties([=[proto_message]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/proto/CMakeLists.txt;7;add_test;/work/wt/coord-shape/tests/proto/CMakeLists.txt;0;")
add_test([=[proto_result_schema]=] "/work/wt/coord-shape/build2/bin/test_proto_result_schema")
set_tests_properties([=[proto_result_schema]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/proto/CMakeLists.txt;7;add_test;/work/wt/coord-shape/tests/proto/CMakeLists.txt;0;")
add_test([=[proto_snapshot]=] "/work/wt/coord-shape/build2/bin/test_proto_snapshot")
set_tests_properties([=[proto_snapshot]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/proto/CMakeLists.txt;7;add_test;/work/wt/coord-shape/tests/proto/CMakeLists.txt;0;")
