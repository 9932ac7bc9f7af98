# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/workers/runtime
# Build directory: /work/wt/coord-shape/build2/workers/runtime
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
