file(REMOVE_RECURSE
  "../../bin/test_report_text"
  "../../bin/test_report_text.pdb"
  "CMakeFiles/test_report_text.dir/test_report_text.c.o"
  "CMakeFiles/test_report_text.dir/test_report_text.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_report_text.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
