# Empty dependencies file for fuzz_codec_replay.
# This may be replaced when dependencies are built.
