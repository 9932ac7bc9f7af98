file(REMOVE_RECURSE
  "libpgopt_collect.a"
)
