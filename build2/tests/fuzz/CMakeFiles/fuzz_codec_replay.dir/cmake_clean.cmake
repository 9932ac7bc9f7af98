file(REMOVE_RECURSE
  "CMakeFiles/fuzz_codec_replay.dir/fuzz_codec.c.o"
  "CMakeFiles/fuzz_codec_replay.dir/fuzz_codec.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_codec_replay.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
