file(REMOVE_RECURSE
  "../../bin/test_runtime"
  "../../bin/test_runtime.pdb"
  "CMakeFiles/test_runtime.dir/test_runtime.c.o"
  "CMakeFiles/test_runtime.dir/test_runtime.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_runtime.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
