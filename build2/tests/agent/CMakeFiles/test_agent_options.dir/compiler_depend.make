# Empty compiler generated dependencies file for test_agent_options.
# This may be replaced when dependencies are built.
