file(REMOVE_RECURSE
  "CMakeFiles/pgopt_synth_history.dir/synth_history.c.o"
  "CMakeFiles/pgopt_synth_history.dir/synth_history.c.o.d"
  "libpgopt_synth_history.a"
  "libpgopt_synth_history.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_synth_history.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
