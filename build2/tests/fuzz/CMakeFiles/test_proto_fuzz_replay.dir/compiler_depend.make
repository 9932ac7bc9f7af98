# Empty compiler generated dependencies file for test_proto_fuzz_replay.
# This may be replaced when dependencies are built.
