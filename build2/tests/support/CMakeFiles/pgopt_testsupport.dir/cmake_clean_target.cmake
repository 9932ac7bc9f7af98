file(REMOVE_RECURSE
  "libpgopt_testsupport.a"
)
