file(REMOVE_RECURSE
  "../../bin/test_common_numparse"
  "../../bin/test_common_numparse.pdb"
  "CMakeFiles/test_common_numparse.dir/test_numparse.c.o"
  "CMakeFiles/test_common_numparse.dir/test_numparse.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_common_numparse.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
