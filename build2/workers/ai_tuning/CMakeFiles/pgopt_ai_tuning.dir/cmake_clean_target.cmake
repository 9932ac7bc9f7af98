file(REMOVE_RECURSE
  "libpgopt_ai_tuning.a"
)
