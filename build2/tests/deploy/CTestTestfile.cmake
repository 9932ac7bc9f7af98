# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/deploy
# Build directory: /work/wt/coord-shape/build2/tests/deploy
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[deploy_validate]=] "/work/wt/coord-shape/tests/deploy/validate_deploy.sh")
set_tests_properties([=[deploy_validate]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" SKIP_RETURN_CODE "77" TIMEOUT "120" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/deploy/CMakeLists.txt;2;add_test;/work/wt/coord-shape/tests/deploy/CMakeLists.txt;0;")
