file(REMOVE_RECURSE
  "../../bin/test_collect_pgbouncer_ini"
  "../../bin/test_collect_pgbouncer_ini.pdb"
  "CMakeFiles/test_collect_pgbouncer_ini.dir/test_pgbouncer_ini.c.o"
  "CMakeFiles/test_collect_pgbouncer_ini.dir/test_pgbouncer_ini.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_collect_pgbouncer_ini.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
