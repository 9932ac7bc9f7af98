file(REMOVE_RECURSE
  "libpgopt_coordinator.a"
)
