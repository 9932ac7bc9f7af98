# Empty compiler generated dependencies file for pgopt-report-render.
# This may be replaced when dependencies are built.
