file(REMOVE_RECURSE
  "../../bin/test_config_file"
  "../../bin/test_config_file.pdb"
  "CMakeFiles/test_config_file.dir/test_config_file.c.o"
  "CMakeFiles/test_config_file.dir/test_config_file.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_config_file.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
