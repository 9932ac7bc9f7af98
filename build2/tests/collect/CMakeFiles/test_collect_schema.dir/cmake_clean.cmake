file(REMOVE_RECURSE
  "../../bin/test_collect_schema"
  "../../bin/test_collect_schema.pdb"
  "CMakeFiles/test_collect_schema.dir/test_schema.c.o"
  "CMakeFiles/test_collect_schema.dir/test_schema.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_collect_schema.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
