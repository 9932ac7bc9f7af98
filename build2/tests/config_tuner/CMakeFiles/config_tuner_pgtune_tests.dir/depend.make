# Empty dependencies file for config_tuner_pgtune_tests.
# This may be replaced when dependencies are built.
