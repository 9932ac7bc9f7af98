file(REMOVE_RECURSE
  "../../bin/orm_findings"
  "../../bin/orm_findings.pdb"
  "CMakeFiles/orm_findings.dir/orm_findings.c.o"
  "CMakeFiles/orm_findings.dir/orm_findings.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/orm_findings.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
