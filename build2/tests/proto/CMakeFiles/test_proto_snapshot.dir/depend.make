# Empty dependencies file for test_proto_snapshot.
# This may be replaced when dependencies are built.
