# Empty compiler generated dependencies file for test_collect_redact.
# This may be replaced when dependencies are built.
