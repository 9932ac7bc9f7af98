# expect: lazy_load_in_loop code fewer
# A collection and a many-to-one read per row of a query: selectinload and
# joinedload give the same rows in fewer SELECTs.
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class Author(Base):
    __tablename__ = "authors"
    id = Column(Integer, primary_key=True)
    name = Column(String, nullable=False)
    books = relationship("Book", back_populates="author")


class Book(Base):
    __tablename__ = "books"
    id = Column(Integer, primary_key=True)
    title = Column(String, nullable=False)
    author_id = Column(Integer, ForeignKey("authors.id"), nullable=False)
    author = relationship("Author", back_populates="books")


def setup(session):
    for i in range(5):
        a = Author(name=f"a{i}")
        session.add(a)
        for j in range(3):
            session.add(Book(title=f"b{i}{j}", author=a))


def run(session):
    out = {}
    for a in session.query(Author).order_by(Author.id).all():
        out[a.name] = sorted(b.title for b in a.books)
    return out
