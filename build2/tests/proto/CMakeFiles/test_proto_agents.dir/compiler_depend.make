# Empty compiler generated dependencies file for test_proto_agents.
# This may be replaced when dependencies are built.
