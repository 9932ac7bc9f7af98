file(REMOVE_RECURSE
  "CMakeFiles/pgopt_collect.dir/codedir.c.o"
  "CMakeFiles/pgopt_collect.dir/codedir.c.o.d"
  "CMakeFiles/pgopt_collect.dir/collect.c.o"
  "CMakeFiles/pgopt_collect.dir/collect.c.o.d"
  "CMakeFiles/pgopt_collect.dir/host.c.o"
  "CMakeFiles/pgopt_collect.dir/host.c.o.d"
  "CMakeFiles/pgopt_collect.dir/pgbouncer_ini.c.o"
  "CMakeFiles/pgopt_collect.dir/pgbouncer_ini.c.o.d"
  "CMakeFiles/pgopt_collect.dir/pgjson.c.o"
  "CMakeFiles/pgopt_collect.dir/pgjson.c.o.d"
  "CMakeFiles/pgopt_collect.dir/planprint.c.o"
  "CMakeFiles/pgopt_collect.dir/planprint.c.o.d"
  "CMakeFiles/pgopt_collect.dir/redact.c.o"
  "CMakeFiles/pgopt_collect.dir/redact.c.o.d"
  "libpgopt_collect.a"
  "libpgopt_collect.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_collect.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
