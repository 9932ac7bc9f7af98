"""A small e-commerce / SaaS back end on SQLAlchemy 2.0 (the pgopt demo application).

pgopt analyses this code as source only; it is never executed by the demo.
Table and column names match demo/schema.sql.
"""
