file(REMOVE_RECURSE
  "libpgopt_planted_pg.a"
)
