# Empty dependencies file for test_fleet_endpoints.
# This may be replaced when dependencies are built.
