# Empty dependencies file for pgopt_worker_runtime.
# This may be replaced when dependencies are built.
