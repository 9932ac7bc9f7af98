# Empty dependencies file for fuzz_history_frames_replay.
# This may be replaced when dependencies are built.
