file(REMOVE_RECURSE
  "libpgopt_common.a"
)
