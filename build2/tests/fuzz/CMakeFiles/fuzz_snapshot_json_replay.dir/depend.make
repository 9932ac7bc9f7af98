# Empty dependencies file for fuzz_snapshot_json_replay.
# This may be replaced when dependencies are built.
