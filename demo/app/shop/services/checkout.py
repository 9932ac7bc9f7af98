"""Checkout: turning a cart into an order."""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..models import AuditLog, Order, OrderItem, Payment, Product


def place_order(session: Session, customer_id: int, cart: list[tuple[int, int]], address: str) -> Order:
    """cart: (product_id, quantity) pairs."""
    products = {pid: session.get(Product, pid) for pid, _ in cart}
    total = sum(products[pid].price_cents * qty for pid, qty in cart)
    order = Order(
        customer_id=customer_id,
        status="pending",
        currency="USD",
        total_cents=total,
        shipping_country="US",
        shipping_address=address,
        channel="web",
    )
    session.add(order)
    session.commit()

    # One INSERT, one stock UPDATE and one COMMIT per line: every line waits
    # for its own WAL flush.
    for product_id, quantity in cart:
        item = OrderItem(
            order_id=order.id,
            product_id=product_id,
            quantity=quantity,
            unit_price_cents=products[product_id].price_cents,
        )
        session.add(item)
        products[product_id].stock -= quantity
        session.commit()

    session.add(
        Payment(
            order_id=order.id,
            method="card",
            status="authorized",
            amount_cents=total,
            provider_ref="ch_" + hashlib.md5(str(order.id).encode()).hexdigest(),
        )
    )
    session.add(AuditLog(actor="api", entity="order", entity_id=order.id, action="create", changes={"status": "pending"}))
    session.commit()
    session.execute(text("SELECT pg_notify('order_created', :id)"), {"id": str(order.id)})
    session.commit()
    return order


def import_marketplace_orders(session: Session, rows: list[dict]) -> int:
    """Nightly import of orders placed on partner marketplaces."""
    count = 0
    for row in rows:
        session.add(
            Order(
                customer_id=row["customer_id"],
                status="processing",
                currency=row.get("currency", "USD"),
                total_cents=row["total_cents"],
                shipping_country=row["country"],
                shipping_address=row["address"],
                channel="marketplace",
                coupon_code=row.get("coupon"),
            )
        )
        count += 1
    session.commit()
    return count
