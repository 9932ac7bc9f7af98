# Empty compiler generated dependencies file for test_report_text.
# This may be replaced when dependencies are built.
