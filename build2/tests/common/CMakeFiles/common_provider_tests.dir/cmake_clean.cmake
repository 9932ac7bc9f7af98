file(REMOVE_RECURSE
  "../../bin/common_provider_tests"
  "../../bin/common_provider_tests.pdb"
  "CMakeFiles/common_provider_tests.dir/test_provider.c.o"
  "CMakeFiles/common_provider_tests.dir/test_provider.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/common_provider_tests.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
