file(REMOVE_RECURSE
  "CMakeFiles/pgopt_planted_pg.dir/planted_pg.c.o"
  "CMakeFiles/pgopt_planted_pg.dir/planted_pg.c.o.d"
  "libpgopt_planted_pg.a"
  "libpgopt_planted_pg.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_planted_pg.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
