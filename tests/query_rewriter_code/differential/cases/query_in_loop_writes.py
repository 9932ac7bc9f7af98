# expect: query_in_loop manual
# Rule 3: get-or-create in a loop. The loop writes the rows its query reads
# (the second "red" must find the tag created for the first); a query run
# once before the loop would create it twice.
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
    name = Column(String, nullable=False)


def setup(session):
    session.add(Tag(name="blue"))


def run(session):
    names = [n.strip() for n in ("red", "blue", "red", "green")]
    for name in names:
        tag = session.query(Tag).filter(Tag.name == name).first()
        if tag is None:
            session.add(Tag(name=name))
    session.flush()
    return sorted(t.name for t in session.query(Tag).all())
