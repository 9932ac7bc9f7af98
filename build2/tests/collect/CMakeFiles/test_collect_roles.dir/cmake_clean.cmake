file(REMOVE_RECURSE
  "../../bin/test_collect_roles"
  "../../bin/test_collect_roles.pdb"
  "CMakeFiles/test_collect_roles.dir/test_roles.c.o"
  "CMakeFiles/test_collect_roles.dir/test_roles.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_collect_roles.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
