file(REMOVE_RECURSE
  "libpgopt_query_rewriter.a"
)
