file(REMOVE_RECURSE
  "../../bin/pgopt-test-worker"
  "../../bin/pgopt-test-worker.pdb"
  "CMakeFiles/pgopt-test-worker.dir/test_worker.c.o"
  "CMakeFiles/pgopt-test-worker.dir/test_worker.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-test-worker.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
