file(REMOVE_RECURSE
  "../../bin/test_proto_snapshot"
  "../../bin/test_proto_snapshot.pdb"
  "CMakeFiles/test_proto_snapshot.dir/test_snapshot.c.o"
  "CMakeFiles/test_proto_snapshot.dir/test_snapshot.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_proto_snapshot.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
