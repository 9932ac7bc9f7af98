file(REMOVE_RECURSE
  "../../bin/test_proto_message"
  "../../bin/test_proto_message.pdb"
  "CMakeFiles/test_proto_message.dir/test_message.c.o"
  "CMakeFiles/test_proto_message.dir/test_message.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_proto_message.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
