# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/workers/test_worker
# Build directory: /work/wt/coord-shape/build2/workers/test_worker
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
