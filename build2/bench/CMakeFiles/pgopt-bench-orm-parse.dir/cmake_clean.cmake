file(REMOVE_RECURSE
  "../bin/pgopt-bench-orm-parse"
  "../bin/pgopt-bench-orm-parse.pdb"
  "CMakeFiles/pgopt-bench-orm-parse.dir/orm/bench_orm_parse.c.o"
  "CMakeFiles/pgopt-bench-orm-parse.dir/orm/bench_orm_parse.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-bench-orm-parse.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
