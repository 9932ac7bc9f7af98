# Empty dependencies file for config_tuner_sqla_engines_tests.
# This may be replaced when dependencies are built.
