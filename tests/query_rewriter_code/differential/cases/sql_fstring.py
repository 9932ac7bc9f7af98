# expect: sql_string_formatting code
# An f-string value in text(): bound, the same rows come back.
from sqlalchemy import Column, Integer, String, text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    name = Column(String)


def setup(session):
    for n in ("ann", "bob", "o'neil"):
        session.add(Customer(name=n))


def lookup(session, name):
    return session.execute(text(f"SELECT id FROM customers WHERE name = '{name}'")).fetchall()


def run(session):
    return [lookup(session, "bob"), lookup(session, "ann")]
