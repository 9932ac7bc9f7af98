# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/tests/config_tuner
# Build directory: /work/wt/coord-shape/build2/tests/config_tuner
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[config_tuner_pgtune]=] "/work/wt/coord-shape/build2/bin/config_tuner_pgtune_tests")
set_tests_properties([=[config_tuner_pgtune]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/config_tuner/CMakeLists.txt;6;add_test;/work/wt/coord-shape/tests/config_tuner/CMakeLists.txt;0;")
add_test([=[config_tuner_sqla_engines]=] "/work/wt/coord-shape/build2/bin/config_tuner_sqla_engines_tests")
set_tests_properties([=[config_tuner_sqla_engines]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/config_tuner/CMakeLists.txt;11;add_test;/work/wt/coord-shape/tests/config_tuner/CMakeLists.txt;0;")
add_test([=[config_tuner_unit]=] "/work/wt/coord-shape/build2/bin/config_tuner_unit_tests")
set_tests_properties([=[config_tuner_unit]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/config_tuner/CMakeLists.txt;18;add_test;/work/wt/coord-shape/tests/config_tuner/CMakeLists.txt;0;")
add_test([=[config_tuner_apply_scratch]=] "/work/wt/coord-shape/build2/bin/config_tuner_apply_tests")
set_tests_properties([=[config_tuner_apply_scratch]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" TIMEOUT "300" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/config_tuner/CMakeLists.txt;26;add_test;/work/wt/coord-shape/tests/config_tuner/CMakeLists.txt;0;")
add_test([=[config_tuner_fleet]=] "/work/wt/coord-shape/build2/bin/config_tuner_fleet_tests")
set_tests_properties([=[config_tuner_fleet]=] PROPERTIES  ENVIRONMENT "PGOPT_BIN_DIR=/work/wt/coord-shape/build2/bin;PGOPT_SOURCE_DIR=/work/wt/coord-shape" TIMEOUT "120" _BACKTRACE_TRIPLES "/work/wt/coord-shape/tests/config_tuner/CMakeLists.txt;36;add_test;/work/wt/coord-shape/tests/config_tuner/CMakeLists.txt;0;")
