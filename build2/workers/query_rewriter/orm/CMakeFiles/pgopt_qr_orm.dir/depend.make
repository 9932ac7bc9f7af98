# Empty dependencies file for pgopt_qr_orm.
# This may be replaced when dependencies are built.
