file(REMOVE_RECURSE
  "../../bin/test_collect_redact"
  "../../bin/test_collect_redact.pdb"
  "CMakeFiles/test_collect_redact.dir/test_redact.c.o"
  "CMakeFiles/test_collect_redact.dir/test_redact.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_collect_redact.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
