file(REMOVE_RECURSE
  "libpgopt_fleet.a"
)
