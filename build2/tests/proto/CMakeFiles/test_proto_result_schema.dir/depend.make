# Empty dependencies file for test_proto_result_schema.
# This may be replaced when dependencies are built.
