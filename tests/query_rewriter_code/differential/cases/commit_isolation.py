# expect: commit_in_loop manual
# Rule 4: the loop isolates failures per item (commit in try, rollback in
# except): one failing item must not undo the others.
from sqlalchemy import CheckConstraint, Column, Integer
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Account(Base):
    __tablename__ = "accounts"
    id = Column(Integer, primary_key=True)
    balance = Column(Integer, CheckConstraint("balance >= 0"), nullable=False)


def setup(session):
    for b in (10, 0, 30):
        session.add(Account(balance=b))


def run(session):
    failed = []
    for acc in session.query(Account).order_by(Account.id).all():
        try:
            acc.balance = acc.balance - 5
            session.commit()
        except Exception:
            session.rollback()
            failed.append(acc.id)
    return failed
