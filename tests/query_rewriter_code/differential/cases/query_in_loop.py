# expect: query_in_loop code fewer
# A query per key over a list: one IN query before the loop, a dictionary
# lookup inside (keys without rows give None, as .first() did).
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Price(Base):
    __tablename__ = "prices"
    id = Column(Integer, primary_key=True)
    sku = Column(String, nullable=False)
    cents = Column(Integer, nullable=False)


def setup(session):
    for i in range(6):
        session.add(Price(sku=f"s{i % 4}", cents=100 + i))


def run(session):
    skus = [s.strip() for s in ("s0", "s1", "s3", "missing")]
    out = []
    for sku in skus:
        p = session.query(Price).filter(Price.sku == sku).order_by(Price.cents).first()
        out.append((sku, p.cents if p else None))
    return out
