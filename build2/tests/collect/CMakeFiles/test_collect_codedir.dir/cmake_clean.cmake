file(REMOVE_RECURSE
  "../../bin/test_collect_codedir"
  "../../bin/test_collect_codedir.pdb"
  "CMakeFiles/test_collect_codedir.dir/test_codedir.c.o"
  "CMakeFiles/test_collect_codedir.dir/test_codedir.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_collect_codedir.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
