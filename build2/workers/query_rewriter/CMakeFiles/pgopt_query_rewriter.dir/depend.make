# Empty dependencies file for pgopt_query_rewriter.
# This may be replaced when dependencies are built.
