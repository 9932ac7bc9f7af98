# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/collect
# Build directory: /work/wt/coord-shape/build2/tests/collect
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[collect_parse]=] "/work/wt/coord-shape/build2/bin/test_collect_parse")
set_tests_properties([=[collect_parse]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/collect/CMakeLists.txt;11;add_test;/work/wt/coord-shape/tests/collect/CMakeLists.txt;0;")
add_test([=[collect_codedir]=] "/work/wt/coord-shape/build2/bin/test_collect_codedir")
set_tests_properties([=[collect_codedir]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/collect/CMakeLists.txt;11;add_test;/work/wt/coord-shape/tests/collect/CMakeLists.txt;0;")
add_test([=[collect_host]=] "/work/wt/coord-shape/build2/bin/test_collect_host")
set_tests_properties([=[collect_host]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/collect/CMakeLists.txt;11;add_test;/work/wt/coord-shape/tests/collect/CMakeLists.txt;0;")
add_test([=[collect_schema]=] "/work/wt/coord-shape/build2/bin/test_collect_schema")
set_tests_properties([=[collect_schema]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/collect/CMakeLists.txt;18;add_test;/work/wt/coord-shape/tests/collect/CMakeLists.txt;0;")
add_test([=[collect_roles]=] "/work/wt/coord-shape/build2/bin/test_collect_roles")
set_tests_properties([=[collect_roles]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/collect/CMakeLists.txt;18;add_test;/work/wt/coord-shape/tests/collect/CMakeLists.txt;0;")
add_test([=[collect_errors]=] "/work/wt/coord-shape/build2/bin/test_collect_errors")
set_tests_properties([=[collect_errors]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/collect/CMakeLists.txt;18;add_test;/work/wt/coord-shape/tests/collect/CMakeLists.txt;0;")
add_test([=[collect_marked]=] "/work/wt/coord-shape/build2/bin/test_collect_marked")
set_tests_properties([=[collect_marked]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/collect/CMakeLists.txt;18;add_test;/work/wt/coord-shape/tests/collect/CMakeLists.txt;0;")
add_test([=[collect_redact]=] "/work/wt/coord-shape/build2/bin/test_collect_redact")
set_tests_properties([=[collect_redact]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/collect/CMakeLists.txt;18;add_test;/work/wt/coord-shape/tests/collect/CMakeLists.txt;0;")
add_test([=[collect_frozen]=] "/work/wt/coord-shape/build2/bin/test_collect_frozen")
set_tests_properties([=[collect_frozen]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape;PGOPT_TEST_PGENV=/work/wt/coord-shape/build2/pgsandbox/env" FIXTURES_REQUIRED "pg" TIMEOUT "120" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/collect/CMakeLists.txt;34;add_test;/work/wt/coord-shape/tests/collect/CMakeLists.txt;0;")
add_test([=[collect_pgbouncer_ini]=] "/work/wt/coord-shape/build2/bin/test_collect_pgbouncer_ini")
set_tests_properties([=[collect_pgbouncer_ini]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/collect/CMakeLists.txt;42;add_test;/work/wt/coord-shape/tests/collect/CMakeLists.txt;0;")
