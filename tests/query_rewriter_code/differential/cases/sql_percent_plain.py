# expect: sql_string_formatting code
# Rule 5: execute() of a plain %-formatted string. The fix must run on the
# installed SQLAlchemy: text() with a bound parameter (a bare string with
# :name would go to the driver unparsed on a 1.4 Connection, and 2.0
# rejects plain strings).
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Customer(Base):
    __tablename__ = "customers"
    id = Column(Integer, primary_key=True)
    name = Column(String)


def setup(session):
    for n in ("ann", "bob"):
        session.add(Customer(name=n))


def delete_customer(session, customer_id):
    sql = "DELETE FROM customers WHERE id = %s" % customer_id
    session.execute(sql)


def run(session):
    delete_customer(session, 2)
    return 1
