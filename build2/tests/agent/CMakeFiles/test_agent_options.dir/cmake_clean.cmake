file(REMOVE_RECURSE
  "../../bin/test_agent_options"
  "../../bin/test_agent_options.pdb"
  "CMakeFiles/test_agent_options.dir/test_options.c.o"
  "CMakeFiles/test_agent_options.dir/test_options.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_agent_options.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
