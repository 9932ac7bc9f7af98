file(REMOVE_RECURSE
  "CMakeFiles/pgopt_collect_testutil.dir/snaputil.c.o"
  "CMakeFiles/pgopt_collect_testutil.dir/snaputil.c.o.d"
  "libpgopt_collect_testutil.a"
  "libpgopt_collect_testutil.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_collect_testutil.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
