# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/common
# Build directory: /work/wt/coord-shape/build2/tests/common
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[common_escape]=] "/work/wt/coord-shape/build2/bin/test_common_escape")
set_tests_properties([=[common_escape]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/common/CMakeLists.txt;9;add_test;/work/wt/coord-shape/tests/common/CMakeLists.txt;0;")
add_test([=[common_jsonout]=] "/work/wt/coord-shape/build2/bin/test_common_jsonout")
set_tests_properties([=[common_jsonout]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/common/CMakeLists.txt;9;add_test;/work/wt/coord-shape/tests/common/CMakeLists.txt;0;")
add_test([=[common_numparse]=] "/work/wt/coord-shape/build2/bin/test_common_numparse")
set_tests_properties([=[common_numparse]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/common/CMakeLists.txt;9;add_test;/work/wt/coord-shape/tests/common/CMakeLists.txt;0;")
add_test([=[common_sqlparse]=] "/work/wt/coord-shape/build2/bin/common_sqlparse_tests")
set_tests_properties([=[common_sqlparse]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/common/CMakeLists.txt;18;add_test;/work/wt/coord-shape/tests/common/CMakeLists.txt;0;")
add_test([=[common_steptest]=] "/work/wt/coord-shape/build2/bin/common_steptest_tests")
set_tests_properties([=[common_steptest]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/common/CMakeLists.txt;25;add_test;/work/wt/coord-shape/tests/common/CMakeLists.txt;0;")
add_test([=[common_provider]=] "/work/wt/coord-shape/build2/bin/common_provider_tests")
set_tests_properties([=[common_provider]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/common/CMakeLists.txt;30;add_test;/work/wt/coord-shape/tests/common/CMakeLists.txt;0;")
add_test([=[common_outfile]=] "/work/wt/coord-shape/build2/bin/test_common_outfile")
set_tests_properties([=[common_outfile]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/common/CMakeLists.txt;39;add_test;/work/wt/coord-shape/tests/common/CMakeLists.txt;0;")
