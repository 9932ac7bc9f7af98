# expect: add_in_loop code
# Objects added one by one (with a Python column default): one multi-row
# INSERT of dicts stores the same rows.
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def upper_name(context):
    return context.get_current_parameters()["name"].upper()


class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
    name = Column(String, nullable=False)
    label = Column(String, default=upper_name)
    price = Column(Integer, nullable=False)


def setup(session):
    pass


def run(session):
    rows = [{"name": f"p{i}", "price": i * 10} for i in range(8)]
    for row in rows:
        session.add(Product(name=row["name"], price=row["price"]))
    session.flush()
    return session.query(Product).count()
