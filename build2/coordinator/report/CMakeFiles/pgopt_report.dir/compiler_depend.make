# Empty compiler generated dependencies file for pgopt_report.
# This may be replaced when dependencies are built.
