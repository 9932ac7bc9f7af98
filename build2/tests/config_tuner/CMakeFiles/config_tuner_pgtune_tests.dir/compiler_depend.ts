# CMAKE generated file: DO NOT EDIT!
# Timestamp file for compiler generated dependencies management for config_tuner_pgtune_tests.
