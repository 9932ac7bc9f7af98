# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/fuzz
# Build directory: /work/wt/coord-shape/build2/tests/fuzz
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[proto_fuzz_corpus_replay]=] "/work/wt/coord-shape/build2/bin/test_proto_fuzz_replay" "/work/wt/coord-shape/tests/fuzz/corpus" "5000")
set_tests_properties([=[proto_fuzz_corpus_replay]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/fuzz/CMakeLists.txt;26;add_test;/work/wt/coord-shape/tests/fuzz/CMakeLists.txt;0;")
