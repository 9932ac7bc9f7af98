file(REMOVE_RECURSE
  "libpgopt_mh_support.a"
)
