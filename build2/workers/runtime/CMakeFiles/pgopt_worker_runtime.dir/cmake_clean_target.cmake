file(REMOVE_RECURSE
  "libpgopt_worker_runtime.a"
)
