file(REMOVE_RECURSE
  "libpgopt_collect_testutil.a"
)
