# Empty dependencies file for config_tuner_fleet_tests.
# This may be replaced when dependencies are built.
