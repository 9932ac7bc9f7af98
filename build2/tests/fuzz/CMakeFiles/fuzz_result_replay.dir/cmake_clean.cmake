file(REMOVE_RECURSE
  "CMakeFiles/fuzz_result_replay.dir/fuzz_result.c.o"
  "CMakeFiles/fuzz_result_replay.dir/fuzz_result.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_result_replay.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
