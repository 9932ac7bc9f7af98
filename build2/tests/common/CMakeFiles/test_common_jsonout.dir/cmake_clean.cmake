file(REMOVE_RECURSE
  "../../bin/test_common_jsonout"
  "../../bin/test_common_jsonout.pdb"
  "CMakeFiles/test_common_jsonout.dir/test_jsonout.c.o"
  "CMakeFiles/test_common_jsonout.dir/test_jsonout.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_common_jsonout.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
