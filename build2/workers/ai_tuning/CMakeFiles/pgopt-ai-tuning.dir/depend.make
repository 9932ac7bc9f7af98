# Empty dependencies file for pgopt-ai-tuning.
# This may be replaced when dependencies are built.
