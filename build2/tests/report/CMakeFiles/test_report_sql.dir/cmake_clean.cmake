file(REMOVE_RECURSE
  "../../bin/test_report_sql"
  "../../bin/test_report_sql.pdb"
  "CMakeFiles/test_report_sql.dir/test_report_sql.c.o"
  "CMakeFiles/test_report_sql.dir/test_report_sql.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_report_sql.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
