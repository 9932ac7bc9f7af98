# expect: add_in_loop code fewer
# An INSERT and a COMMIT per row: one bulk INSERT and one COMMIT store the
# same rows with fewer round trips.
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class AuditLog(Base):
    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, nullable=False)
    action = Column(String, nullable=False)


def setup(session):
    pass


def run(session):
    customer_ids = [i * 3 for i in range(5)]
    for cid in customer_ids:
        session.add(AuditLog(customer_id=cid, action="rescored"))
        session.commit()
    return session.query(AuditLog).count()
