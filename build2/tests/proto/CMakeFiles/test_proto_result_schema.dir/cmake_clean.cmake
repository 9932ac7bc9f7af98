file(REMOVE_RECURSE
  "../../bin/test_proto_result_schema"
  "../../bin/test_proto_result_schema.pdb"
  "CMakeFiles/test_proto_result_schema.dir/test_result_schema.c.o"
  "CMakeFiles/test_proto_result_schema.dir/test_result_schema.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_proto_result_schema.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
