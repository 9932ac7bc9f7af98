tests/report/CMakeFiles/pgopt-report-render.dir/report_render.c.o: \
 /work/wt/coord-shape/tests/report/report_render.c \
 /usr/include/stdc-predef.h \
 /work/wt/coord-shape/coordinator/report/report_cli.h
