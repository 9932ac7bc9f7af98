file(REMOVE_RECURSE
  "CMakeFiles/pgopt_mh_support.dir/mh_support.c.o"
  "CMakeFiles/pgopt_mh_support.dir/mh_support.c.o.d"
  "libpgopt_mh_support.a"
  "libpgopt_mh_support.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_mh_support.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
