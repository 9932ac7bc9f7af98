file(REMOVE_RECURSE
  "CMakeFiles/fuzz_history_frames_replay.dir/fuzz_history_frames.c.o"
  "CMakeFiles/fuzz_history_frames_replay.dir/fuzz_history_frames.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_history_frames_replay.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
