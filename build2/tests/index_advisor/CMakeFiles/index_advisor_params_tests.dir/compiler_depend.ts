# CMAKE generated file: DO NOT EDIT!
# Timestamp file for compiler generated dependencies management for index_advisor_params_tests.
