file(REMOVE_RECURSE
  "../../bin/test_collect_host"
  "../../bin/test_collect_host.pdb"
  "CMakeFiles/test_collect_host.dir/test_host.c.o"
  "CMakeFiles/test_collect_host.dir/test_host.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_collect_host.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
