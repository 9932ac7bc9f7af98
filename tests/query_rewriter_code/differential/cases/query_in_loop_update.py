# expect: query_in_loop code fewer
# The loop updates the row its query returned (a column the query does not
# filter on): the prefetch finds the same rows, the identity map hands back
# the same objects, and the updates land as before.
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Provider(Base):
    __tablename__ = "providers"
    id = Column(Integer, primary_key=True)
    root = Column(String)


def setup(session):
    for i in range(5):
        session.add(Provider(root="old"))


def run(session):
    ids = [i for i in (1, 3, 4)]
    for pid in ids:
        row = session.query(Provider).filter_by(id=pid).first()
        row.root = "new"
        session.add(row)
    session.flush()
    return sorted((p.id, p.root) for p in session.query(Provider).all())
