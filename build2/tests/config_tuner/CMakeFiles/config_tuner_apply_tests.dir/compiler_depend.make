# Empty compiler generated dependencies file for config_tuner_apply_tests.
# This may be replaced when dependencies are built.
