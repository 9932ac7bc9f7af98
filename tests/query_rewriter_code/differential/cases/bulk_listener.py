# expect: add_in_loop manual
# Rule 2: a before_insert listener sets a column; a bulk INSERT of dicts
# never calls it.
from sqlalchemy import Column, Integer, String, event
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Note(Base):
    __tablename__ = "notes"
    id = Column(Integer, primary_key=True)
    body = Column(String)
    slug = Column(String)


@event.listens_for(Note, "before_insert")
def make_slug(mapper, connection, target):
    target.slug = target.body.lower().replace(" ", "-")


def setup(session):
    pass


def run(session):
    bodies = [b.strip() for b in ("Hello World", "Second Note")]
    for body in bodies:
        session.add(Note(body=body))
    session.flush()
    return sorted(n.slug for n in session.query(Note).all())
