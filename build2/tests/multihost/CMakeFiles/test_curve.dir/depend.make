# Empty dependencies file for test_curve.
# This may be replaced when dependencies are built.
