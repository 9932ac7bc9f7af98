# expect: commit_in_loop manual
# Rule 4: the commit sits in a per-item with block (a nested transaction
# scope here); moving it out changes what the block commits.
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Row(Base):
    __tablename__ = "rows"
    id = Column(Integer, primary_key=True)
    v = Column(String)


def setup(session):
    pass


def run(session):
    values = [v.strip() for v in ("a", "b")]
    for v in values:
        with session.no_autoflush:
            session.add(Row(v=v))
            session.commit()
    return 2
