# CMake generated Testfile for 
# Source directory: /work/wt/coord-shape/workers/query_rewriter
# Build directory: /work/wt/coord-shape/build2/workers/query_rewriter
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
subdirs("orm")
