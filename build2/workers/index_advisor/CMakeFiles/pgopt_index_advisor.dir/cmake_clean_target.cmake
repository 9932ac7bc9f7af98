file(REMOVE_RECURSE
  "libpgopt_index_advisor.a"
)
