# Empty dependencies file for common_provider_tests.
# This may be replaced when dependencies are built.
