file(REMOVE_RECURSE
  "../../bin/test_collect_parse"
  "../../bin/test_collect_parse.pdb"
  "CMakeFiles/test_collect_parse.dir/test_parse.c.o"
  "CMakeFiles/test_collect_parse.dir/test_parse.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_collect_parse.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
