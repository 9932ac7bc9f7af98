file(REMOVE_RECURSE
  "../../bin/test_collect_marked"
  "../../bin/test_collect_marked.pdb"
  "CMakeFiles/test_collect_marked.dir/test_marked.c.o"
  "CMakeFiles/test_collect_marked.dir/test_marked.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_collect_marked.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
