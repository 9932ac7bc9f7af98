file(REMOVE_RECURSE
  "../../bin/pgopt-ai-tuning"
  "../../bin/pgopt-ai-tuning.pdb"
  "CMakeFiles/pgopt-ai-tuning.dir/main.c.o"
  "CMakeFiles/pgopt-ai-tuning.dir/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-ai-tuning.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
