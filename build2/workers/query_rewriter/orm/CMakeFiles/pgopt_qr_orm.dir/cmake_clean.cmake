file(REMOVE_RECURSE
  "CMakeFiles/pgopt_qr_orm.dir/sqla_models.c.o"
  "CMakeFiles/pgopt_qr_orm.dir/sqla_models.c.o.d"
  "CMakeFiles/pgopt_qr_orm.dir/sqla_patterns.c.o"
  "CMakeFiles/pgopt_qr_orm.dir/sqla_patterns.c.o.d"
  "CMakeFiles/pgopt_qr_orm.dir/sqla_perloop.c.o"
  "CMakeFiles/pgopt_qr_orm.dir/sqla_perloop.c.o.d"
  "libpgopt_qr_orm.a"
  "libpgopt_qr_orm.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_qr_orm.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
