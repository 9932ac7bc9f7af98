file(REMOVE_RECURSE
  "../../bin/test_collect_errors"
  "../../bin/test_collect_errors.pdb"
  "CMakeFiles/test_collect_errors.dir/test_errors.c.o"
  "CMakeFiles/test_collect_errors.dir/test_errors.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_collect_errors.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
