from sqlalchemy import Column, Integer, String

from .database import Base, Session


class Product(Base):
    __tablename__ = "products"
    id = Column(Integer, primary_key=True)
    name = Column(String(100))


def cheap_products(limit):
    session = Session()
    return session.query(Product).filter(Product.price < 10).limit(limit).all()
