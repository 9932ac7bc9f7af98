# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/workers/config_tuner
# Build directory: /work/wt/coord-shape/build2/workers/config_tuner
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
