# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape
# Build directory: /work/wt/coord-shape/build2
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("common")
subdirs("proto")
subdirs("workers")
subdirs("coordinator")
subdirs("tests")
subdirs("bench")
subdirs("docs")
