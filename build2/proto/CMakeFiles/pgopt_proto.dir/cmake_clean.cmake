file(REMOVE_RECURSE
  "CMakeFiles/pgopt_proto.dir/agents.c.o"
  "CMakeFiles/pgopt_proto.dir/agents.c.o.d"
  "CMakeFiles/pgopt_proto.dir/codec.c.o"
  "CMakeFiles/pgopt_proto.dir/codec.c.o.d"
  "CMakeFiles/pgopt_proto.dir/curve.c.o"
  "CMakeFiles/pgopt_proto.dir/curve.c.o.d"
  "CMakeFiles/pgopt_proto.dir/message.c.o"
  "CMakeFiles/pgopt_proto.dir/message.c.o.d"
  "CMakeFiles/pgopt_proto.dir/result_schema.c.o"
  "CMakeFiles/pgopt_proto.dir/result_schema.c.o.d"
  "CMakeFiles/pgopt_proto.dir/snapshot.c.o"
  "CMakeFiles/pgopt_proto.dir/snapshot.c.o.d"
  "CMakeFiles/pgopt_proto.dir/transport.c.o"
  "CMakeFiles/pgopt_proto.dir/transport.c.o.d"
  "libpgopt_proto.a"
  "libpgopt_proto.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_proto.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
