# Empty compiler generated dependencies file for test_report_sql.
# This may be replaced when dependencies are built.
