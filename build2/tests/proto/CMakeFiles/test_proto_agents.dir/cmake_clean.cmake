file(REMOVE_RECURSE
  "../../bin/test_proto_agents"
  "../../bin/test_proto_agents.pdb"
  "CMakeFiles/test_proto_agents.dir/test_agents.c.o"
  "CMakeFiles/test_proto_agents.dir/test_agents.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_proto_agents.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
