file(REMOVE_RECURSE
  "libpgopt_python.a"
)
