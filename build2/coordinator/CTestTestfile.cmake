# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/coordinator
# Build directory: /work/wt/coord-shape/build2/coordinator
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("collect")
subdirs("fleet")
subdirs("history")
subdirs("report")
