# Empty compiler generated dependencies file for pgopt-config-tuner.
# This may be replaced when dependencies are built.
