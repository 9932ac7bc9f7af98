from sqlalchemy import select

from .db import SessionLocal
from .models import Order


def recent_orders(customer_id: int) -> list[Order]:
    with SessionLocal() as session:
        stmt = select(Order).where(Order.customer_id == customer_id).limit(20)
        return list(session.execute(stmt).scalars())
