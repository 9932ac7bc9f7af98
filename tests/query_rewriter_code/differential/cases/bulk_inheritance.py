# expect: add_in_loop manual
# Rule 2: joined-table inheritance. A plain INSERT into managers fills
# neither employees nor the polymorphic identity.
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Employee(Base):
    __tablename__ = "employees"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    kind = Column(String)
    __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "employee"}


class Manager(Employee):
    __tablename__ = "managers"
    id = Column(Integer, ForeignKey("employees.id"), primary_key=True)
    level = Column(Integer)
    __mapper_args__ = {"polymorphic_identity": "manager"}


def setup(session):
    pass


def run(session):
    for i in range(3):
        session.add(Manager(name=f"m{i}", level=i))
    session.flush()
    return session.query(Employee).count()
