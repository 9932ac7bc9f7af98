# Empty dependencies file for pgopt_ai_tuning.
# This may be replaced when dependencies are built.
