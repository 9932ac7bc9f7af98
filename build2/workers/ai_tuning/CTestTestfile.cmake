# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/workers/ai_tuning
# Build directory: /work/wt/coord-shape/build2/workers/ai_tuning
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
