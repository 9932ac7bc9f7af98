# Empty dependencies file for test_proto_codec.
# This may be replaced when dependencies are built.
