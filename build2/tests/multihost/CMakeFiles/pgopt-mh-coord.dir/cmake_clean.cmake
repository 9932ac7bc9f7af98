file(REMOVE_RECURSE
  "../../bin/pgopt-mh-coord"
  "../../bin/pgopt-mh-coord.pdb"
  "CMakeFiles/pgopt-mh-coord.dir/mh_coord.c.o"
  "CMakeFiles/pgopt-mh-coord.dir/mh_coord.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-mh-coord.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
