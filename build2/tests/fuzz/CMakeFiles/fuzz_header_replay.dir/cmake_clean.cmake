file(REMOVE_RECURSE
  "CMakeFiles/fuzz_header_replay.dir/fuzz_header.c.o"
  "CMakeFiles/fuzz_header_replay.dir/fuzz_header.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_header_replay.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
