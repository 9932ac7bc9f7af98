file(REMOVE_RECURSE
  "CMakeFiles/pgopt_python.dir/pysource.c.o"
  "CMakeFiles/pgopt_python.dir/pysource.c.o.d"
  "libpgopt_python.a"
  "libpgopt_python.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_python.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
