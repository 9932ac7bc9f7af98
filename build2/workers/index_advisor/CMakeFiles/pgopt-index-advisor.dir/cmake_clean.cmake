file(REMOVE_RECURSE
  "../../bin/pgopt-index-advisor"
  "../../bin/pgopt-index-advisor.pdb"
  "CMakeFiles/pgopt-index-advisor.dir/main.c.o"
  "CMakeFiles/pgopt-index-advisor.dir/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-index-advisor.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
