# Empty dependencies file for pgopt-bench-redact.
# This may be replaced when dependencies are built.
