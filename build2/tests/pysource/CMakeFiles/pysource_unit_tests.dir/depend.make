# Empty dependencies file for pysource_unit_tests.
# This may be replaced when dependencies are built.
