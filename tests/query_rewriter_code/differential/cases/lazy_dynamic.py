# expect: lazy_load_in_loop manual
# Rule 6: a lazy="dynamic" relationship is a query object; selectinload or
# joinedload of it raises, so no loader option is proposed.
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Author(Base):
    __tablename__ = "authors"
    id = Column(Integer, primary_key=True)
    name = Column(String, nullable=False)
    books = relationship("Book", lazy="dynamic")


class Book(Base):
    __tablename__ = "books"
    id = Column(Integer, primary_key=True)
    title = Column(String, nullable=False)
    author_id = Column(Integer, ForeignKey("authors.id"), nullable=False)


def setup(session):
    a = Author(name="a")
    session.add(a)
    session.flush()
    session.add(Book(title="b", author_id=a.id))


def run(session):
    out = {}
    for a in session.query(Author).all():
        out[a.name] = [b.title for b in a.books]
    return out
