# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/workers
# Build directory: /work/wt/coord-shape/build2/workers
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("runtime")
subdirs("ai_tuning")
subdirs("config_tuner")
subdirs("index_advisor")
subdirs("query_rewriter")
subdirs("test_worker")
