# Empty dependencies file for test_config_file.
# This may be replaced when dependencies are built.
