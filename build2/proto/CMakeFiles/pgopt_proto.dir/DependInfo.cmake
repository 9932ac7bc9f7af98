
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/coord-shape/proto/agents.c" "proto/CMakeFiles/pgopt_proto.dir/agents.c.o" "gcc" "proto/CMakeFiles/pgopt_proto.dir/agents.c.o.d"
  "/work/wt/coord-shape/proto/codec.c" "proto/CMakeFiles/pgopt_proto.dir/codec.c.o" "gcc" "proto/CMakeFiles/pgopt_proto.dir/codec.c.o.d"
  "/work/wt/coord-shape/proto/curve.c" "proto/CMakeFiles/pgopt_proto.dir/curve.c.o" "gcc" "proto/CMakeFiles/pgopt_proto.dir/curve.c.o.d"
  "/work/wt/coord-shape/proto/message.c" "proto/CMakeFiles/pgopt_proto.dir/message.c.o" "gcc" "proto/CMakeFiles/pgopt_proto.dir/message.c.o.d"
  "/work/wt/coord-shape/proto/result_schema.c" "proto/CMakeFiles/pgopt_proto.dir/result_schema.c.o" "gcc" "proto/CMakeFiles/pgopt_proto.dir/result_schema.c.o.d"
  "/work/wt/coord-shape/proto/snapshot.c" "proto/CMakeFiles/pgopt_proto.dir/snapshot.c.o" "gcc" "proto/CMakeFiles/pgopt_proto.dir/snapshot.c.o.d"
  "/work/wt/coord-shape/proto/transport.c" "proto/CMakeFiles/pgopt_proto.dir/transport.c.o" "gcc" "proto/CMakeFiles/pgopt_proto.dir/transport.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/coord-shape/build2/common/CMakeFiles/pgopt_common.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
