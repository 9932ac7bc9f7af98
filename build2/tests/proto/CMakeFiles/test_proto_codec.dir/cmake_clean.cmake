file(REMOVE_RECURSE
  "../../bin/test_proto_codec"
  "../../bin/test_proto_codec.pdb"
  "CMakeFiles/test_proto_codec.dir/test_codec.c.o"
  "CMakeFiles/test_proto_codec.dir/test_codec.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_proto_codec.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
