file(REMOVE_RECURSE
  "../../bin/test_agent_contract"
  "../../bin/test_agent_contract.pdb"
  "CMakeFiles/test_agent_contract.dir/test_contract.c.o"
  "CMakeFiles/test_agent_contract.dir/test_contract.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_agent_contract.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
