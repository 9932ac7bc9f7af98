file(REMOVE_RECURSE
  "CMakeFiles/pgopt_history.dir/applied.c.o"
  "CMakeFiles/pgopt_history.dir/applied.c.o.d"
  "CMakeFiles/pgopt_history.dir/histframe.c.o"
  "CMakeFiles/pgopt_history.dir/histframe.c.o.d"
  "CMakeFiles/pgopt_history.dir/history.c.o"
  "CMakeFiles/pgopt_history.dir/history.c.o.d"
  "CMakeFiles/pgopt_history.dir/history_cli.c.o"
  "CMakeFiles/pgopt_history.dir/history_cli.c.o.d"
  "CMakeFiles/pgopt_history.dir/verify_cli.c.o"
  "CMakeFiles/pgopt_history.dir/verify_cli.c.o.d"
  "libpgopt_history.a"
  "libpgopt_history.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_history.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
