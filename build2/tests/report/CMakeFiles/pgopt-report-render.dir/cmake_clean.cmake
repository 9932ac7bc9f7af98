file(REMOVE_RECURSE
  "../../bin/pgopt-report-render"
  "../../bin/pgopt-report-render.pdb"
  "CMakeFiles/pgopt-report-render.dir/report_render.c.o"
  "CMakeFiles/pgopt-report-render.dir/report_render.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-report-render.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
