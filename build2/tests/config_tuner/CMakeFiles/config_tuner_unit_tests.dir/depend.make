# Empty dependencies file for config_tuner_unit_tests.
# This may be replaced when dependencies are built.
