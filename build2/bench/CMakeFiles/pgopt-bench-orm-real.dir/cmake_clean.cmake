file(REMOVE_RECURSE
  "../bin/pgopt-bench-orm-real"
  "../bin/pgopt-bench-orm-real.pdb"
  "CMakeFiles/pgopt-bench-orm-real.dir/orm/bench_orm_real.c.o"
  "CMakeFiles/pgopt-bench-orm-real.dir/orm/bench_orm_real.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-orm-real.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
