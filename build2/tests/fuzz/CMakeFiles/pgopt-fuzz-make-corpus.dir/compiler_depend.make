# Empty compiler generated dependencies file for pgopt-fuzz-make-corpus.
# This may be replaced when dependencies are built.
