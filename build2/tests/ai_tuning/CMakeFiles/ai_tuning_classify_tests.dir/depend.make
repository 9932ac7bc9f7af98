# Empty dependencies file for ai_tuning_classify_tests.
# This may be replaced when dependencies are built.
