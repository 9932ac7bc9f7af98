# expect: commit_in_loop manual
# Rule 4: a comment says the per-item commit is intended.
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Job(Base):
    __tablename__ = "jobs"
    id = Column(Integer, primary_key=True)
    state = Column(String)


def setup(session):
    session.add(Job(state="queued"))


def run(session):
    for job in session.query(Job).all():
        job.state = "done"
        # commit each job on its own so that a crash keeps the progress
        session.commit()
    return 1
