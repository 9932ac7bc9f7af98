# Empty dependencies file for orm_findings.
# This may be replaced when dependencies are built.
