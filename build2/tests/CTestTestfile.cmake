# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests
# Build directory: /work/wt/coord-shape/build2/tests
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[pg_sandbox_start]=] "/work/wt/coord-shape/scripts/pg-sandbox.sh" "start" "/work/wt/coord-shape/build2/pgsandbox")
set_tests_properties([=[pg_sandbox_start]=] PROPERTIES  FIXTURES_SETUP "pg" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/CMakeLists.txt;14;add_test;/work/wt/coord-shape/tests/CMakeLists.txt;0;")
add_test([=[pg_sandbox_stop]=] "/work/wt/coord-shape/scripts/pg-sandbox.sh" "stop" "/work/wt/coord-shape/build2/pgsandbox")
set_tests_properties([=[pg_sandbox_stop]=] PROPERTIES  FIXTURES_CLEANUP "pg" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/CMakeLists.txt;17;add_test;/work/wt/coord-shape/tests/CMakeLists.txt;0;")
subdirs("support")
subdirs("agent")
subdirs("ai_tuning")
subdirs("collect")
subdirs("common")
subdirs("config_tuner")
subdirs("coordinator")
subdirs("deploy")
subdirs("fleet")
subdirs("fuzz")
subdirs("history")
subdirs("index_advisor")
subdirs("liveness")
subdirs("multihost")
subdirs("proto")
subdirs("pysource")
subdirs("query_rewriter")
subdirs("query_rewriter_code")
subdirs("report")
subdirs("runtime")
