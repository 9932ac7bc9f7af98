# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/workers/index_advisor
# Build directory: /work/wt/coord-shape/build2/workers/index_advisor
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
