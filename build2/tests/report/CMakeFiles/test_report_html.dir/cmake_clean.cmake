file(REMOVE_RECURSE
  "../../bin/test_report_html"
  "../../bin/test_report_html.pdb"
  "CMakeFiles/test_report_html.dir/test_report_html.c.o"
  "CMakeFiles/test_report_html.dir/test_report_html.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_report_html.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
