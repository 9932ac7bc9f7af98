file(REMOVE_RECURSE
  "../../bin/test_liveness"
  "../../bin/test_liveness.pdb"
  "CMakeFiles/test_liveness.dir/test_liveness.c.o"
  "CMakeFiles/test_liveness.dir/test_liveness.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_liveness.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
