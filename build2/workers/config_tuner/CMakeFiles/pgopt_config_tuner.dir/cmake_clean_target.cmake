file(REMOVE_RECURSE
  "libpgopt_config_tuner.a"
)
