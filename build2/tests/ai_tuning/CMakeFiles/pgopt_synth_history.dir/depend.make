# Empty dependencies file for pgopt_synth_history.
# This may be replaced when dependencies are built.
