# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/proto
# Build directory: /work/wt/coord-shape/build2/proto
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
