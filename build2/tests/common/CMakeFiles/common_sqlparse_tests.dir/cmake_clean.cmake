file(REMOVE_RECURSE
  "../../bin/common_sqlparse_tests"
  "../../bin/common_sqlparse_tests.pdb"
  "CMakeFiles/common_sqlparse_tests.dir/test_sqlparse.c.o"
  "CMakeFiles/common_sqlparse_tests.dir/test_sqlparse.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/common_sqlparse_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
