file(REMOVE_RECURSE
  "../../bin/pgopt-query-rewriter"
  "../../bin/pgopt-query-rewriter.pdb"
  "CMakeFiles/pgopt-query-rewriter.dir/main.c.o"
  "CMakeFiles/pgopt-query-rewriter.dir/main.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-query-rewriter.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
