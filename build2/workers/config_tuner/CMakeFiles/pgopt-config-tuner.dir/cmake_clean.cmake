file(REMOVE_RECURSE
  "../../bin/pgopt-config-tuner"
  "../../bin/pgopt-config-tuner.pdb"
  "CMakeFiles/pgopt-config-tuner.dir/main.c.o"
  "CMakeFiles/pgopt-config-tuner.dir/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-config-tuner.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
