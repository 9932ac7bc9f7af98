file(REMOVE_RECURSE
  "../../bin/test_common_outfile"
  "../../bin/test_common_outfile.pdb"
  "CMakeFiles/test_common_outfile.dir/test_outfile.c.o"
  "CMakeFiles/test_common_outfile.dir/test_outfile.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_common_outfile.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
