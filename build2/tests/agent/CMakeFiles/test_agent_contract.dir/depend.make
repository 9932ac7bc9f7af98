# Empty dependencies file for test_agent_contract.
# This may be replaced when dependencies are built.
