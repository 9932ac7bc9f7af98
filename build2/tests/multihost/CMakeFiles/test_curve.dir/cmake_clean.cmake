file(REMOVE_RECURSE
  "../../bin/test_curve"
  "../../bin/test_curve.pdb"
  "CMakeFiles/test_curve.dir/test_curve.c.o"
  "CMakeFiles/test_curve.dir/test_curve.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_curve.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
