# expect: sql_string_formatting manual
# Rule 5: the formatted value is a table name, not a value: a bound
# parameter cannot stand there.
from sqlalchemy import Column, Integer, text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Counter(Base):
    __tablename__ = "counters"
    id = Column(Integer, primary_key=True)


def setup(session):
    session.add(Counter())


def count_rows(session, table):
    return session.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def run(session):
    return count_rows(session, "counters")
