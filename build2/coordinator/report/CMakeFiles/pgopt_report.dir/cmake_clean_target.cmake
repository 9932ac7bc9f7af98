file(REMOVE_RECURSE
  "libpgopt_report.a"
)
