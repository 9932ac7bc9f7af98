file(REMOVE_RECURSE
  "libpgopt_qr_orm.a"
)
