file(REMOVE_RECURSE
  "CMakeFiles/pgopt_fleet.dir/embedded.c.o"
  "CMakeFiles/pgopt_fleet.dir/embedded.c.o.d"
  "CMakeFiles/pgopt_fleet.dir/fleet.c.o"
  "CMakeFiles/pgopt_fleet.dir/fleet.c.o.d"
  "CMakeFiles/pgopt_fleet.dir/keygen.c.o"
  "CMakeFiles/pgopt_fleet.dir/keygen.c.o.d"
  "CMakeFiles/pgopt_fleet.dir/phase3.c.o"
  "CMakeFiles/pgopt_fleet.dir/phase3.c.o.d"
  "CMakeFiles/pgopt_fleet.dir/ping.c.o"
  "CMakeFiles/pgopt_fleet.dir/ping.c.o.d"
  "libpgopt_fleet.a"
  "libpgopt_fleet.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_fleet.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
