# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/report
# Build directory: /work/wt/coord-shape/build2/tests/report
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[report_text]=] "/work/wt/coord-shape/build2/bin/test_report_text")
set_tests_properties([=[report_text]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/report/CMakeLists.txt;8;add_test;/work/wt/coord-shape/tests/report/CMakeLists.txt;0;")
add_test([=[report_html]=] "/work/wt/coord-shape/build2/bin/test_report_html")
set_tests_properties([=[report_html]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" SKIP_RETURN_CODE "77" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/report/CMakeLists.txt;15;add_test;/work/wt/coord-shape/tests/report/CMakeLists.txt;0;")
add_test([=[report_sql]=] "/work/wt/coord-shape/build2/bin/test_report_sql")
set_tests_properties([=[report_sql]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/report/CMakeLists.txt;25;add_test;/work/wt/coord-shape/tests/report/CMakeLists.txt;0;")
