# expect: add_in_loop manual
# Rule 2: Child(parent=p) sets a relationship; a dict row would lose it
# (the foreign key would be NULL).
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Parent(Base):
    __tablename__ = "parents"
    id = Column(Integer, primary_key=True)
    name = Column(String)


class Child(Base):
    __tablename__ = "children"
    id = Column(Integer, primary_key=True)
    name = Column(String)
    parent_id = Column(Integer, ForeignKey("parents.id"))
    parent = relationship("Parent")


def setup(session):
    session.add(Parent(name="p"))


def run(session):
    p = session.query(Parent).first()
    names = [n.strip() for n in ("a", "b")]
    for name in names:
        session.add(Child(name=name, parent=p))
    session.flush()
    return sorted((c.name, c.parent_id) for c in session.query(Child).all())
