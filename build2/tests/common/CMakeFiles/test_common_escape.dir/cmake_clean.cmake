file(REMOVE_RECURSE
  "../../bin/test_common_escape"
  "../../bin/test_common_escape.pdb"
  "CMakeFiles/test_common_escape.dir/test_escape.c.o"
  "CMakeFiles/test_common_escape.dir/test_escape.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_common_escape.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
