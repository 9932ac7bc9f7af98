file(REMOVE_RECURSE
  "../../bin/test_proto_fuzz_replay"
  "../../bin/test_proto_fuzz_replay.pdb"
  "CMakeFiles/test_proto_fuzz_replay.dir/fuzz_fail.c.o"
  "CMakeFiles/test_proto_fuzz_replay.dir/fuzz_fail.c.o.d"
  "CMakeFiles/test_proto_fuzz_replay.dir/replay.c.o"
  "CMakeFiles/test_proto_fuzz_replay.dir/replay.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_proto_fuzz_replay.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
