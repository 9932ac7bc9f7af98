file(REMOVE_RECURSE
  "CMakeFiles/pgopt_query_rewriter.dir/qr_catalog.c.o"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_catalog.c.o.d"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_code.c.o"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_code.c.o.d"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_n1.c.o"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_n1.c.o.d"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_params.c.o"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_params.c.o.d"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_rules.c.o"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_rules.c.o.d"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_rules_check.c.o"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_rules_check.c.o.d"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_rules_pred.c.o"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_rules_pred.c.o.d"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_rules_shape.c.o"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_rules_shape.c.o.d"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_tree.c.o"
  "CMakeFiles/pgopt_query_rewriter.dir/qr_tree.c.o.d"
  "CMakeFiles/pgopt_query_rewriter.dir/query_rewriter.c.o"
  "CMakeFiles/pgopt_query_rewriter.dir/query_rewriter.c.o.d"
  "CMakeFiles/pgopt_query_rewriter.dir/verify.c.o"
  "CMakeFiles/pgopt_query_rewriter.dir/verify.c.o.d"
  "libpgopt_query_rewriter.a"
  "libpgopt_query_rewriter.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_query_rewriter.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
