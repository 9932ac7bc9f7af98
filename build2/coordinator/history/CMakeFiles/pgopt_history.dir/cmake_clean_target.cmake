file(REMOVE_RECURSE
  "libpgopt_history.a"
)
