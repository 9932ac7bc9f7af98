# Empty compiler generated dependencies file for ai_tuning_attribution_tests.
# This may be replaced when dependencies are built.
