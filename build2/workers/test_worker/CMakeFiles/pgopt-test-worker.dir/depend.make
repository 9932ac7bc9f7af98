# Empty dependencies file for pgopt-test-worker.
# This may be replaced when dependencies are built.
