# expect: commit_in_loop code fewer
# A COMMIT per item: one transaction for the loop stores the same rows.
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    status = Column(String, nullable=False)


def setup(session):
    for i in range(6):
        session.add(Order(status="new"))


def run(session):
    orders = session.query(Order).order_by(Order.id).all()
    for o in orders:
        o.status = "processed"
        session.commit()
    return [o.status for o in orders]
