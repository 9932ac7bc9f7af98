file(REMOVE_RECURSE
  "libpgopt_synth_history.a"
)
