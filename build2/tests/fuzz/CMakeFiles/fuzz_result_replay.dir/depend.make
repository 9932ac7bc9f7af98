# Empty dependencies file for fuzz_result_replay.
# This may be replaced when dependencies are built.
