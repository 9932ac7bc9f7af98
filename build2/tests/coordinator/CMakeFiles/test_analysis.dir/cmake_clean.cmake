file(REMOVE_RECURSE
  "../../bin/test_analysis"
  "../../bin/test_analysis.pdb"
  "CMakeFiles/test_analysis.dir/test_analysis.c.o"
  "CMakeFiles/test_analysis.dir/test_analysis.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_analysis.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
