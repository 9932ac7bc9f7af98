# Empty dependencies file for fuzz_header_replay.
# This may be replaced when dependencies are built.
