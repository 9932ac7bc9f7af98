file(REMOVE_RECURSE
  "CMakeFiles/pgopt_report.dir/progress.c.o"
  "CMakeFiles/pgopt_report.dir/progress.c.o.d"
  "CMakeFiles/pgopt_report.dir/report.c.o"
  "CMakeFiles/pgopt_report.dir/report.c.o.d"
  "CMakeFiles/pgopt_report.dir/report_cli.c.o"
  "CMakeFiles/pgopt_report.dir/report_cli.c.o.d"
  "CMakeFiles/pgopt_report.dir/report_html.c.o"
  "CMakeFiles/pgopt_report.dir/report_html.c.o.d"
  "CMakeFiles/pgopt_report.dir/report_sql.c.o"
  "CMakeFiles/pgopt_report.dir/report_sql.c.o.d"
  "CMakeFiles/pgopt_report.dir/report_text.c.o"
  "CMakeFiles/pgopt_report.dir/report_text.c.o.d"
  "CMakeFiles/pgopt_report.dir/textdiff.c.o"
  "CMakeFiles/pgopt_report.dir/textdiff.c.o.d"
  "libpgopt_report.a"
  "libpgopt_report.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_report.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
