# Empty dependencies file for pgopt_config_tuner.
# This may be replaced when dependencies are built.
