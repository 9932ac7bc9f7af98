# expect: commit_in_loop code fewer
# Rule 1: the loop reads parent.id, which the database generates at flush.
# Removing the per-item commit stored children with NULL parent ids; the
# commit must become a flush.
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Parent(Base):
    __tablename__ = "parents"
    id = Column(Integer, primary_key=True)
    name = Column(String)


class Child(Base):
    __tablename__ = "children"
    id = Column(Integer, primary_key=True)
    parent_id = Column(Integer, ForeignKey("parents.id"))
    name = Column(String)


def setup(session):
    pass


def run(session):
    names = [n.strip() for n in ("x", "y", "z")]
    for name in names:
        parent = Parent(name=name)
        session.add(parent)
        session.commit()
        session.add(Child(parent_id=parent.id, name=name + "-child"))
    session.commit()
    return sorted((c.name, c.parent_id) for c in session.query(Child).all())
