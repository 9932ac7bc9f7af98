# expect: add_in_loop code
# The 2.0 form with no rows: execute(insert(M), []) would insert one row of
# defaults (or fail), so the rewrite guards it.
from sqlalchemy import Column, Integer, String, insert, select
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Event(Base):
    __tablename__ = "events"
    id = Column(Integer, primary_key=True)
    name = Column(String)


def setup(session):
    pass


def run(session):
    items = [n for n in ("a", "b") if n == "z"]
    for item in items:
        session.add(Event(name=item))
    session.flush()
    return session.scalars(select(Event)).all()
