file(REMOVE_RECURSE
  "CMakeFiles/pgopt_testsupport.dir/pgtest.c.o"
  "CMakeFiles/pgopt_testsupport.dir/pgtest.c.o.d"
  "CMakeFiles/pgopt_testsupport.dir/proc.c.o"
  "CMakeFiles/pgopt_testsupport.dir/proc.c.o.d"
  "CMakeFiles/pgopt_testsupport.dir/tcpproxy.c.o"
  "CMakeFiles/pgopt_testsupport.dir/tcpproxy.c.o.d"
  "libpgopt_testsupport.a"
  "libpgopt_testsupport.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_testsupport.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
