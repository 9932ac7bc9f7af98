# Empty dependencies file for ai_tuning_unit_tests.
# This may be replaced when dependencies are built.
