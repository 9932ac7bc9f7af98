# Empty compiler generated dependencies file for pgopt-bench-ai-tuning.
# This may be replaced when dependencies are built.
