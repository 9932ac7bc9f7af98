# Empty dependencies file for pgopt_proto.
# This may be replaced when dependencies are built.
