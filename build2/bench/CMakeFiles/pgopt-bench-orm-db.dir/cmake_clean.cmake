file(REMOVE_RECURSE
  "../bin/pgopt-bench-orm-db"
  "../bin/pgopt-bench-orm-db.pdb"
  "CMakeFiles/pgopt-bench-orm-db.dir/orm/bench_orm_db.c.o"
  "CMakeFiles/pgopt-bench-orm-db.dir/orm/bench_orm_db.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-orm-db.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
