file(REMOVE_RECURSE
  "../../bin/test_collect_frozen"
  "../../bin/test_collect_frozen.pdb"
  "CMakeFiles/test_collect_frozen.dir/test_frozen.c.o"
  "CMakeFiles/test_collect_frozen.dir/test_frozen.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_collect_frozen.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
