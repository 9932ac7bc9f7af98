file(REMOVE_RECURSE
  "CMakeFiles/fuzz_snapshot_json_replay.dir/fuzz_snapshot_json.c.o"
  "CMakeFiles/fuzz_snapshot_json_replay.dir/fuzz_snapshot_json.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_snapshot_json_replay.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
