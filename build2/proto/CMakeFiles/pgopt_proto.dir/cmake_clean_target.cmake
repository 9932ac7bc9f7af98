file(REMOVE_RECURSE
  "libpgopt_proto.a"
)
