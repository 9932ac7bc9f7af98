# Empty dependencies file for test_proto_message.
# This may be replaced when dependencies are built.
