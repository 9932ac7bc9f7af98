file(REMOVE_RECURSE
  "CMakeFiles/pgopt_worker_runtime.dir/runtime.c.o"
  "CMakeFiles/pgopt_worker_runtime.dir/runtime.c.o.d"
  "libpgopt_worker_runtime.a"
  "libpgopt_worker_runtime.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_worker_runtime.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
