# Empty compiler generated dependencies file for pgopt-query-rewriter.
# This may be replaced when dependencies are built.
