"""Order pages of the storefront and the back office."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..config import PAGE_SIZE
from ..models import Customer, Order


def recent_orders_page(session: Session, customer_id: int) -> dict:
    """The "My orders" page: the customer's last ten orders with their lines."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        return {"customer": None, "orders": []}
    orders = session.scalars(
        select(Order)
        .where(Order.customer_id == customer_id)
        .order_by(Order.created_at.desc())
        .limit(10)
    ).all()
    page = []
    for order in orders:
        # order.items is lazy: one SELECT ... FROM order_items per order.
        lines = [
            {"product_id": item.product_id, "quantity": item.quantity, "unit_price_cents": item.unit_price_cents}
            for item in order.items
        ]
        page.append({"id": order.id, "status": order.status, "total_cents": order.total_cents, "lines": lines})
    return {"customer": customer.full_name, "orders": page}


def order_detail(session: Session, order_id: int) -> dict | None:
    """One order with its lines and payments.

    The lines are loaded eagerly (selectinload: one extra query for all of
    them), so the loop below issues no query per item.
    """
    order = session.scalars(
        select(Order).where(Order.id == order_id).options(selectinload(Order.items))
    ).first()
    if order is None:
        return None
    lines = []
    for item in order.items:
        lines.append({"product_id": item.product_id, "quantity": item.quantity})
    payments = [{"method": p.method, "status": p.status, "amount_cents": p.amount_cents} for p in order.payments]
    return {"id": order.id, "status": order.status, "lines": lines, "payments": payments}


def admin_order_page(session: Session, page: int) -> list[Order]:
    """Back-office order list, newest first, addressed by page number."""
    return list(
        session.scalars(
            select(Order).order_by(Order.created_at.desc()).limit(PAGE_SIZE).offset(page * PAGE_SIZE)
        )
    )


def open_orders(session: Session, limit: int = 20) -> list[Order]:
    """Orders waiting for the warehouse, oldest first."""
    return list(
        session.scalars(
            select(Order)
            .where((Order.status == "pending") | (Order.status == "processing"))
            .order_by(Order.created_at)
            .limit(limit)
        )
    )
