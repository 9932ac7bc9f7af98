file(REMOVE_RECURSE
  "CMakeFiles/pgopt_index_advisor.dir/ia_candidates.c.o"
  "CMakeFiles/pgopt_index_advisor.dir/ia_candidates.c.o.d"
  "CMakeFiles/pgopt_index_advisor.dir/ia_cost.c.o"
  "CMakeFiles/pgopt_index_advisor.dir/ia_cost.c.o.d"
  "CMakeFiles/pgopt_index_advisor.dir/ia_extract.c.o"
  "CMakeFiles/pgopt_index_advisor.dir/ia_extract.c.o.d"
  "CMakeFiles/pgopt_index_advisor.dir/ia_report.c.o"
  "CMakeFiles/pgopt_index_advisor.dir/ia_report.c.o.d"
  "CMakeFiles/pgopt_index_advisor.dir/ia_schema.c.o"
  "CMakeFiles/pgopt_index_advisor.dir/ia_schema.c.o.d"
  "CMakeFiles/pgopt_index_advisor.dir/ia_select.c.o"
  "CMakeFiles/pgopt_index_advisor.dir/ia_select.c.o.d"
  "CMakeFiles/pgopt_index_advisor.dir/index_advisor.c.o"
  "CMakeFiles/pgopt_index_advisor.dir/index_advisor.c.o.d"
  "libpgopt_index_advisor.a"
  "libpgopt_index_advisor.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_index_advisor.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
